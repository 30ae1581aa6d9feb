"""The game abstraction: tables, lazy memoised evaluation in batches, airport games and the core test."""

import numpy as np
import pytest
from coalition.brute import games
from hypothesis import given
from hypothesis import strategies as st

from clusterpath.coalition import AirportGame, Game, core_check
from clusterpath.coalition.game import subset_sums

COSTS = {("A",): 10, ("B",): 12, ("C",): 9, ("A", "B"): 18, ("A", "C"): 17, ("B", "C"): 19, ("A", "B", "C"): 25}


def test_table_array_and_callable_agree():
    table = Game.from_table(["A", "B", "C"], COSTS)
    lookup = {frozenset(k): v for k, v in COSTS.items()}
    lazy = Game(["A", "B", "C"], lambda s: lookup[s])
    array = Game.from_array(["A", "B", "C"], table.table())
    for game in (table, lazy, array):
        assert game.cost({"A", "C"}) == 17 and game.total == 25
        assert list(game.standalone()) == [10, 12, 9]
        assert list(game.table()) == [0, 10, 12, 18, 9, 17, 19, 25]
    assert table.is_explicit and not Game(["A", "B"], len).is_explicit


def test_a_string_is_one_player_not_its_letters():
    game = Game(["AB", "C"], lambda s: float(len(s)))
    assert game.cost("AB") == 1.0 and list(game.values(["AB", ["AB", "C"]])) == [1.0, 2.0]
    with pytest.raises(ValueError, match="'A' is not a player"):
        game.cost(["A", "B"])


def test_players_keep_their_order_and_must_be_distinct():
    assert Game.from_table(["C", "A", "B"], COSTS).players == ("C", "A", "B")
    with pytest.raises(ValueError, match="distinct"):
        Game(["A", "A"], len)
    with pytest.raises(ValueError, match="at least two"):
        Game(["A"], len)


def test_lazy_costs_are_memoised_and_evaluated_in_batches():
    batches = []

    class Model(Game):
        def evaluate_batch(self, coalitions):
            batches.append(sorted(tuple(sorted(c)) for c in coalitions))
            return [float(len(c)) ** 0.5 for c in coalitions]

    game = Model(["A", "B", "C"])
    assert list(game.values([{"A"}, {"A", "B"}, {"B", "A"}])) == [1.0, 2**0.5, 2**0.5]
    assert game.cost({"A"}) == 1.0
    game.table()
    assert batches == [[("A",), ("A", "B")], [("A", "B", "C"), ("A", "C"), ("B",), ("B", "C"), ("C",)]]


def test_a_cost_function_returning_nan_is_reported():
    game = Game(["A", "B"], lambda s: float("nan"))
    with pytest.raises(ValueError, match="not a finite number"):
        game.cost({"A", "B"})


def test_from_table_rejects_missing_and_repeated_coalitions():
    with pytest.raises(ValueError, match="1 coalitions have no cost"):
        Game.from_table(["A", "B"], {("A",): 1, ("B",): 1})
    with pytest.raises(ValueError, match="listed twice"):
        Game.from_table(["A", "B"], {("A",): 1, ("B",): 1, ("A", "B"): 2, ("B", "A"): 2})


@given(st.lists(st.integers(-5, 50), min_size=2, max_size=8))
def test_airport_rule_is_the_largest_stand_alone_cost(costs):
    game = AirportGame([f"p{i}" for i in range(len(costs))], costs)
    for mask in range(1, 2 ** len(costs)):
        assert game.table()[mask] == max(c for i, c in enumerate(costs) if mask >> i & 1)
    orders = np.array([np.random.default_rng(len(costs)).permutation(len(costs))])
    assert np.array_equal(game.prefix_costs(orders), Game.prefix_costs(game, orders))


@given(st.lists(st.integers(0, 50), min_size=2, max_size=7), st.data())
def test_airport_separation_oracle_finds_the_most_blocking_coalition(costs, data):
    game = AirportGame([f"p{i}" for i in range(len(costs))], costs)
    x = np.array(data.draw(st.lists(st.integers(-20, 60), min_size=len(costs), max_size=len(costs))), float)
    x[-1] += game.total - x.sum()  # efficient, as every allocation is
    mask, violation = game.separation_oracle(x)
    excess = subset_sums(x) - game.table()
    assert violation == pytest.approx(max(excess[1:-1].max(), 0.0) if mask == game.grand_mask else excess[1:-1].max())
    assert violation == pytest.approx(excess[mask] if mask != game.grand_mask else 0.0)


@given(games(max_players=4), st.data())
def test_core_check_reports_the_most_blocking_coalition(game, data):
    x = np.array(data.draw(st.lists(st.integers(0, 60), min_size=game.n, max_size=game.n)), float)
    x[-1] += game.total - x.sum()
    excess = {m: sum(x[i] for i in range(game.n) if m >> i & 1) - game.table()[m] for m in range(1, 2**game.n - 1)}
    worst = max(excess.values())
    check = core_check(game, x)
    assert check.in_core == (worst <= 1e-9)
    if not check.in_core:
        assert check.violation == pytest.approx(worst)
        assert excess[game.mask(check.coalition)] == pytest.approx(worst)


def test_core_check_of_a_large_lazy_game_is_unknown_unless_asked():
    game = Game([f"p{i}" for i in range(8)], lambda s: float(len(s)))
    assert core_check(game, np.ones(8)).in_core is None
    assert "separation oracle" in core_check(game, np.ones(8)).note
    assert core_check(game, np.ones(8), evaluate_all=True).in_core is True
    wide = Game([f"p{i}" for i in range(30)], lambda s: float(len(s)))
    assert core_check(wide, np.ones(30), evaluate_all=True).in_core is None


def test_airport_core_check_works_for_any_size():
    game = AirportGame([f"p{i}" for i in range(500)], np.arange(1.0, 501.0))
    equal_split = np.full(500, 500 / 500)
    assert core_check(game, equal_split).in_core is True
    unfair = np.r_[np.full(499, 2.0), 500 - 2 * 499]  # the 499 small players pay 2 each, the largest -498
    check = core_check(game, unfair)
    # Worst: the 499 small players together pay 998 for a runway costing 499.
    assert check.in_core is False and check.violation == pytest.approx(499.0)
    assert len(check.coalition) == 499
