"""The audit: how well an attacker who holds every released figure (and its own data) knows each member's
contribution to each figure.

For an attacker, the cells consistent with what it has seen form a polytope: each released figure fixes a sum
of cells, the attacker's own cells are known, every cell is non-negative (the structure, which cells exist at
all, counts as known). For each protected contribution (a member's part of a figure, a sum of its cells) the
least and greatest value over that polytope is an LP; protection holds when that interval reaches at least
p % below and above the true value. The model is built once (linopy), each attacker's own cells are fixed by
their bounds, and it is re-solved per target with only the objective changed (HiGHS keeps the basis).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import linopy
import numpy as np
import pandas as pd
import xarray as xr
from highspy import Highs, HighsModelStatus, ObjSense

OBSERVER = ""  # an attacker who knows no member's data
# Relative slack of the check: HiGHS solves to about 1e-7, and a figure's sum is exact.
TOLERANCE = 1e-6


# Equations every attacker knows: the cells of the first set add up to those of the second (``links.links``).
Links = Sequence[tuple[tuple[str, ...], tuple[str, ...]]]


@dataclass(frozen=True)
class Breach:
    member: str
    cells: tuple[str, ...]
    attacker: str  # a member key, or OBSERVER
    value: float
    low: float
    high: float
    binding: tuple[int, ...]  # indices of the released figures whose equations pin it

    def describe(self, p: float) -> str:
        who = "an observer" if self.attacker == OBSERVER else f"member {self.attacker}"
        return (f"{who} could bound {self.member}'s part ({self.value:g}) to [{self.low:g}, {self.high:g}], "
                f"closer than {p:g} %")  # fmt: skip


def _model(cells: pd.DataFrame, released: list[tuple[str, ...]], links: Links) -> Highs:
    """The observer's polytope; an attacker's own cells are fixed on it by their bounds (``_knowing``). Rows: the
    released figures in order, then the links."""
    names = list(cells.index)
    values = cells["value"].to_numpy(dtype=float)
    m = linopy.Model()
    x = m.add_variables(lower=0.0, coords={"cell": names}, name="x")
    rows = len(released) + len(links)
    if rows:
        position = {name: i for i, name in enumerate(names)}
        matrix = np.zeros((rows, len(names)))
        for row, figure in enumerate(released):
            matrix[row, [position[c] for c in figure]] = 1.0
        for row, (plus, minus) in enumerate(links, start=len(released)):
            matrix[row, [position[c] for c in plus]] = 1.0
            matrix[row, [position[c] for c in minus]] = -1.0
        seen = {"seen": np.arange(rows)}
        m.add_constraints((xr.DataArray(matrix, coords=seen | {"cell": names}) * x).sum("cell")
                          == xr.DataArray(matrix @ values, coords=seen), name="released")  # fmt: skip
    m.add_objective((0 * x).sum())
    highs = m.to_highspy()
    highs.setOptionValue("output_flag", False)
    # Thousands of tiny re-solves from the last basis: presolve would cost more than it saves and drop the basis.
    highs.setOptionValue("presolve", "off")
    if highs.getNumCol() != len(names) or highs.getNumRow() != rows:
        raise RuntimeError("the audit model's columns or rows are not the cells and released figures in order")
    return highs


def _knowing(highs: Highs, own: np.ndarray, values: np.ndarray, known: bool) -> None:
    """Fixes (or frees again) the attacker's own cells at their true values."""
    columns = np.flatnonzero(own).astype(np.int32)
    if len(columns):
        lower = values[columns] if known else np.zeros(len(columns))
        upper = values[columns] if known else np.full(len(columns), np.inf)
        highs.changeColsBounds(len(columns), columns, lower, upper)


