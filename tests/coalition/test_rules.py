"""SCRB and proportional rules on hand-computed cases, and their errors."""

import numpy as np
import pytest

from clusterpath.coalition import Game, proportional, scrb
from clusterpath.io import InputError

COSTS = {("A",): 10, ("B",): 12, ("C",): 9, ("A", "B"): 18, ("A", "C"): 17, ("B", "C"): 19, ("A", "B", "C"): 25}


def test_scrb_by_hand():
    """SC = 25 - (19, 17, 18) = (6, 8, 7); r = (10, 12, 9) - SC = (4, 4, 2); NSC = 25 - 21 = 4;
    x = SC + 4 * r / 10 = (7.6, 9.6, 7.8)."""
    assert np.allclose(scrb(Game.from_table(["A", "B", "C"], COSTS)), [7.6, 9.6, 7.8])


def test_scrb_clamps_negative_remaining_benefits_at_zero():
    """With c(AB) = 13, C's separable cost 25 - 13 = 12 exceeds its stand-alone 9: r_C = max(0, -3) = 0, so
    C takes no share of the non-separable cost. SC = (25 - 19, 25 - 17, 12) = (6, 8, 12), r = (4, 4, 0),
    NSC = 25 - 26 = -1: x = (6 - 1/2, 8 - 1/2, 12)."""
    costs = COSTS | {("A", "B"): 13}
    x = scrb(Game.from_table(["A", "B", "C"], costs))
    assert np.allclose(x, [5.5, 7.5, 12])
    assert x.sum() == pytest.approx(25)


def test_scrb_without_any_remaining_benefit_is_refused_when_there_is_a_cost_to_share():
    additive_plus = Game.from_table(["A", "B"], {("A",): 1, ("B",): 1, ("A", "B"): 3})
    with pytest.raises(InputError, match="no player has a positive remaining benefit"):
        scrb(additive_plus)


def test_proportional_to_stand_alone_costs_by_default_and_to_given_weights():
    game = Game.from_table(["A", "B", "C"], COSTS)
    assert np.allclose(proportional(game), 25 * np.array([10, 12, 9]) / 31)
    assert np.allclose(proportional(game, {"A": 1, "B": 0, "C": 3}), [6.25, 0, 18.75])


@pytest.mark.parametrize(("weights", "expected"), [
    ({"A": 1, "B": 1}, "no weight for player 'C'"),
    ({"A": 1, "B": 1, "C": 1, "D": 1}, "'D' is not a player"),
    ({"A": 1, "B": "heavy", "C": 1}, "'B' has weight 'heavy', expected a finite number"),
    ({"A": 1, "B": float("nan"), "C": 1}, "'B' has weight nan"),
    ({"A": 0, "B": 0, "C": 0}, "positive sum"),
    ({"A": -1, "B": 2, "C": 1}, "non-negative"),
])
def test_bad_weights(weights, expected):
    with pytest.raises(InputError, match=expected):
        proportional(Game.from_table(["A", "B", "C"], COSTS, source="cluster.json"), weights)
