"""Branch and bound over size classes by warm-started LPs, for re-solving one model many times (coalitions).

HiGHS's own branch and bound presolves the MIP and solves its root LP from scratch every time it is run;
for a coalition after another that root LP costs more than the whole relaxation re-solved by dual simplex
from the last basis. Here every node is such a re-solve: only the bounds of the class binaries change.

The decision of a group (a unit's size in one build period, a site's yearly flow in one period) is one of
``[none, class 1, ..., class K]`` (classes in increasing size). A node allows a range ``[a, b]`` of these
per group: binaries of classes outside it are fixed at 0, and a range of one class fixes its binary at 1.
A group whose binaries are fractional in the node's relaxation is split where its relaxed quantity falls.
Each node's relaxation is also rounded as ``plan``'s first plan is (``pathway.solve``): every group takes
the class its relaxed quantity falls in, and the LP with those classes fixed is a plan. Nodes are taken
best bound first; the search stops when the best plan is within the gap of the lowest open bound, which
is the same optimality HiGHS states with ``mip_rel_gap``.
"""

from __future__ import annotations

import heapq
import threading
import time
from dataclasses import dataclass

import highspy
import linopy
import numpy as np
import xarray as xr

INTEGRAL = 1e-6  # a binary this close to 0 or 1 is taken as integral
MAX_NODES = 200  # LP relaxations before giving up (the caller then runs HiGHS's branch and bound)


@dataclass(frozen=True)
class Classes:
    """Size classes of one kind (network.py, ``_classes``): at most one ``choose`` per group over ``segment``,
    and ``amount`` within [lo, hi] of the chosen class."""

    choose: linopy.Variable
    amount: linopy.Variable
    lo: xr.DataArray
    hi: xr.DataArray


@dataclass(frozen=True)
class Groups:
    """The class binaries of every group, in columns of the solver's LP (-1: no such class)."""

    choose: np.ndarray  # groups x classes
    amount: np.ndarray  # groups x classes
    lo: np.ndarray
    hi: np.ndarray

    @classmethod
    def of(cls, classes: list[Classes], column: np.ndarray) -> Groups:
        parts = []
        for group in classes:
            labels = group.choose.labels
            dims = [d for d in labels.dims if d != "segment"] + ["segment"]

            def rows(array, dims=dims, labels=labels):  # groups x segments, in the order of ``labels``
                return array.broadcast_like(labels).transpose(*dims).values.reshape(-1, labels.sizes["segment"])

            choose, amount = rows(labels), rows(group.amount.labels)
            keep = (choose >= 0).any(axis=1)
            parts.append([np.where(x >= 0, column[np.clip(x, 0, None)], -1) for x in (choose[keep], amount[keep])]
                         + [rows(group.lo)[keep], rows(group.hi)[keep]])  # fmt: skip
        width = max((p[0].shape[1] for p in parts), default=0)

        def stack(i: int, fill: float) -> np.ndarray:
            padded = [np.pad(p[i].astype(float), ((0, 0), (0, width - p[i].shape[1])), constant_values=fill)
                      for p in parts]  # fmt: skip
            return np.concatenate(padded) if padded else np.empty((0, width))

        return cls(stack(0, -1).astype(int), stack(1, -1).astype(int), stack(2, np.nan), stack(3, np.nan))

    def position(self, values: np.ndarray) -> np.ndarray:
        """Per group, 0 for nothing built, else 1 + the class its quantity falls in (the smallest at a boundary)."""
        valid = self.choose >= 0
        amount = np.where(valid, values[np.clip(self.amount, 0, None)], 0.0)
        quantity = amount.sum(axis=1, keepdims=True)
        tolerance = 1e-6 * (1 + quantity)
        inside = valid & (quantity >= self.lo - tolerance) & (quantity <= self.hi + tolerance)
        picked = np.where(inside.any(axis=1), inside.argmax(axis=1) + 1, 0)
        # A quantity between classes or above the last (within tolerances only): the largest class below it.
        below = valid & (self.lo <= quantity[:, :1] + tolerance)
        last = np.where(below.any(axis=1), self.choose.shape[1] - below[:, ::-1].argmax(axis=1), 0)
        return np.where(quantity[:, 0] > 1e-6, np.where(picked > 0, picked, last), 0)

    def fixed(self, position: np.ndarray) -> np.ndarray:
        """The columns set to 1 by choosing these positions (all other class binaries 0)."""
        rows = np.flatnonzero(position > 0)
        return self.choose[rows, position[rows] - 1]