def _bound(highs: Highs, sense: ObjSense) -> tuple[float, np.ndarray | None, np.ndarray]:
    """The least or greatest value of the current objective, a point where it is reached (None when unbounded)
    and the row duals."""
    highs.changeObjectiveSense(sense)
    highs.run()
    status = highs.getModelStatus()
    if status not in (HighsModelStatus.kOptimal, HighsModelStatus.kUnbounded):
        # A warm start from the previous target's basis can stall on badly scaled figures: solve afresh.
        highs.clearSolver()
        highs.run()
        status = highs.getModelStatus()
    if status == HighsModelStatus.kUnbounded or status == HighsModelStatus.kUnboundedOrInfeasible:
        return (np.inf if sense == ObjSense.kMaximize else -np.inf), None, np.zeros(highs.getNumRow())
    if status != HighsModelStatus.kOptimal:
        raise RuntimeError(f"the audit LP ended with {highs.modelStatusToString(status)}")
    solution = highs.getSolution()
    return highs.getInfo().objective_function_value, np.asarray(solution.col_value), np.asarray(solution.row_dual)


def _target(highs: Highs, before: np.ndarray, now: np.ndarray) -> None:
    """Objective: the sum of the target's cells (only the costs that change are sent)."""
    if len(before):
        highs.changeColsCost(len(before), before, np.zeros(len(before)))
    highs.changeColsCost(len(now), now, np.ones(len(now)))


def audit(cells: pd.DataFrame, released: list[tuple[str, ...]], targets: list[tuple[str, tuple[str, ...]]],
          p: float, links: Links = ()) -> list[Breach]:  # fmt: skip
    """Every protected contribution some attacker knows to within p %.

    ``cells``: every cell (index id; columns member, value), ``released``: the cell sets of the figures the
    audience holds, ``targets``: (member, cells of its part of a figure), ``links``: equations every attacker knows
    (the cells of the first set add up to those of the second: ``links.links``); a breach's ``binding`` indexes
    ``released`` and, past its end, ``links``. Attackers: each member for the others' parts, and an observer for a
    member with no other member to attack it (it knows less than any member)."""
    members = sorted(set(cells["member"]))
    position = {name: i for i, name in enumerate(cells.index)}
    values = cells["value"].to_numpy(dtype=float)
    breaches = []
    highs = _model(cells, released, list(links))
    previous = np.array([], dtype=np.int32)
    for attacker in members + [OBSERVER]:
        mine = [(member, part) for member, part in targets
                if member != attacker and (attacker != OBSERVER or len(members) < 2)]  # fmt: skip
        if not mine:
            continue
        own = (cells["member"] == attacker).to_numpy()
        _knowing(highs, own, values, True)
        # Points of this attacker's polytope found so far: one that already puts a target far enough below or
        # above its value answers that side without an LP (most targets overlap: a member's row and its total).
        points = values[None, :]
        for member, part in mine:
            columns = np.array([position[c] for c in part], dtype=np.int32)
            value = float(values[columns].sum())
            margin = TOLERANCE * max(1.0, abs(value))
            reached = points[:, columns].sum(axis=1)
            low, high = reached.min(), reached.max()
            duals = {}
            if low > value * (1 - p / 100) + margin or high < value * (1 + p / 100) - margin:
                _target(highs, previous, columns)
                previous = columns
                for sense in (ObjSense.kMinimize, ObjSense.kMaximize):
                    if sense == ObjSense.kMinimize and low <= value * (1 - p / 100) + margin:
                        continue
                    if sense == ObjSense.kMaximize and high >= value * (1 + p / 100) - margin:
                        continue
                    bound, point, duals[sense] = _bound(highs, sense)
                    if point is not None:
                        points = np.vstack([points, point])
                    low, high = (bound, high) if sense == ObjSense.kMinimize else (low, bound)
            too_high, too_low = low > value * (1 - p / 100) + margin, high < value * (1 + p / 100) - margin
            if too_high or too_low:
                # Only the side that fails says which released figures to take back.
                used = duals[ObjSense.kMinimize if too_high else ObjSense.kMaximize]
                breaches.append(Breach(member, part, attacker, value, low, high,
                                       tuple(int(i) for i in np.flatnonzero(np.abs(used) > 1e-9))))  # fmt: skip
        _knowing(highs, own, values, False)
    return breaches
