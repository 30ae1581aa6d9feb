"""One entry point, :func:`allocate`, for every allocation method, and its result, :class:`Allocation`.

A method is a function registered under its name with :func:`rule`; it takes the game and keyword
options and returns a :class:`Solution`. The dispatcher checks the options, tests the core and packages
the result, so a new method (e.g. the dual-based one) is one decorated function.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from clusterpath.coalition.core import core_check
from clusterpath.coalition.game import MAX_EXACT_PLAYERS, Game, is_number
from clusterpath.coalition.nucleolus import least_core, nucleolus
from clusterpath.coalition.rules import proportional, scrb
from clusterpath.coalition.shapley import DEFAULT_MAX_SAMPLES, DEFAULT_TOLERANCE, sample_shapley, shapley
from clusterpath.io.errors import InputError


@dataclass(frozen=True)
class Solution:
    """What a method computes; the dispatcher adds the rest of an :class:`Allocation`."""

    x: np.ndarray
    ci95: np.ndarray | None = None
    samples: int | None = None
    least_core_epsilon: float | None = None


@dataclass(frozen=True)
class Allocation:
    method: str
    players: tuple[str, ...]
    allocation: dict[str, float]  # cost charged to each player
    standalone: dict[str, float]  # c({i}), what each would pay alone
    total: float  # c(N)
    in_core: bool | None  # None: not tested (see core_note)
    blocking_coalition: tuple[str, ...] | None = None  # most blocking coalition when not in the core
    violation: float | None = None  # x(S) - c(S) of that coalition
    core_note: str | None = None
    ci95: dict[str, float] | None = None  # 95% half-width per player, sampled Shapley only
    samples: int | None = None  # permutations used, sampled Shapley only
    least_core_epsilon: float | None = None

    @property
    def savings(self) -> dict[str, float]:
        """What each player saves against going alone: c({i}) - x_i."""
        return {p: self.standalone[p] - self.allocation[p] for p in self.players}

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "method": self.method,
            "players": list(self.players),
            "allocation": self.allocation,
            "standalone": self.standalone,
            "savings": self.savings,
            "total": self.total,
            "in_core": self.in_core,
        }
        optional = {
            "blocking_coalition": list(self.blocking_coalition) if self.blocking_coalition else None,
            "violation": self.violation,
            "core_note": self.core_note,
            "ci95": self.ci95,
            "samples": self.samples,
            "least_core_epsilon": self.least_core_epsilon,
        }
        return out | {k: v for k, v in optional.items() if v is not None}


Rule = Callable[..., Solution]
RULES: dict[str, Rule] = {}


def rule(name: str) -> Callable[[Rule], Rule]:
    """Register an allocation method under ``name``; its keyword-only parameters are its options."""

    def register(function: Rule) -> Rule:
        RULES[name] = function
        return function

    return register


def allocate(game: Game, method: str, *, check_core: bool = False, **options: Any) -> Allocation:
    """Allocate c(N) among the players by ``method`` (one of :data:`RULES`); options left None are unset.

    ``check_core`` evaluates every coalition of a model-backed game (up to MAX_EXACT_PLAYERS) to test the core.
    """
    if method not in RULES:
        raise InputError(game.source, [f"unknown allocation method '{method}': expected one of {', '.join(RULES)}"])
    accepted = [p for p in inspect.signature(RULES[method]).parameters if p != "game"]
    given = {k: v for k, v in options.items() if v is not None}
    problems = [f"option '{k}' does not apply to method '{method}'"
                f" ({'its options: ' + ', '.join(accepted) if accepted else 'it takes none'})"
                for k in given if k not in accepted]
    if problems:
        raise InputError(game.source, problems)
    solution = RULES[method](game, **given)
    check = core_check(game, solution.x, evaluate_all=check_core)
    named = dict(zip(game.players, solution.x.tolist(), strict=True))
    return Allocation(
        method=method,
        players=game.players,
        allocation=named,
        standalone=dict(zip(game.players, game.standalone().tolist(), strict=True)),
        total=game.total,
        in_core=check.in_core,
        blocking_coalition=check.coalition,
        violation=check.violation,
        core_note=check.note,
        ci95=None if solution.ci95 is None else dict(zip(game.players, solution.ci95.tolist(), strict=True)),
        samples=solution.samples,
        least_core_epsilon=solution.least_core_epsilon,
    )


@rule("shapley")
def _shapley(
    game: Game, *, samples: int | None = None, tolerance: float | None = None, seed: int | None = None,
    exact: bool | None = None,
) -> Solution:
    """Exact up to MAX_EXACT_PLAYERS players unless sampling is asked for (samples, tolerance, seed or
    exact=False). ``samples`` alone draws that many permutations (rounded down to an even number: they come
    in pairs); with ``tolerance`` it is the cap."""
    if samples is not None and not (isinstance(samples, int) and not isinstance(samples, bool) and samples >= 4):
        # Orders come in antithetic pairs, and a confidence interval needs at least two pairs.
        raise InputError(game.source, [f"samples must be a whole number of at least 4, got {samples!r}"])
    if tolerance is not None and not (is_number(tolerance) and tolerance >= 0):
        raise InputError(game.source, [f"tolerance must be a non-negative number, got {tolerance!r}"])
    sampling = samples is not None or tolerance is not None or seed is not None
    if exact and sampling:
        raise InputError(game.source, ["exact Shapley takes no samples, tolerance or seed"])
    if exact or (exact is None and not sampling and game.n <= MAX_EXACT_PLAYERS):
        return Solution(shapley(game))
    estimate = sample_shapley(
        game,
        tolerance=(0.0 if samples is not None else DEFAULT_TOLERANCE) if tolerance is None else tolerance,
        max_samples=DEFAULT_MAX_SAMPLES if samples is None else samples,
        seed=seed,
    )
    return Solution(estimate.value, estimate.ci95, estimate.samples)


@rule("nucleolus")
def _nucleolus(game: Game) -> Solution:
    return Solution(nucleolus(game))


@rule("least-core")
def _least_core(game: Game) -> Solution:
    result = least_core(game)
    return Solution(result.allocation, least_core_epsilon=result.epsilon)


@rule("scrb")
def _scrb(game: Game) -> Solution:
    return Solution(scrb(game))


@rule("proportional")
def _proportional(game: Game, *, weights: Mapping[str, float] | None = None) -> Solution:
    return Solution(proportional(game, weights))
