"""How a pathway model is solved: HiGHS options chosen by the problem, progress, and a clean stop on Ctrl-C.

Plans and coalitions share one stated optimality gap (``clusterpath.pathway.MIP_GAP``): a plan and the
split of its cost are then answers to the same problem to the same precision (docs/performance.md).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import highspy
import linopy
import numpy as np
from linopy.constants import Result, Solution, SolverStatus, Status, TerminationCondition

from clusterpath.pathway import MIP_GAP, branch

# HiGHS scales costs by a power of two when asked; above this its log calls them excessively large (to 9e7
# per MW in the port example). Its bound scaling (user_bound_scale) is left off: HiGHS then rejects a MIP
# start given in the model's own units and re-solves an LP for it (docs/performance.md).
COST_SCALE_ABOVE = 1e7
PROGRESS_EVERY = 1.0  # seconds between two progress reports
# The relaxation of a MIP's first plan: "ipm" (with crossover, for the basis the fixed LP starts from) or
# "simplex" (docs/performance.md compares them).
RELAXATION_SOLVER = "ipm"


@dataclass(frozen=True)
class Progress:
    """Where a running solve stands, as HiGHS reports it (objective values without fixed costs)."""

    phase: str  # "interior point", "simplex", "root", "branch and bound"
    seconds: float
    gap: float | None = None  # relative gap between the best plan and the bound, once there is a plan
    best: float | None = None
    bound: float | None = None

    def describe(self) -> str:
        text = f"{self.phase}, {self.seconds:,.0f} s"
        if self.gap is not None and np.isfinite(self.gap):
            text += f", gap {100 * self.gap:.2f} %"
        elif self.phase in ("root", "branch and bound"):
            text += ", no plan yet"
        return text


Report = Callable[[Progress], None]


def options(model: linopy.Model, *, time_limit: float | None = None, mip_gap: float | None = MIP_GAP) -> dict:
    """HiGHS options for this model: interior point for an LP, scaled costs when they are large."""
    chosen: dict = {}
    if not len(model.binaries):
        # Interior point with crossover (an exact vertex); on these sparse, block-structured
        # LPs it is often, not always, faster than simplex (docs/performance.md).
        chosen.update(solver="ipm", run_crossover="on")
    chosen |= _scaling("user_objective_scale", model.matrices.c, COST_SCALE_ABOVE)
    if time_limit is not None:
        chosen["time_limit"] = float(time_limit)
    if mip_gap is not None:
        chosen["mip_rel_gap"] = float(mip_gap)
    return chosen


def _scaling(option: str, values: np.ndarray, above: float) -> dict:
    """A power-of-two scale that brings the largest finite value to about ``above`` (HiGHS unscales results)."""
    finite = np.abs(values[np.isfinite(values)])
    largest = float(finite.max(initial=0.0))
    return {option: -int(np.ceil(np.log2(largest / above)))} if largest > above else {}


def run(model: linopy.Model, chosen: dict, *, log_file=None, progress: Report | None = None,
        classes: list[branch.Classes] = ()) -> tuple[str, str]:  # fmt: skip
    """Solve ``model`` with HiGHS and ``chosen`` options; the solution lands on the model.

    A MIP of size classes starts from its linear relaxation: each group takes the class its relaxed
    quantity falls in, and the LP with those classes fixed is a plan. When that plan is within the
    gap of the relaxation's bound it is the answer; otherwise a branch and bound over the classes on
    the same LP, warm-started node to node, closes the gap (``pathway.branch``), and if it cannot within
    ``branch.MAX_NODES`` nodes, HiGHS's MIP solver goes on from its best plan. Ctrl-C stops HiGHS; the
    best plan known then is kept with the condition ``user_interrupt``. With none, the
    KeyboardInterrupt goes on to the caller.
    """
    chosen = {"output_flag": log_file is not None} | chosen
    with _silent_stdout():
        solver = linopy.solvers.Solver.from_name("highs", model=model, io_api="direct", options=chosen,
                                                 log_fn=Path(log_file) if log_file else None, set_names=False)  # fmt: skip
        h = solver.solver_model
        phase = _report(h, progress) if progress is not None else {"name": None}
        began, best = time.monotonic(), {}  # best["plan"]: the branch and bound's best (values, objective)
        try:
            if classes and len(model.binaries):
                groups = branch.Groups.of(classes, _positions(model.matrices.vlabels))
                values, objective, proven, _ = branch.solve(
                    h, groups, float(chosen.get("mip_rel_gap", 1e-4)), deadline=began + chosen.get("time_limit", np.inf),
                    root_solver=RELAXATION_SOLVER, phase=phase, best=best)  # fmt: skip
                if proven:
                    return model.assign_result(_result(model, values, objective, TerminationCondition.optimal))
                if values is not None:
                    h.setSolution(_solution(values))
                if "time_limit" in chosen:  # the limit is for the whole solve, not for each of HiGHS's runs
                    h.setOptionValue("time_limit", max(chosen["time_limit"] - (time.monotonic() - began), 0.0))
            phase.update(name=None, gap=None, best=None, bound=None)
            result = solver.solve()
        except KeyboardInterrupt:
            # HiGHS's own solution is a plan only once the MIP (or the LP) itself was running.
            result = _interrupted(h if phase.get("name") is None else None, model, best.get("plan"))
            if result is None:
                raise
    return model.assign_result(result, solver)


def _positions(labels: np.ndarray) -> np.ndarray:
    """Column (or row) of each linopy label (-1 for labels the solver never saw)."""
    position = np.full(int(labels.max()) + 1 if len(labels) else 0, -1, dtype=np.int64)
    position[labels] = np.arange(len(labels))
    return position


def _solution(values: np.ndarray):
    solution = highspy.HighsSolution()
    solution.col_value = list(values)
    solution.value_valid = True
    return solution


def _report(h, progress: Report) -> dict:
    """Pass HiGHS's interrupt callbacks (many a second) on as one progress report a second.

    Returns the phase label the caller sets while it solves relaxations of its own (None: HiGHS's phases)."""
    began, last, phase = time.monotonic(), [-np.inf], {"name": None}

    def report(kind: str, event) -> None:
        now = time.monotonic()
        if now - last[0] < PROGRESS_EVERY:
            return
        last[0] = now
        out = event.data_out
        if kind == "mip":
            best, bound = float(out.mip_primal_bound), float(out.mip_dual_bound)
            gap = float(out.mip_gap) if np.isfinite(best) else None
            kind = "branch and bound" if int(out.mip_node_count) > 0 else "root"
            progress(Progress(kind, now - began, gap, best if np.isfinite(best) else None,
                              bound if np.isfinite(bound) else None))  # fmt: skip
        else:
            progress(Progress(phase["name"] or kind, now - began, phase.get("gap"), phase.get("best"), phase.get("bound")))

    h.cbSimplexInterrupt.subscribe(lambda e: report("simplex", e))
    h.cbIpmInterrupt.subscribe(lambda e: report("interior point", e))
    h.cbMipInterrupt.subscribe(lambda e: report("mip", e))
    return phase


def _interrupted(h, model: linopy.Model, start) -> Result | None:
    """The best plan known when HiGHS was stopped, as a linopy result; None when there was none."""
    info = h.getInfo() if h is not None else None
    if info is not None and int(info.primal_solution_status) == 2:  # kSolutionStatusFeasible
        values, objective = np.asarray(h.getSolution().col_value, dtype=float), float(info.objective_function_value)
        if start is None or objective <= start[1]:
            return _result(model, values, objective, TerminationCondition.user_interrupt)
    if start is None:
        return None
    return _result(model, start[0], start[1], TerminationCondition.user_interrupt)


def _result(model: linopy.Model, values: np.ndarray, objective: float, condition: TerminationCondition) -> Result:
    primal = np.full(model._xCounter, np.nan)
    primal[model.matrices.vlabels] = values
    return Result(Status(SolverStatus.ok, condition, condition.value), Solution(primal, np.array([]), objective))


@contextmanager
def _silent_stdout():
    """HiGHS prints its banner from C++ whatever its options say; the model must not print."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 1)
            yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)
