"""Published cost-allocation cases reproduced to their published precision.

Only numbers read in a source are used here; where a source could not be found the case is left out
(see docs/allocation.md, "Validation"), never filled in from memory.
"""

import numpy as np
import pytest
from coalition.brute import airport_shapley

from clusterpath.coalition import AirportGame, Game, allocate, shapley

SWEDEN = ("A", "H", "K", "L", "M", "T")


def test_swedish_municipal_water_supply_scrb():
    """Young, Okada and Hashimoto, "Cost allocation in water resources development - a case study of Sweden",
    IIASA Working Paper WP-79-77 (September 1979), published as Young, Okada and Hashimoto (1982), Water
    Resources Research 18(3), 463-475. Six municipalities of Skåne (A, H, K, L, M, T), costs in million
    Swedish crowns:

    - Table 8 ("Individual and Marginal Costs for Swedish Example"): individual alternative costs c({i}) =
      21.95, 17.08, 10.91, 15.88, 20.81, 21.98 and marginal costs c(N) - c(N - i) = 17.36, 9.85, 0.82, 6.40,
      12.90, 14.06;
    - Table 7 ("Cost Allocations of 83.82 Million Crowns by Seven Methods"): c(N) = 83.82 and the S.C.R.B.
      allocation 19.54, 13.28, 5.62, 10.90, 16.66, 17.82.

    SCRB needs exactly these 2n + 1 costs, so the game below knows no other coalition (asking for one would
    raise KeyError). The published inputs are rounded to 0.01, so the reproduction holds to +-0.01: K comes
    out 0.82 + 22.43 * 10.09 / 47.22 = 5.613, published 5.62; the other five agree to within 0.005.
    """
    total = 83.82
    standalone = dict(zip(SWEDEN, [21.95, 17.08, 10.91, 15.88, 20.81, 21.98], strict=True))
    marginal = dict(zip(SWEDEN, [17.36, 9.85, 0.82, 6.40, 12.90, 14.06], strict=True))
    known = {frozenset(SWEDEN): total} | {frozenset([p]): c for p, c in standalone.items()}
    known |= {frozenset(SWEDEN) - {p}: total - m for p, m in marginal.items()}
    game = Game(SWEDEN, lambda coalition: known[coalition], source="Young, Okada and Hashimoto (1982)")
    result = allocate(game, "scrb")
    published = [19.54, 13.28, 5.62, 10.90, 16.66, 17.82]
    assert list(result.allocation.values()) == pytest.approx(published, abs=0.01)
    assert sum(result.allocation.values()) == pytest.approx(total, rel=1e-12)
    assert result.in_core is None  # the other 56 coalition costs are unknown, so the core cannot be tested


BIRMINGHAM_TYPES = ["Fokker Friendship 27", "Viscount 800", "Hawker Siddeley Trident", "Britannia 100",
                    "Caravelle VI R", "BAC 111 (50)", "Vanguard 953", "Comet 4B", "Britannia 300",
                    "Convair Corronado", "Boeing 707"]
BIRMINGHAM_CAPITAL_COST = [65899, 76725, 95200, 97200, 97436, 98142, 102496, 104849, 113322, 115440, 117676]
BIRMINGHAM_MOVEMENTS = [42, 9555, 288, 303, 151, 1315, 505, 1128, 151, 112, 22]


def test_birmingham_airport_runway_game_is_sequential_equal_sharing():
    """Littlechild and Thompson (1977), "Aircraft landing fees: a game theory approach", Bell Journal of
    Economics 8(1), 186-204: Birmingham airport 1968-69, 11 aircraft types, 13,572 movements. The capital
    cost of the runway each type needs (pounds) and the movements are as transcribed in the CRAN package
    AirportProblems 0.1.0 (dataset ``Birmingham``, file data-raw/prepare_data.R); we did not see the
    paper's table itself.

    With one player per aircraft type, c(S) = max of the types' capital costs, and the exact Shapley value
    equals Littlechild and Owen's (1973) closed form: the cost of each runway segment is split equally among
    the types that need it. E.g. the smallest type pays 65899 / 11 = 5990.8, the next 5990.8 +
    (76725 - 65899) / 10 = 7073.4.
    """
    game = AirportGame(BIRMINGHAM_TYPES, BIRMINGHAM_CAPITAL_COST)
    x = shapley(game)
    assert np.allclose(x, airport_shapley(np.array(BIRMINGHAM_CAPITAL_COST, float)), rtol=1e-12)
    assert x[:2] == pytest.approx([65899 / 11, 65899 / 11 + (76725 - 65899) / 10])
    assert allocate(game, "shapley").in_core is True  # airport games are concave: the Shapley value is in the core
    assert sum(BIRMINGHAM_MOVEMENTS) == 13572


def test_birmingham_movements_as_players_sampled_against_the_closed_form():
    """Every one of the 13,572 movements a player (Littlechild and Thompson's game): per-movement charges in
    closed form. Sampling is checked on the large aircraft, whose charges a few hundred join orders pin down;
    the small ones pay only when first in line (probability 42 / 13572 for a Fokker), which sampling
    cannot see in a test-sized sample."""
    costs = np.repeat(BIRMINGHAM_CAPITAL_COST, BIRMINGHAM_MOVEMENTS).astype(float)
    game = AirportGame([f"movement{i}" for i in range(len(costs))], costs)
    exact = airport_shapley(costs)
    estimate = allocate(game, "shapley", samples=400, seed=11)
    assert sum(estimate.allocation.values()) == pytest.approx(117676, rel=1e-9)
    boeing = np.array(list(estimate.allocation.values()))[-22:]
    # 22 Boeing 707 movements share the last segment 117676 - 115440 among themselves.
    assert exact[-1] - exact[-23] == pytest.approx((117676 - 115440) / 22)
    assert boeing.mean() == pytest.approx(exact[-1], rel=0.25)
