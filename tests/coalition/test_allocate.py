"""The dispatcher: every method through one call, efficiency, the result object and its JSON form."""

import json

import numpy as np
import pytest
from coalition.brute import games
from hypothesis import given, settings

from clusterpath.coalition import RULES, AirportGame, Game, allocate
from clusterpath.io import InputError

METHODS = ["shapley", "nucleolus", "least-core", "scrb", "proportional"]
COSTS = {("A",): 10, ("B",): 12, ("C",): 9, ("A", "B"): 18, ("A", "C"): 17, ("B", "C"): 19, ("A", "B", "C"): 25}


def test_the_registered_methods():
    # "dual" and "use" need a cluster's model (tests/coalition/test_cluster_game.py).
    assert list(RULES) == [*METHODS, "dual", "use"]


@settings(max_examples=40, deadline=None)
@given(games(max_players=5))
def test_every_method_allocates_the_grand_coalition_cost(game):
    for method in METHODS:
        try:
            x = np.array(list(allocate(game, method).allocation.values()))
        except InputError as error:
            # SCRB without a positive remaining benefit, or shares of a non-positive stand-alone total: undefined.
            assert method in ("scrb", "proportional"), error
            continue
        assert abs(x.sum() - game.total) <= 1e-9 * max(1.0, abs(game.total)), method


def test_sampled_shapley_allocates_the_grand_coalition_cost_too():
    game = AirportGame([f"p{i}" for i in range(40)], np.linspace(1, 1e6, 40))
    result = allocate(game, "shapley", seed=1)
    assert abs(sum(result.allocation.values()) - 1e6) <= 1e-9 * 1e6


def test_result_object_and_json():
    result = allocate(Game.from_table(["A", "B", "C"], COSTS), "least-core")
    assert result.players == ("A", "B", "C")
    assert result.standalone == {"A": 10, "B": 12, "C": 9} and result.total == 25
    assert result.savings == pytest.approx({"A": 2.5, "B": 2.5, "C": 1.0})
    data = json.loads(json.dumps(result.to_dict()))
    assert {"method", "players", "allocation", "standalone", "total", "in_core"} <= data.keys()
    assert data["method"] == "least-core" and data["in_core"] is True
    assert data["least_core_epsilon"] == pytest.approx(-1.0)
    assert "ci95" not in data


def test_sampled_shapley_reports_its_intervals_and_samples():
    result = allocate(Game.from_table(["A", "B", "C"], COSTS), "shapley", samples=600, seed=4)
    data = result.to_dict()
    assert data["samples"] == 600 and set(data["ci95"]) == {"A", "B", "C"}
    exact = allocate(Game.from_table(["A", "B", "C"], COSTS), "shapley")
    assert exact.ci95 is None and exact.allocation == pytest.approx({"A": 23 / 3, "B": 29 / 3, "C": 23 / 3})


def test_blocking_coalition_when_not_in_the_core():
    """Proportional to stand-alone cost on a game where A and B do well together: AB pays 2 * 25 / 3 > 15."""
    game = Game.from_table(["A", "B", "C"], {("A",): 10, ("B",): 10, ("C",): 10, ("A", "B"): 15, ("A", "C"): 20,
                                             ("B", "C"): 20, ("A", "B", "C"): 25})
    result = allocate(game, "proportional")
    assert result.in_core is False
    assert result.blocking_coalition == ("A", "B") and result.violation == pytest.approx(50 / 3 - 15)
    assert result.to_dict()["blocking_coalition"] == ["A", "B"]


def test_large_games_use_sampling_and_report_an_unknown_core():
    players = [f"p{i}" for i in range(30)]
    game = Game(players, lambda s: float(len(s)) ** 0.8)
    result = allocate(game, "shapley", samples=20, seed=1)
    assert result.in_core is None and "separation oracle" in result.core_note
    assert allocate(game, "scrb").in_core is None


@pytest.mark.parametrize("method", ["nucleolus", "least-core"])
def test_exact_methods_refuse_more_than_fifteen_players(method):
    game = AirportGame([f"p{i}" for i in range(16)], range(16), source="big.json")
    with pytest.raises(InputError, match="big.json: exact .* limited to 15 players .* use sampling"):
        allocate(game, method)
    with pytest.raises(InputError, match="use sampling"):
        allocate(game, "shapley", exact=True)
    assert allocate(game, "shapley").samples is not None  # sixteen players: sampled automatically


@pytest.mark.parametrize(("method", "options", "expected"), [
    ("owen", {}, ("unknown allocation method 'owen': expected one of shapley, nucleolus, least-core, scrb, "
                 "proportional, dual")),
    ("dual", {}, "the dual-price allocation needs a cluster"),
    ("nucleolus", {"weights": {"A": 1}}, "option 'weights' does not apply to method 'nucleolus' (it takes none)"),
    ("scrb", {"samples": 10}, "option 'samples' does not apply"),
    ("shapley", {"weights": {"A": 1}}, "its options: samples, tolerance, seed, exact"),
    ("shapley", {"samples": 3}, "samples must be a whole number of at least 4"),
    ("shapley", {"samples": 10.5}, "samples must be a whole number"),
    ("shapley", {"tolerance": -1}, "tolerance must be a non-negative number"),
    ("shapley", {"exact": True, "samples": 10}, "exact Shapley takes no samples"),
])
def test_option_mistakes(method, options, expected):
    with pytest.raises(InputError) as caught:
        allocate(Game.from_table(["A", "B", "C"], COSTS, source="g.json"), method, **options)
    assert expected in str(caught.value)
