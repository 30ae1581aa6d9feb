"""Reference implementations for the tests: slow, obviously correct, independent of the library's algorithms."""

from itertools import permutations

import numpy as np
from hypothesis import strategies as st

from clusterpath.coalition import Game


@st.composite
def games(draw, min_players: int = 2, max_players: int = 5) -> Game:
    """Random cost games with integer costs (so ties and degenerate cases are common)."""
    n = draw(st.integers(min_players, max_players))
    costs = draw(st.lists(st.integers(0, 60), min_size=2**n - 1, max_size=2**n - 1))
    return Game.from_array([f"p{i}" for i in range(n)], [0, *costs])


def shapley_by_permutations(game: Game) -> np.ndarray:
    """Average marginal cost over all n! join orders (Shapley 1953, the definition itself)."""
    table = game.table()
    phi = np.zeros(game.n)
    orders = list(permutations(range(game.n)))
    for order in orders:
        mask = 0
        for i in order:
            phi[i] += table[mask | 1 << i] - table[mask]
            mask |= 1 << i
    return phi / len(orders)


def excesses(game: Game, x: np.ndarray) -> np.ndarray:
    """x(S) - c(S) for every proper non-empty coalition, largest first."""
    table = game.table()
    values = [sum(x[i] for i in range(game.n) if m >> i & 1) - table[m] for m in range(1, 2**game.n - 1)]
    return np.sort(values)[::-1]


def lex_leq(a: np.ndarray, b: np.ndarray, tol: float = 1e-7) -> bool:
    """a <= b lexicographically, entries closer than tol counting as equal."""
    for u, v in zip(a, b, strict=True):
        if abs(u - v) > tol:
            return u < v
    return True


def airport_shapley(costs: np.ndarray) -> np.ndarray:
    """Littlechild and Owen (1973): each runway segment is shared equally by the players who need it.
    With costs sorted c_(1) <= ... <= c_(n), player (k) pays sum_{j<=k} (c_(j) - c_(j-1)) / (n - j + 1)."""
    order = np.argsort(costs, kind="stable")
    sorted_costs = np.asarray(costs, dtype=float)[order]
    segments = np.diff(sorted_costs, prepend=0.0) / (len(costs) - np.arange(len(costs)))
    x = np.empty(len(costs))
    x[order] = np.cumsum(segments)
    return x


def nucleolus_by_candidate_lps(game: Game, imputations: bool = True) -> np.ndarray:
    """The sequential LP method with the other tight-set test: one extra LP per candidate coalition S,
    minimising its excess with the level held at its optimum; S is fixed only if even that minimum is the
    level (so S is tight in every optimum). Independent of the library's dual-value test; small games only."""
    from scipy.optimize import linprog

    scale = float(np.abs(game.table()).max())
    if scale > 1:  # LP tolerances are absolute: solve on costs of order one
        return scale * nucleolus_by_candidate_lps(Game.from_array(game.players, game.table() / scale), imputations)
    n, table = game.n, game.table()
    masks = list(range(1, 2**n - 1))
    row = {m: np.array([m >> i & 1 for i in range(n)], float) for m in masks}
    upper = game.standalone() if imputations and game.standalone().sum() >= game.total else None
    bounds = [(None, None if upper is None else u) for u in (upper if upper is not None else [None] * n)]
    fixed = [(np.ones(n), game.total)]
    free = set(masks)
    while np.linalg.matrix_rank(np.array([r for r, _ in fixed])) < n:
        a_eq = np.array([r for r, _ in fixed])
        b_eq = np.array([b for _, b in fixed])
        order = sorted(free)
        a_ub = np.array([np.r_[row[m], -1.0] for m in order])
        b_ub = np.array([table[m] for m in order])
        level = linprog(np.r_[np.zeros(n), 1.0], A_ub=a_ub, b_ub=b_ub, A_eq=np.c_[a_eq, np.zeros(len(a_eq))],
                        b_eq=b_eq, bounds=[*bounds, (None, None)], method="highs").fun
        for m in order:
            lowest = linprog(row[m], A_ub=a_ub[:, :n], b_ub=b_ub + level, A_eq=a_eq, b_eq=b_eq,
                             bounds=bounds, method="highs").fun - table[m]
            if lowest >= level - 1e-9:
                fixed.append((row[m], table[m] + level))
                free.discard(m)
        basis = np.array([r for r, _ in fixed])
        free = {m for m in free if np.linalg.matrix_rank(np.vstack([basis, row[m]])) > np.linalg.matrix_rank(basis)}
    return np.linalg.lstsq(np.array([r for r, _ in fixed]), np.array([b for _, b in fixed]), rcond=None)[0]