def solve(h: highspy.Highs, groups: Groups, gap: float, *, max_nodes: int = MAX_NODES, deadline: float = np.inf,
          root_solver: str = "simplex", phase: dict | None = None, best: dict | None = None):
    """(column values, objective, proven, nodes): the best plan found (values None if none) and whether it is
    within ``gap`` of the optimum.

    ``h`` holds the MIP with its bounds as they are to be solved; its integrality is relaxed while this runs
    and restored after. Objectives are HiGHS's (without constants the caller adds). The root relaxation is
    solved by ``root_solver`` (its rounding is the first plan), every other node by dual simplex from the
    last basis; no node starts after ``deadline`` (``time.monotonic()``). ``phase`` gets the search's name,
    gap, best plan and bound for progress reports; ``best["plan"]`` holds the best (values, objective) while
    it runs, so a caller stopped by Ctrl-C keeps it."""
    phase = {} if phase is None else phase
    best = {} if best is None else best
    lp = h.getLp()
    integrality = np.asarray([int(v) for v in lp.integrality_], dtype=np.uint8)
    integer = np.flatnonzero(integrality).astype(np.int32)
    if not np.isin(integer, groups.choose).all():  # integers other than class binaries: not a tree of classes
        return None, np.nan, False, 0
    lower, upper = np.asarray(lp.col_lower_, dtype=float), np.asarray(lp.col_upper_, dtype=float)
    h.changeColsIntegrality(integer.size, integer, np.zeros(integer.size, dtype=np.uint8))
    count = groups.choose.shape[1] + 1  # positions: none and each class
    cost = np.abs(np.asarray(lp.col_cost_, dtype=float)[np.clip(groups.choose, 0, None)]) + 1e-9
    valid = groups.choose >= 0
    top = np.where(valid.any(axis=1), valid.shape[1] - valid[:, ::-1].argmax(axis=1), 0)  # last class's position
    tried: set[bytes] = set()
    nodes = 0
    open_nodes = [(-np.inf, 0, np.zeros(len(groups.choose), int), top)]  # (bound, order, low, high)
    phase["name"] = "relaxation"
    h.setOptionValue("solver", root_solver)
    try:
        while open_nodes:
            bound, _, low, high = open_nodes[0]
            plan = best.get("plan")
            if plan is not None:  # best-first: the node taken has the lowest bound
                phase.update(gap=(plan[1] - bound) / max(abs(plan[1]), 1e-9), best=plan[1], bound=bound)
                if bound >= plan[1] - gap * abs(plan[1]):
                    return plan[0], plan[1], True, nodes
            if nodes >= max_nodes or time.monotonic() > deadline:
                break
            heapq.heappop(open_nodes)
            nodes += 1
            node_lower, node_upper = _node_bounds(groups, low, high, lower, upper)
            h.changeColsBounds(integer.size, integer, node_lower[integer], node_upper[integer])
            status = _run(h)
            h.setOptionValue("solver", "simplex")
            phase["name"] = "branch and bound on classes"
            if status == highspy.HighsModelStatus.kInfeasible:
                continue
            if status != highspy.HighsModelStatus.kOptimal:
                break
            bound = h.getInfo().objective_function_value
            plan = best.get("plan")
            if plan is not None and bound >= plan[1] - gap * abs(plan[1]):
                continue
            values = np.asarray(h.getSolution().col_value, dtype=float)
            chosen = np.where(groups.choose >= 0, values[np.clip(groups.choose, 0, None)], 0.0)
            fractional = np.minimum(chosen, 1 - chosen) > INTEGRAL
            if not fractional.any():
                values[integer] = np.round(values[integer])
                best["plan"] = (values, bound)
                continue
            rounded = _rounded(h, groups, values, integer, lower, upper, tried)
            if rounded is not None and (plan is None or rounded[1] < plan[1]):
                best["plan"] = rounded
            # Branch on the group whose fractional binaries carry the most fixed cost.
            score = cost * np.where(fractional, np.minimum(chosen, 1 - chosen), 0.0)
            g = int(score.sum(axis=1).argmax())
            split = int(np.clip(groups.position(values)[g], low[g], high[g]))
            if split == high[g]:
                split -= 1  # the quantity's class is the range's last: it goes on its own
            for a, b in ((low[g], split), (split + 1, high[g])):
                child_low, child_high = low.copy(), high.copy()
                child_low[g], child_high[g] = a, b
                heapq.heappush(open_nodes, (bound, nodes * count + a, child_low, child_high))
        else:  # every node pruned or solved: the best plan is optimal to the gap (none: infeasible)
            open_nodes = None
        plan = best.get("plan")
        return (None, np.nan, False, nodes) if plan is None else (plan[0], plan[1], open_nodes is None, nodes)
    finally:
        h.changeColsBounds(integer.size, integer, lower[integer], upper[integer])
        h.changeColsIntegrality(integer.size, integer, integrality[integer])
        h.setOptionValue("solver", "choose")


