"""Nucleolus and least core against brute force: lexicographic optimality, core membership, a hand example."""

import numpy as np
import pytest
from coalition.brute import excesses, games, lex_leq, nucleolus_by_candidate_lps
from hypothesis import given, settings
from hypothesis import strategies as st

from clusterpath.coalition import Game, core_check, least_core, nucleolus


def hand_game() -> Game:
    return Game.from_table(["A", "B", "C"], {
        ("A",): 10, ("B",): 12, ("C",): 9, ("A", "B"): 18, ("A", "C"): 17, ("B", "C"): 19, ("A", "B", "C"): 25})


def test_hand_computed_three_player_game():
    """Worked by hand. Level 1: e(C) + e(AB) = x(N) - c(C) - c(AB) = 25 - 9 - 18 = -2, so the largest excess is
    at least -1, reached with x_C = 8 (every other pair sums to less: e(A)+e(BC) = -4, e(B)+e(AC) = -4).
    Level 2: with x_A + x_B = 17, e(AC) + e(BC) = 17 + 16 - 17 - 19 = -3, so at least -1.5, reached at
    x_A = 7.5, x_B = 9.5 (then e(A) = e(B) = -2.5). Nucleolus (7.5, 9.5, 8); least-core value -1."""
    assert np.allclose(nucleolus(hand_game()), [7.5, 9.5, 8.0], atol=1e-9)
    result = least_core(hand_game())
    assert result.epsilon == pytest.approx(-1.0, abs=1e-9)
    assert np.allclose(result.allocation, [7.5, 9.5, 8.0], atol=1e-9)


@settings(max_examples=40, deadline=None)
@given(games(max_players=4))
def test_nucleolus_agrees_with_the_candidate_lp_method(game):
    assert np.allclose(nucleolus(game), nucleolus_by_candidate_lps(game), atol=1e-6)
    assert np.allclose(least_core(game).allocation, nucleolus_by_candidate_lps(game, imputations=False), atol=1e-6)


def _imputations(game: Game, rng: np.random.Generator, count: int) -> list[np.ndarray]:
    """Random efficient allocations with x_i <= c({i}): far ones from the simplex, near ones around the
    nucleolus (where a wrong answer would be beaten by a small step)."""
    standalone, total = game.standalone(), game.total
    far = standalone - (standalone.sum() - total) * rng.dirichlet(np.ones(game.n), count)
    x = nucleolus(game)
    steps = rng.normal(size=(count, game.n)) * rng.choice([1e-3, 1e-2, 1e-1, 1.0], size=(count, 1))
    near = x + steps - steps.mean(axis=1, keepdims=True)
    return [p for p in np.vstack([far, near]) if np.all(p <= standalone + 1e-12)]


@settings(max_examples=60, deadline=None)
@given(games(max_players=4), st.integers(0, 2**32 - 1))
def test_nucleolus_is_lexicographically_optimal_among_imputations(game, seed):
    if game.standalone().sum() < game.total:
        return  # no imputations: the prenucleolus case is tested below
    x = nucleolus(game)
    assert x.sum() == pytest.approx(game.total, rel=1e-9, abs=1e-9)
    assert np.all(x <= game.standalone() + 1e-9)
    best = excesses(game, x)
    for point in _imputations(game, np.random.default_rng(seed), 300):
        assert lex_leq(best, excesses(game, point)), (x, point)


@settings(max_examples=40, deadline=None)
@given(games(max_players=4), st.integers(0, 2**32 - 1))
def test_prenucleolus_is_lexicographically_optimal_among_efficient_allocations(game, seed):
    rng = np.random.default_rng(seed)
    x = least_core(game).allocation
    best = excesses(game, x)
    for step in rng.normal(size=(300, game.n)) * rng.choice([1e-3, 1e-1, 10.0], size=(300, 1)):
        assert lex_leq(best, excesses(game, x + step - step.mean()))


@settings(max_examples=60, deadline=None)
@given(games(max_players=5))
def test_nucleolus_is_in_the_core_whenever_the_core_is_not_empty(game):
    result = least_core(game)
    # The least-core value is the largest excess at the first level: non-positive iff the core is non-empty.
    assert result.epsilon == pytest.approx(excesses(game, result.allocation)[0], abs=1e-7)
    if result.epsilon <= 0:
        assert core_check(game, nucleolus(game)).in_core
    else:
        assert core_check(game, nucleolus(game)).in_core is False


def test_a_twelve_player_game_is_practical():
    """Subadditive by construction (a sum of airport-like facilities), so the core is not empty."""
    rng = np.random.default_rng(5)
    n = 12
    facilities = rng.uniform(1, 50, (4, n))
    members = (np.arange(2**n)[:, None] >> np.arange(n)) & 1 == 1
    table = np.where(members[:, None, :], facilities[None], 0).max(axis=2).sum(axis=1)
    game = Game.from_array([f"p{i}" for i in range(n)], table)
    x = nucleolus(game)
    assert x.sum() == pytest.approx(game.total, rel=1e-9)
    assert core_check(game, x).in_core
