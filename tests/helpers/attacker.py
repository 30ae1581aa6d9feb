"""An attacker who keeps every number an audience was shown and works out what it implies.

The attacker knows the structure of the cluster (which member is in which sector, which member has which
carrier, process emissions or wastewater at all, and which member's data each release covers): a competitor
usually knows what plants its neighbours run. It does not know the amounts, except its own. Each figure the
API returned is a sum of member contributions, a linear equation over the unknown amounts; with
non-negativity and its own data, the attacker's knowledge is a polytope, and the least and greatest value of
a target contribution over it (an LP on linopy/HiGHS) is how well the attacker knows that contribution.

This module is written apart from ``clusterpath.platform.disclosure`` on purpose: an attack test that used the
defender's own model of the tables would share its blind spots.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import linopy
import numpy as np
import xarray as xr

# Amounts an inventory line holds, per member and carrier; every column of the aggregate tables is a sum of these.
LINE_COLUMNS = ("energy_mwh", "scope1_combustion_tco2e", "scope1_process_tco2e", "scope1_wastewater_tco2e",
                "scope2_tco2e", "biogenic_co2_t")  # fmt: skip
MEMBER_COLUMNS = ("value_added", "jobs")
SCOPE1 = ("scope1_combustion_tco2e", "scope1_process_tco2e", "scope1_wastewater_tco2e")
COLUMNS = {column: (column,) for column in LINE_COLUMNS + MEMBER_COLUMNS} | {
    "scope1_tco2e": SCOPE1, "total_tco2e": SCOPE1 + ("scope2_tco2e",)}  # fmt: skip
INTENSITY = "tco2e_per_million_value_added"


def member_cells(description: dict, key: str, data: dict) -> tuple[str, dict[tuple[str, str], float]]:
    """A member's sector and its non-zero amounts by (carrier, column); value added and jobs under carrier ''."""
    from clusterpath.inventory import Inventory
    from clusterpath.io.load import validate

    cluster = validate({**description, "id": "attacker", "members": [{**data, "id": key}]}, "attacker")
    lines = Inventory(cluster).lines.copy()
    lines["scope1_tco2e"] = lines["tco2e"].where(lines["scope"] == "1", 0.0)
    cells: dict[tuple[str, str], float] = {}
    for column, kind in (("scope1_combustion_tco2e", "combustion"), ("scope1_process_tco2e", "process"),
                         ("scope1_wastewater_tco2e", "wastewater")):  # fmt: skip
        lines[column] = lines["scope1_tco2e"].where(lines["kind"] == kind, 0.0)
    lines["scope2_tco2e"] = lines["tco2e"].where(lines["scope"] == "2", 0.0)
    for carrier, group in lines.groupby("carrier"):
        for column in LINE_COLUMNS:
            value = float(group[column].sum())
            if value != 0.0:
                cells[(str(carrier), column)] = value
    member = cluster.members[0]
    for column in MEMBER_COLUMNS:
        if getattr(member, column):
            cells[("", column)] = float(getattr(member, column))
    return member.sector.value, cells


