"""How a pathway model is solved: HiGHS options chosen by the problem, progress, and a clean stop on Ctrl-C.

Plans and coalitions share one stated optimality gap (``clusterpath.pathway.MIP_GAP``): a plan and the
split of its cost are then answers to the same problem to the same precision (docs/performance.md).
"""

from __future__ import annotations

import heapq
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
import xarray as xr
from linopy.constants import Result, Solution, SolverStatus, Status, TerminationCondition
from linopy.solvers import _run_highs_with_keyboard_interrupt as run_highs  # HiGHS in a thread: Ctrl-C stops it

from clusterpath.pathway import MIP_GAP

# HiGHS scales costs by a power of two when asked; above this its log calls them excessively large (to 9e7
# per MW in the port example). Its bound scaling (user_bound_scale) is left off: HiGHS then rejects a MIP
# start given in the model's own units and re-solves an LP for it (docs/performance.md).
COST_SCALE_ABOVE = 1e7
PROGRESS_EVERY = 1.0  # seconds between two progress reports
# The relaxation of a MIP's first plan: "ipm" (with crossover, for the basis the fixed LP starts from) or
# "simplex" (docs/performance.md compares them).
RELAXATION_SOLVER = "ipm"
# Nodes of the branch and bound over size classes on the relaxation's own LP before HiGHS's MIP takes over (0: none).
BRANCH_NODES = 200


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


@dataclass(frozen=True)
class Classes:
    """Size classes of one kind (network.py, ``_classes``): at most one ``choose`` per group over ``segment``,
    and ``amount`` within [lo, hi] of the chosen class."""

    choose: linopy.Variable
    amount: linopy.Variable
    lo: xr.DataArray
    hi: xr.DataArray


def run(model: linopy.Model, chosen: dict, *, log_file=None, progress: Report | None = None,
        classes: list[Classes] = ()) -> tuple[str, str]:  # fmt: skip
    """Solve ``model`` with HiGHS and ``chosen`` options; the solution lands on the model.

    A MIP of size classes starts from its linear relaxation: each group takes the class its relaxed
    quantity falls in, and the LP with those classes fixed is a plan. When that plan is within the
    gap of the relaxation's bound it is the answer; otherwise a branch and bound over the classes on
    the same LP, warm-started node to node, closes the gap (``_branch``), and if it cannot within
    ``BRANCH_NODES`` nodes, HiGHS's MIP solver goes on from its best plan. Ctrl-C stops HiGHS; the
    best plan known then is kept with the condition ``user_interrupt``. With none, the
    KeyboardInterrupt goes on to the caller.
    """
    chosen = {"output_flag": log_file is not None} | chosen
    with _silent_stdout():
        solver = linopy.solvers.Solver.from_name("highs", model=model, io_api="direct", options=chosen,
                                                 log_fn=Path(log_file) if log_file else None, set_names=False)  # fmt: skip
        h = solver.solver_model
        phase = _report(h, progress) if progress is not None else {"name": None}
        start, began, best = None, time.monotonic(), {}
        try:
            if classes and len(model.binaries):
                deadline = began + chosen.get("time_limit", np.inf)
                start = _first_plan(h, model, classes, float(chosen.get("mip_rel_gap", 1e-4)), phase, best, deadline)
                if start is not None and start[2]:
                    return model.assign_result(_result(model, start[0], start[1], TerminationCondition.optimal))
                if start is not None:
                    h.setSolution(_solution(start[0]))
                if "time_limit" in chosen:  # the limit is for the whole solve, not for each of HiGHS's runs
                    h.setOptionValue("time_limit", max(chosen["time_limit"] - (time.monotonic() - began), 0.0))
            phase.update(name=None, gap=None, best=None, bound=None)
            result = solver.solve()
        except KeyboardInterrupt:
            # HiGHS's own solution is a plan only once the MIP (or the LP) itself was running.
            if start is None and "plan" in best:  # stopped in the branch and bound on classes
                start = (*best["plan"], False)
            result = _interrupted(h if phase.get("name") is None else None, model, start)
            if result is None:
                raise
    return model.assign_result(result, solver)


def _first_plan(h, model: linopy.Model, classes: list[Classes], gap: float, phase: dict, best: dict,
                deadline: float = np.inf):
    """(column values, objective, within the gap) of the best plan found from the relaxation; None if none.

    The plan whose classes the relaxation picks comes first; when it is not within the gap of the relaxation's
    bound, a branch and bound over the classes on this same LP, each node warm-started from the last basis
    (``_branch``), closes the gap or improves the plan HiGHS then starts from. ``best`` holds the best plan so far
    (for Ctrl-C).
    """
    lp = h.getLp()
    integrality = np.asarray([int(v) for v in lp.integrality_], dtype=np.uint8)
    integer = np.flatnonzero(integrality).astype(np.int32)
    lower, upper = np.asarray(lp.col_lower_, dtype=float), np.asarray(lp.col_upper_, dtype=float)
    column = _positions(model.matrices.vlabels)
    h.changeColsIntegrality(integer.size, integer, np.zeros(integer.size, dtype=np.uint8))
    try:
        phase["name"] = "relaxation"
        h.setOptionValue("solver", RELAXATION_SOLVER)
        run_highs(h)
        h.setOptionValue("solver", "choose")  # the fixed LP by simplex from the relaxation's basis, the MIP as one
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        bound = h.getInfo().objective_function_value
        values = np.asarray(h.getSolution().col_value, dtype=float)
        phase["name"] = "fixed classes"
        try:
            plan = _fixed(h, integer, lower, upper, dict.fromkeys(integer.tolist(), 0.0) | _rounded(values, classes, column))
        except _Unsettled:
            return None
        if plan is not None:
            best["plan"] = plan
        if plan is not None and plan[1] - bound <= gap * max(abs(plan[1]), 1e-9):
            return *plan, True
        binary = bool(np.all((lower[integer] >= 0) & (upper[integer] <= 1)))
        if not (BRANCH_NODES and binary):
            return None if plan is None else (*plan, False)
        phase["name"] = "branch and bound on classes"
        return _branch(h, integer, lower, upper, values, bound, gap, classes, column, best, deadline, phase)
    finally:
        h.changeColsBounds(integer.size, integer, lower[integer], upper[integer])
        h.changeColsIntegrality(integer.size, integer, integrality[integer])