def _node_bounds(groups: Groups, low: np.ndarray, high: np.ndarray, lower: np.ndarray, upper: np.ndarray):
    """Class binaries outside each group's range fixed at 0; a range of one class fixes its binary at 1."""
    node_lower, node_upper = lower.copy(), upper.copy()
    position = np.arange(1, groups.choose.shape[1] + 1)
    valid = groups.choose >= 0
    outside = valid & ((position < low[:, None]) | (position > high[:, None]))
    node_upper[groups.choose[outside]] = 0.0
    forced = valid & (low[:, None] == high[:, None]) & (position == low[:, None])
    node_lower[groups.choose[forced]] = np.maximum(node_lower[groups.choose[forced]], 1.0)
    return node_lower, np.maximum(node_upper, node_lower)


def _rounded(h, groups: Groups, values, integer, lower, upper, tried: set[bytes]):
    """The plan of the classes the relaxation's quantities fall in: (column values, objective), or None."""
    fixed = np.zeros(len(lower))
    fixed[groups.fixed(groups.position(values))] = 1.0
    key = fixed[integer].astype(bool).tobytes()
    if key in tried:
        return None
    tried.add(key)
    if (fixed[integer] < lower[integer]).any() or (fixed[integer] > upper[integer]).any():
        return None
    h.changeColsBounds(integer.size, integer, fixed[integer], fixed[integer])
    if _run(h) != highspy.HighsModelStatus.kOptimal:
        return None
    plan = np.asarray(h.getSolution().col_value, dtype=float)
    plan[integer] = fixed[integer]
    return plan, h.getInfo().objective_function_value


def run_highs(h: highspy.Highs) -> None:
    """``h.run()`` in a worker thread, so that Ctrl-C reaches Python while HiGHS works.

    On Ctrl-C, HiGHS is told to stop and waited for before the KeyboardInterrupt goes on, wherever the signal
    lands (even before the wait begins, or a second time): the caller changes the model next, and doing that
    while HiGHS still runs on it crashes the process.
    """
    done, failed = threading.Event(), []

    def work() -> None:
        try:
            h.run()
        except BaseException as error:  # noqa: BLE001 - re-raised in the caller's thread
            failed.append(error)
        finally:
            done.set()

    interrupted, handled = False, h.HandleUserInterrupt
    if not handled:  # lets cancelSolve stop HiGHS
        h.HandleUserInterrupt = True
    try:
        try:
            threading.Thread(target=work, name="clusterpath-highs", daemon=True).start()
            while not done.wait(0.1):
                pass
        except KeyboardInterrupt:
            interrupted = True
        while not done.is_set():
            h.cancelSolve()
            try:
                done.wait(0.1)
            except KeyboardInterrupt:
                interrupted = True
    finally:
        if not handled:
            h.HandleUserInterrupt = False
    if interrupted:
        raise KeyboardInterrupt
    if failed:
        raise failed[0]


def _run(h) -> highspy.HighsModelStatus:
    """Solve the LP from the last basis; once more from scratch if that basis leads nowhere (after a MIP run)."""
    run_highs(h)
    done = (highspy.HighsModelStatus.kOptimal, highspy.HighsModelStatus.kInfeasible, highspy.HighsModelStatus.kTimeLimit)
    if h.getModelStatus() not in done:
        h.clearSolver()
        run_highs(h)
    return h.getModelStatus()
