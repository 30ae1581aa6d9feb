"""The audit: how well an attacker who holds every released figure (and its own data) knows each member's
contribution to each figure.

For an attacker, the cells consistent with what it has seen form a polytope: each released figure fixes a sum
of cells, the attacker's own cells are known, every cell is non-negative (the structure, which cells exist at
all, counts as known). For each protected contribution (a member's part of a figure, a sum of its cells) the
least and greatest value over that polytope is an LP; protection holds when that interval reaches at least
p % below and above the true value. The model is built once per attacker (linopy) and re-solved per target
with only the objective changed (HiGHS keeps the basis).
"""

from __future__ import annotations

from dataclasses import dataclass

import linopy
import numpy as np
import pandas as pd
import xarray as xr
from highspy import Highs, HighsModelStatus, ObjSense

OBSERVER = ""  # an attacker who knows no member's data
# Relative slack of the check: HiGHS solves to about 1e-7, and a figure's sum is exact.
TOLERANCE = 1e-6


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


def _model(cells: pd.DataFrame, released: list[tuple[str, ...]], attacker: str) -> Highs:
    names = list(cells.index)
    own = (cells["member"] == attacker).to_numpy()
    values = cells["value"].to_numpy(dtype=float)
    m = linopy.Model()
    lower = xr.DataArray(np.where(own, values, 0.0), coords={"cell": names})
    upper = xr.DataArray(np.where(own, values, np.inf), coords={"cell": names})
    x = m.add_variables(lower=lower, upper=upper, name="x")
    if released:
        position = {name: i for i, name in enumerate(names)}
        matrix = np.zeros((len(released), len(names)))
        for row, figure in enumerate(released):
            matrix[row, [position[c] for c in figure]] = 1.0
        seen = {"seen": np.arange(len(released))}
        m.add_constraints((xr.DataArray(matrix, coords=seen | {"cell": names}) * x).sum("cell")
                          == xr.DataArray(matrix @ values, coords=seen), name="released")  # fmt: skip
    m.add_objective((0 * x).sum())
    highs = m.to_highspy()
    highs.setOptionValue("output_flag", False)
    if highs.getNumCol() != len(names) or highs.getNumRow() != len(released):
        raise RuntimeError("the audit model's columns or rows are not the cells and released figures in order")
    return highs


def _bound(highs: Highs, costs: np.ndarray, sense: ObjSense) -> tuple[float, np.ndarray]:
    highs.changeObjectiveSense(sense)
    highs.changeColsCost(len(costs), np.arange(len(costs), dtype=np.int32), costs)
    highs.run()
    status = highs.getModelStatus()
    if status == HighsModelStatus.kUnbounded or status == HighsModelStatus.kUnboundedOrInfeasible:
        return (np.inf if sense == ObjSense.kMaximize else -np.inf), np.zeros(highs.getNumRow())
    if status != HighsModelStatus.kOptimal:
        raise RuntimeError(f"the audit LP ended with {highs.modelStatusToString(status)}")
    return highs.getInfo().objective_function_value, np.asarray(highs.getSolution().row_dual)


def audit(cells: pd.DataFrame, released: list[tuple[str, ...]], targets: list[tuple[str, tuple[str, ...]]],
          p: float) -> list[Breach]:  # fmt: skip
    """Every protected contribution some attacker knows to within p %.

    ``cells``: every cell (index id; columns member, value), ``released``: the cell sets of the figures the
    audience holds, ``targets``: (member, cells of its part of a figure). Attackers: each member for the others'
    parts, and an observer for a member with no other member to attack it (it knows less than any member)."""
    members = sorted(set(cells["member"]))
    position = {name: i for i, name in enumerate(cells.index)}
    values = cells["value"].to_numpy(dtype=float)
    breaches = []
    for attacker in members + [OBSERVER]:
        mine = [(member, part) for member, part in targets
                if member != attacker and (attacker != OBSERVER or len(members) < 2)]  # fmt: skip
        if not mine:
            continue
        highs = _model(cells, released, attacker)
        for member, part in mine:
            costs = np.zeros(len(values))
            costs[[position[c] for c in part]] = 1.0
            value = float(costs @ values)
            low, low_duals = _bound(highs, costs, ObjSense.kMinimize)
            high, high_duals = _bound(highs, costs, ObjSense.kMaximize)
            margin = TOLERANCE * max(1.0, abs(value))
            too_high, too_low = low > value * (1 - p / 100) + margin, high < value * (1 + p / 100) - margin
            if too_high or too_low:
                # Only the side that fails says which released figures to take back.
                duals = np.abs(low_duals) * too_high + np.abs(high_duals) * too_low
                breaches.append(Breach(member, part, attacker, value, low, high,
                                       tuple(int(i) for i in np.flatnonzero(duals > 1e-9))))  # fmt: skip
    return breaches
