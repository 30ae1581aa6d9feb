"""The Shapley value of a cost game: exact over bitmasks, or estimated from sampled permutations.

phi_i = sum over S not containing i of |S|! (n - |S| - 1)! / n! * (c(S + i) - c(S)),
the average over all n! join orders of what i adds to the cost of those before it (Shapley 1953).
"""

from __future__ import annotations

from dataclasses import dataclass
from math import comb

import numpy as np

from clusterpath.coalition.game import Game, popcounts, require_exact

Z95 = 1.959963984540054
# Sampling works in batches of permutations; this bounds the array cells a batch's prefixes take.
MAX_BATCH_CELLS = 2_000_000
DEFAULT_TOLERANCE = 0.01
DEFAULT_MAX_SAMPLES = 20_000
MIN_SAMPLES = 100


@dataclass(frozen=True)
class ShapleyEstimate:
    value: np.ndarray
    ci95: np.ndarray  # half-width of the 95% confidence interval, per player
    samples: int  # permutations evaluated, each antithetic pair counting two


def shapley(game: Game) -> np.ndarray:
    """Exact Shapley value, O(n 2^n) from the full cost table."""
    require_exact(game, "shapley")
    n = game.n
    table = game.table()
    sizes = popcounts(n)
    weight = np.array([1.0 / (n * comb(n - 1, s)) for s in range(n)])  # = s! (n-s-1)! / n!
    masks = np.arange(2**n, dtype=np.int64)
    phi = np.empty(n)
    for i in range(n):
        without = masks[(masks >> i) & 1 == 0]
        phi[i] = weight[sizes[without]] @ (table[without | (1 << i)] - table[without])
    return phi


def sample_shapley(
    game: Game,
    *,
    tolerance: float = DEFAULT_TOLERANCE,
    max_samples: int = DEFAULT_MAX_SAMPLES,
    seed: int | None = None,
) -> ShapleyEstimate:
    """Shapley value estimated from random join orders with antithetic (reversed) partners.

    Stops once every player's 95% half-width is at most ``tolerance`` times the average saving per player,
    (sum_i c({i}) - c(N)) / n (or times c(N) / n when cooperation saves nothing), or after ``max_samples``
    orders. The estimate is efficient by construction: each order's contributions sum to c(N).
    """
    rng = np.random.default_rng(seed)
    n = game.n
    dividend = float(game.standalone().sum() - game.total)
    target = tolerance * (dividend if dividend > 0 else abs(game.total)) / n
    cap = max(1, MAX_BATCH_CELLS // (2 * game.prefix_cells()))
    min_pairs = max(2, MIN_SAMPLES // 2)
    max_pairs = max(2, max_samples // 2)
    shift = total = total_sq = None
    pairs = 0
    while pairs < max_pairs:
        # Batches double the sample so far: the stopping rule is checked often early, rarely late.
        k = min(max(pairs, min_pairs), cap, max_pairs - pairs)
        orders = rng.permuted(np.tile(np.arange(n), (k, 1)), axis=1)
        both = np.concatenate([orders, orders[:, ::-1]])
        marginal = np.diff(game.prefix_costs(both), axis=1, prepend=0.0)
        contribution = np.empty_like(marginal)
        np.put_along_axis(contribution, both, marginal, axis=1)
        # A permutation and its reverse are dependent; their average is one independent draw.
        paired = (contribution[:k] + contribution[k:]) / 2
        if shift is None:
            shift, total, total_sq = paired.mean(axis=0), np.zeros(n), np.zeros(n)
        total += (paired - shift).sum(axis=0)
        total_sq += ((paired - shift) ** 2).sum(axis=0)
        pairs += k
        half_width = _half_width(total, total_sq, pairs)
        if pairs >= min_pairs and half_width.max() <= target:
            break
    return ShapleyEstimate(shift + total / pairs, half_width, 2 * pairs)


def _half_width(total: np.ndarray, total_sq: np.ndarray, pairs: int) -> np.ndarray:
    if pairs < 2:
        return np.full(total.shape, np.inf)
    variance = np.maximum(total_sq - total**2 / pairs, 0.0) / (pairs - 1)
    return Z95 * np.sqrt(variance / pairs)