@dataclass
class Attacker:
    """An audience (an observer, or a member company with its own data) and everything it was shown.

    Members are known by an epoch id such as ``"delta@1"``: a member's data between two of its uploads."""

    own: set[str] = field(default_factory=set)  # epochs whose amounts the attacker knows (its own company's)
    sectors: dict[str, str] = field(default_factory=dict)
    cells: dict[str, dict[tuple[str, str], float]] = field(default_factory=dict)
    equations: list[tuple[dict[tuple[str, str, str], float], float]] = field(default_factory=list)
    received: int = 0

    def know(self, epoch: str, sector: str, cells: dict[tuple[str, str], float], own: bool = False) -> None:
        """The structure of a member's data (which cells are non-zero); their amounts too when ``own``."""
        self.sectors[epoch] = sector
        self.cells[epoch] = cells
        if own:
            self.own.add(epoch)

    def composition(self, epochs: list[str], table: str, row: str | None, column: str) -> dict:
        """The unknowns a figure sums: table 'totals', 'sector' or 'carrier'."""
        out = {}
        for epoch in epochs:
            for carrier, base in self.cells[epoch]:
                if base not in COLUMNS.get(column, (column,)):
                    continue
                if table == "sector" and self.sectors[epoch] != row or table == "carrier" and carrier != row:
                    continue
                out[(epoch, carrier, base)] = 1.0
        return out

    def read(self, response: dict, epochs: list[str]) -> None:
        """Records every number of an aggregates response; ``epochs``: whose data it covers (the response's own
        list of members narrows it when it has one: a release held back covers fewer members than the live data)."""
        if response.get("members") is not None:
            epochs = [epoch for epoch in epochs if epoch.split("@")[0] in response["members"]]
        by = response["by"]
        figures = [("totals", None, response.get("totals") or {})]
        figures += [(by, row[by], row) for row in response.get("rows") or []]
        for table, row, values in figures:
            for column, value in values.items():
                if column in COLUMNS and isinstance(value, int | float) and math.isfinite(value):
                    self.equations.append((self.composition(epochs, table, row, column), float(value)))
                    self.received += 1
            intensity = values.get(INTENSITY)
            if isinstance(intensity, int | float) and math.isfinite(intensity) and intensity > 0:
                # tCO2e per million of value added: total - intensity * value_added / 1e6 = 0, linear in both.
                total = self.composition(epochs, table, row, "total_tco2e")
                added = {key: -intensity / 1e6 for key in self.composition(epochs, table, row, "value_added")}
                self.equations.append((total | added, 0.0))
                self.received += 1

    def read_sum(self, epochs: list[str], row: str, column: str, value: float | None) -> None:
        """Records a figure of a job result: the sum of the parts (``row``, ``column``) of ``epochs`` that have one
        (as ``know`` was told: cells keyed by (row, column)). A withheld figure (None) tells nothing."""
        if isinstance(value, int | float) and math.isfinite(value):
            self.equations.append((self.composition(epochs, "carrier", row, column), float(value)))
            self.received += 1

    def bounds(self, epoch: str, table: str, row: str | None, column: str) -> tuple[float, float]:
        """The least and greatest value of ``epoch``'s contribution to a figure consistent with all it knows."""
        unknowns = sorted({(e, carrier, base) for e, cells in self.cells.items() for (carrier, base) in cells})
        index = {u: i for i, u in enumerate(unknowns)}
        truth = np.array([self.cells[e][(c, b)] for e, c, b in unknowns])
        fixed = np.array([e in self.own for e, _, _ in unknowns])
        target = np.zeros(len(unknowns))
        for key in self.composition([epoch], table, row, column):
            target[index[key]] = 1.0
        if not target.any():
            return 0.0, 0.0
        a = np.zeros((len(self.equations), len(unknowns)))
        b = np.zeros(len(self.equations))
        for i, (terms, value) in enumerate(self.equations):
            for key, coefficient in terms.items():
                a[i, index[key]] = coefficient
            b[i] = value
        names = [f"{e}|{c}|{col}" for e, c, col in unknowns]
        out = []
        for sense in ("min", "max"):
            m = linopy.Model()
            lower = xr.DataArray(np.where(fixed, truth, 0.0), coords={"cell": names})
            upper = xr.DataArray(np.where(fixed, truth, np.inf), coords={"cell": names})
            x = m.add_variables(lower=lower, upper=upper, name="x")
            if len(self.equations):
                coefficients = xr.DataArray(a, coords={"seen": range(len(b)), "cell": names})
                slack = 1e-7 * np.maximum(1.0, np.abs(b))  # the sums were added up in another order than ours
                lhs = (coefficients * x).sum("cell")
                m.add_constraints(lhs <= xr.DataArray(b + slack, coords={"seen": range(len(b))}), name="upper")
                m.add_constraints(lhs >= xr.DataArray(b - slack, coords={"seen": range(len(b))}), name="lower")
            m.add_objective((xr.DataArray(target, coords={"cell": names}) * x).sum(), sense=sense)
            status, condition = m.solve("highs", output_flag=False)
            if condition == "unbounded" or (sense == "max" and status != "ok"):
                out.append(math.inf)
            else:
                assert status == "ok", (status, condition)
                out.append(float(m.objective.value))
        return out[0], out[1]

    def truth(self, epoch: str, table: str, row: str | None, column: str) -> float:
        return sum(self.cells[e][(c, b)] for e, c, b in self.composition([epoch], table, row, column))

    def pins(self, epoch: str, table: str, row: str | None, column: str, p: float = 10.0) -> bool:
        """Whether the attacker knows this contribution to within p % on either side."""
        low, high = self.bounds(epoch, table, row, column)
        value = self.truth(epoch, table, row, column)
        return low > value * (1 - p / 100) + 1e-6 or high < value * (1 + p / 100) - 1e-6
