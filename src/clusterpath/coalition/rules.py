"""Allocation rules of engineering practice: SCRB and proportional shares. Both need only 2n + 1 costs
(or n + 1), so they work for games of any size, including model-backed ones."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from clusterpath.coalition.game import Game, is_number
from clusterpath.io.errors import InputError


def scrb(game: Game) -> np.ndarray:
    """Separable costs, remaining benefits (US Federal Inter-Agency River Basin Committee 1950; Young 1985).

    SC_i = c(N) - c(N - i); r_i = max(0, c({i}) - SC_i); x_i = SC_i + (c(N) - sum SC) * r_i / sum r.
    The alternative cost of i is its stand-alone cost, so the remaining benefit is min(c({i}), alt_i) - SC_i
    = c({i}) - SC_i; a negative one is clamped at zero (a user whose separable cost exceeds what it would
    pay alone takes no share of the non-separable cost).
    """
    n = game.n
    grand = game.grand_mask
    others = game.mask_values(np.array([grand & ~(1 << i) for i in range(n)], dtype=object))
    separable = game.total - others
    remaining = np.maximum(game.standalone() - separable, 0.0)
    nonseparable = game.total - separable.sum()
    if remaining.sum() <= 0:
        if abs(nonseparable) > 1e-12 * max(1.0, abs(game.total)):
            problem = (
                "SCRB is undefined here: no player has a positive remaining benefit c({i}) - (c(N) - c(N - i)), "
                f"so the non-separable cost {nonseparable:g} has no one to go to; use another method"
            )
            raise InputError(game.source, [problem])
        return separable
    return separable + nonseparable * remaining / remaining.sum()


def proportional(game: Game, weights: Mapping[str, float] | None = None) -> np.ndarray:
    """x_i = c(N) w_i / sum w, with w the given weights (e.g. baseline emissions or use of shared
    infrastructure) or, by default, the stand-alone costs c({i})."""
    w = game.standalone() if weights is None else _weights(game, weights)
    if not w.sum() > 0 or np.any(w < 0):
        raise InputError(game.source, [
            f"proportional weights must be non-negative with a positive sum, got {dict(zip(game.players, w))}"])
    return game.total * w / w.sum()


def _weights(game: Game, weights: Mapping[str, float]) -> np.ndarray:
    problems = [f"weights: '{p}' is not a player (players: {', '.join(game.players)})"
                for p in weights if p not in game.players]
    problems += [f"weights: no weight for player '{p}'" for p in game.players if p not in weights]
    problems += [f"weights: '{p}' has weight {w!r}, expected a finite number"
                 for p, w in weights.items() if p in game.players and not is_number(w)]
    if problems:
        raise InputError(game.source, problems)
    return np.array([float(weights[p]) for p in game.players])