def _rounded(values: np.ndarray, classes: list[Classes], column: np.ndarray) -> dict[int, float]:
    """Class column -> 1 for the class each group's (relaxed) quantity falls in (no class for nothing built)."""
    fixed = {}
    for group in classes:
        labels = group.choose.labels
        amount = xr.DataArray(values[column[group.amount.labels.values]], coords=labels.coords)
        amount = amount.where(labels >= 0, 0.0)
        quantity = amount.sum("segment")
        # The class the relaxed quantity falls in (the smallest one at a boundary); none for nothing built.
        inside = (quantity >= group.lo - 1e-6 * (1 + quantity)) & (quantity <= group.hi + 1e-6 * (1 + quantity))
        inside = inside & (labels >= 0) & (quantity > 1e-6)
        first = inside & (inside.cumsum("segment") == 1)
        picked = labels.where(first).values
        fixed |= dict.fromkeys(column[picked[np.isfinite(picked)].astype(int)].tolist(), 1.0)
    return fixed


def _fixed(h, integer, lower, upper, fixed: dict[int, float]):
    """(column values, objective) of the LP with these integer columns fixed, the others relaxed; None if it is
    infeasible, ``_Unsettled`` if HiGHS stopped without saying (a time limit)."""
    low, high = lower[integer].copy(), upper[integer].copy()
    for position, col in enumerate(integer):
        value = fixed.get(int(col))
        if value is not None:
            low[position] = high[position] = value
    h.changeColsBounds(integer.size, integer, low, high)
    run_highs(h)
    status = h.getModelStatus()
    if status == highspy.HighsModelStatus.kInfeasible:
        return None
    if status != highspy.HighsModelStatus.kOptimal:
        raise _Unsettled(h.modelStatusToString(status))
    return np.asarray(h.getSolution().col_value, dtype=float), h.getInfo().objective_function_value


class _Unsettled(RuntimeError):
    """HiGHS ended an LP neither optimal nor infeasible."""


def _branch(h, integer, lower, upper, values, bound, gap, classes, column, best, deadline=np.inf, phase=None):
    """Best-first branch and bound over binary columns on the LP in ``h``, from the relaxation's ``values``.

    Each node's LP changes only bounds, so HiGHS re-solves it from the last basis by dual simplex, not from
    scratch as its own MIP solver would after presolve. At each node the classes its relaxation picks are tried as a
    plan. Returns (values, objective, within the gap) of the best plan, within the gap when the bound of every open
    node is; after ``BRANCH_NODES`` nodes the best plan so far, not within it (HiGHS's MIP goes on from it).
    """
    tried = set()
    nodes, count = [(bound, 0, {}, values)], 1  # (bound, tie-break, branched column -> value, LP values or None)
    solved = 0
    while nodes:
        plan = best.get("plan")
        target = np.inf if plan is None else plan[1] - gap * max(abs(plan[1]), 1e-9)
        node_bound, _, branched, lp_values = heapq.heappop(nodes)
        if phase is not None and plan is not None:  # best-first: the node taken has the lowest bound
            phase["gap"] = (plan[1] - node_bound) / max(abs(plan[1]), 1e-9)
            phase["best"], phase["bound"] = plan[1], node_bound
        if node_bound >= target:
            nodes.clear()
            break
        if lp_values is None:
            if solved >= BRANCH_NODES or time.monotonic() > deadline:
                heapq.heappush(nodes, (node_bound, count, branched, None))
                break
            solved += 1
            try:
                node = _fixed(h, integer, lower, upper, branched)
            except _Unsettled:
                heapq.heappush(nodes, (node_bound, count, branched, None))
                break
            if node is None or node[1] >= target:
                continue
            lp_values, node_bound = node
        fractional = np.abs(lp_values[integer] - np.round(lp_values[integer]))
        if fractional.max(initial=0.0) <= 1e-6:  # a plan
            if plan is None or node_bound < plan[1]:
                lp_values[integer] = np.round(lp_values[integer])
                best["plan"] = (lp_values, node_bound)
            continue
        rounded = dict.fromkeys(integer.tolist(), 0.0) | _rounded(lp_values, classes, column) | branched
        key = frozenset(rounded.items())
        if key not in tried:
            tried.add(key)
            try:
                found = _fixed(h, integer, lower, upper, rounded)
            except _Unsettled:
                found = None
            if found is not None and (best.get("plan") is None or found[1] < best["plan"][1]):
                best["plan"] = found
        col = int(integer[np.argmax(fractional)])  # the most fractional
        for value in (1.0, 0.0):
            heapq.heappush(nodes, (node_bound, count, branched | {col: value}, None))
            count += 1
    plan = best.get("plan")
    if plan is None:
        return None
    return *plan, not nodes


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
