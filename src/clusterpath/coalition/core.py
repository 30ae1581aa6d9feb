"""Is an allocation in the core, and if not, which coalition would rather go alone?

The core of a cost game is {x : x(N) = c(N), x(S) <= c(S) for every coalition S}. Testing it means finding
the most blocking coalition, argmax over proper S of x(S) - c(S): a maximisation over 2^n - 2 coalitions.
Games up to MAX_CORE_PLAYERS players with cheap costs are enumerated (vectorised); games that know a
separation oracle (e.g. airport games) answer for any size; otherwise the answer is "unknown", because
finding the blocking coalition of a model-backed game is itself an optimisation problem over coalitions.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from clusterpath.coalition.game import MAX_EXACT_PLAYERS, Game, subset_sums

MAX_CORE_PLAYERS = 20
# Relative to the largest stand-alone or grand-coalition cost: smaller violations are rounding.
CORE_TOLERANCE = 1e-8


@dataclass(frozen=True)
class CoreCheck:
    in_core: bool | None  # None: unknown
    coalition: tuple[str, ...] | None = None  # the most blocking coalition, when not in the core
    violation: float | None = None  # x(S) - c(S) for that coalition
    note: str | None = None  # why the answer is unknown


def core_check(game: Game, x: np.ndarray, *, evaluate_all: bool = False) -> CoreCheck:
    """Test x against every coalition. A lazy game whose costs are not all known yet is only enumerated
    with ``evaluate_all`` (up to MAX_EXACT_PLAYERS players): that may mean 2^n model solves."""
    found = game.separation_oracle(x)
    known = game.is_explicit or (evaluate_all and game.n <= MAX_EXACT_PLAYERS)
    if found is None and game.n <= MAX_CORE_PLAYERS and known:
        excess = subset_sums(x) - game.table()
        mask = int(np.argmax(excess[1:-1])) + 1
        found = mask, float(excess[mask])
    if found is None:
        return CoreCheck(None, note=(
            f"not tested: the costs of all 2^{game.n} coalitions are not known; the core test of this game "
            "needs them, or a separation oracle (an optimisation finding the most blocking coalition)"))
    mask, violation = found
    scale = max(abs(game.total), float(np.abs(game.standalone()).max()), 1e-300)
    if violation <= CORE_TOLERANCE * scale:
        return CoreCheck(True)
    coalition = tuple(p for i, p in enumerate(game.players) if mask >> i & 1)
    return CoreCheck(False, coalition, violation)
