"""Shapley value: the axioms on random games, agreement with the definition, and sampling on large games."""

import numpy as np
import pytest
from coalition.brute import airport_shapley, games, shapley_by_permutations
from hypothesis import given, settings
from hypothesis import strategies as st

from clusterpath.coalition import AirportGame, Game, sample_shapley, shapley
from clusterpath.io import InputError


@given(games())
def test_exact_equals_average_over_all_join_orders(game):
    assert np.allclose(shapley(game), shapley_by_permutations(game), atol=1e-9)


@given(games())
def test_efficiency(game):
    assert shapley(game).sum() == pytest.approx(game.total, rel=1e-9, abs=1e-9)


@given(games(), st.data())
def test_symmetry(game, data):
    """Players i and j with c(S + i) = c(S + j) for every S without both get the same value."""
    i, j = data.draw(st.lists(st.integers(0, game.n - 1), min_size=2, max_size=2, unique=True))
    table = game.table().copy()
    for mask in range(2**game.n):
        if mask >> i & 1 and not mask >> j & 1:
            table[mask] = table[mask & ~(1 << i) | 1 << j]  # make i and j interchangeable
    symmetric = Game.from_array(game.players, table)
    phi = shapley(symmetric)
    assert phi[i] == pytest.approx(phi[j], abs=1e-9)


@given(games(max_players=4), st.data())
def test_null_player_pays_nothing(game, data):
    """A player who never changes any coalition's cost is charged nothing."""
    dummy = data.draw(st.integers(0, game.n - 1))
    table = game.table().copy()
    for mask in range(2**game.n):
        if mask >> dummy & 1:
            table[mask] = table[mask & ~(1 << dummy)]
    phi = shapley(Game.from_array(game.players, table))
    assert phi[dummy] == pytest.approx(0.0, abs=1e-9)


@given(games(min_players=3, max_players=3), st.lists(st.integers(0, 60), min_size=7, max_size=7))
def test_additivity(game, other_costs):
    other = Game.from_array(game.players, [0, *other_costs])
    both = Game.from_array(game.players, game.table() + other.table())
    assert np.allclose(shapley(both), shapley(game) + shapley(other), atol=1e-9)


def test_fifteen_players_exact_and_efficient():
    rng = np.random.default_rng(1)
    values = np.r_[0.0, rng.uniform(1, 100, 2**15 - 1)]
    game = Game.from_array([f"p{i}" for i in range(15)], values)
    assert shapley(game).sum() == pytest.approx(values[-1], rel=1e-9)


def test_exact_refuses_sixteen_players_and_suggests_sampling():
    game = AirportGame([f"p{i}" for i in range(16)], range(1, 17))
    with pytest.raises(InputError, match="use sampling"):
        shapley(game)


def test_airport_closed_form_on_small_games():
    """Littlechild and Owen (1973): the Shapley value of c(S) = max_{i in S} c_i is sequential equal sharing."""
    costs = np.array([8.0, 11.0, 13.0, 18.0, 11.0, 5.0])
    assert np.allclose(shapley(AirportGame(list("ABCDEF"), costs)), airport_shapley(costs))


def test_sampling_is_reproducible_and_efficient():
    game = AirportGame(list("ABCDEF"), [8.0, 11.0, 13.0, 18.0, 11.0, 5.0])
    first = sample_shapley(game, seed=7, tolerance=0.0, max_samples=500)
    again = sample_shapley(game, seed=7, tolerance=0.0, max_samples=500)
    assert np.array_equal(first.value, again.value) and first.samples == 500
    assert first.value.sum() == pytest.approx(game.total, rel=1e-9)


def test_sampled_airport_with_200_players_lies_within_its_confidence_intervals():
    """The exact value is known in closed form, so the 95% intervals can be checked: about 95% must cover it."""
    rng = np.random.default_rng(2024)
    costs = rng.uniform(10, 1000, 200)
    game = AirportGame([f"plane{i}" for i in range(200)], costs)
    estimate = sample_shapley(game, seed=3, tolerance=0.01)
    exact = airport_shapley(costs)
    covered = np.abs(estimate.value - exact) <= estimate.ci95
    assert covered.mean() >= 0.85
    dividend = costs.sum() - costs.max()
    assert estimate.ci95.max() <= 0.01 * dividend / 200 or estimate.samples >= 20_000
    assert estimate.value.sum() == pytest.approx(costs.max(), rel=1e-9)


def test_sampling_a_lazy_game_wider_than_a_bitmask_batches_its_evaluations():
    """70 players: prefixes are membership rows, and every batch of unknown coalitions goes to one call."""
    costs = np.linspace(1.0, 70.0, 70)
    calls = []

    class Counted(Game):
        def evaluate_batch(self, coalitions):
            calls.append(len(coalitions))
            return [max(costs[int(p[1:])] for p in c) for c in coalitions]

    game = Counted([f"p{i}" for i in range(70)])
    estimate = sample_shapley(game, seed=1, tolerance=0.0, max_samples=400)
    assert estimate.value.sum() == pytest.approx(70.0, rel=1e-9)
    covered = np.abs(estimate.value - airport_shapley(costs)) <= estimate.ci95 + 1e-12
    assert covered.mean() >= 0.8
    assert len(calls) < 20 and max(calls) > 100


@settings(max_examples=20)
@given(games(max_players=4), st.integers(0, 2**32 - 1))
def test_sampled_estimate_is_efficient_on_any_game(game, seed):
    estimate = sample_shapley(game, seed=seed, tolerance=0.0, max_samples=40)
    assert estimate.value.sum() == pytest.approx(game.total, rel=1e-9, abs=1e-9)
    assert np.all(estimate.ci95 >= 0)
