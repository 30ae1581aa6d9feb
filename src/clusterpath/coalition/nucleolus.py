"""Nucleolus and least core of a cost game by a sequence of linear programmes.

Excess e(S, x) = x(S) - c(S): how much more coalition S pays than it would alone (positive = S objects).
The nucleolus lexicographically minimises the vector of excesses sorted from largest to smallest
(Schmeidler 1969). It is computed as in Maschler, Peleg and Shapley (1979) and Guajardo and Jornsten
(2015): minimise the largest excess t over the coalitions not yet fixed; coalitions whose excess equals t
in every optimum are those with a positive dual value (complementary slackness), so they are fixed at t;
coalitions whose incidence vector is spanned by the fixed ones have a constant excess from then on and
are dropped; repeat until the fixed coalitions determine x.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import csr_matrix, hstack

from clusterpath.coalition.game import Game, incidence, require_exact

# On costs scaled to at most one: a dual above this is positive; an excess this close to the level is at it.
DUAL_TOLERANCE = 1e-9
EXCESS_TOLERANCE = 1e-6


@dataclass(frozen=True)
class LeastCore:
    epsilon: float  # smallest t with x(S) <= c(S) + t for every proper S; <= 0 iff the core is non-empty
    allocation: np.ndarray  # the prenucleolus, a canonical point of the least core


def nucleolus(game: Game) -> np.ndarray:
    """The nucleolus over imputations (x_i <= c({i})); the prenucleolus if there are no imputations."""
    require_exact(game, "nucleolus")
    standalone = game.standalone()
    imputations = standalone.sum() >= game.total
    return _sequential_lp(game, standalone if imputations else None)[0]


def least_core(game: Game) -> LeastCore:
    """The least-core value and the prenucleolus, which lies in the least core."""
    require_exact(game, "least-core")
    x, epsilon = _sequential_lp(game, None)
    return LeastCore(epsilon, x)


def _sequential_lp(game: Game, upper: np.ndarray | None) -> tuple[np.ndarray, float]:
    """(x, first-level excess t_1) of the lexicographic minimisation; ``upper`` bounds x_i from above if given."""
    n = game.n
    table = game.table()
    # Solve on costs of order one so the LP tolerances mean the same for euros and for billions.
    scale = max(1e-300, float(np.abs(table).max()))
    masks = np.arange(1, 2**n - 1, dtype=np.int64)
    rows = incidence(masks, n).astype(float)
    cost = table[masks] / scale
    free = np.ones(len(masks), dtype=bool)
    fixed_rows, fixed_rhs = [np.ones(n)], [game.total / scale]
    bounds = [(None, None if upper is None else upper[i] / scale) for i in range(n)] + [(None, None)]
    levels = []
    while np.linalg.matrix_rank(np.array(fixed_rows)) < n:
        index = np.flatnonzero(free)
        # Variables (x_1 .. x_n, t): minimise t subject to x(S) - t <= c(S) for free S, fixed S at their level.
        a_ub = hstack([csr_matrix(rows[index]), csr_matrix(-np.ones((len(index), 1)))]).tocsr()
        a_eq = np.hstack([np.array(fixed_rows), np.zeros((len(fixed_rows), 1))])
        result = linprog(np.r_[np.zeros(n), 1.0], A_ub=a_ub, b_ub=cost[index], A_eq=a_eq, b_eq=fixed_rhs,
                         bounds=bounds, method="highs")
        if result.status != 0:
            raise RuntimeError(f"nucleolus LP failed: {result.message}")
        level = float(result.x[-1])
        levels.append(level)
        # Duals of the free rows sum to one (t's coefficient), so at least one is positive.
        dual = -result.ineqlin.marginals
        at_level = rows[index] @ result.x[:n] - cost[index] >= level - EXCESS_TOLERANCE
        tight = index[(dual > DUAL_TOLERANCE) & at_level]
        if tight.size == 0:
            raise RuntimeError("nucleolus LP: no coalition is tight in every optimum (numerical trouble)")
        fixed_rows.extend(rows[tight])
        fixed_rhs.extend(cost[tight] + level)
        free[tight] = False
        free &= ~_spanned(rows, np.array(fixed_rows))
    x = np.linalg.lstsq(np.array(fixed_rows), np.array(fixed_rhs), rcond=None)[0]
    return x * scale, levels[0] * scale


def _spanned(rows: np.ndarray, basis: np.ndarray) -> np.ndarray:
    """Which rows lie in the row space of ``basis`` (0/1 rows, so an absolute test suffices)."""
    _, singular, vt = np.linalg.svd(basis, full_matrices=False)
    space = vt[singular > 1e-9 * singular[0]]
    return np.abs(rows - (rows @ space.T) @ space).max(axis=1) <= 1e-9
