"""The figures of the aggregate tables as sums of cells, and the linear relations between them.

A figure is one number of one table: the cluster total of a column, or a column of one sector's or one
carrier's row. It is the sum of its ``cells``; its contributors are the members owning them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from clusterpath.platform.disclosure.cells import PARTS, SCOPE1

# What the aggregates endpoint and the inventory result show: totals of these columns, and rows of these columns
# per sector or carrier.
ROW_COLUMNS = {
    "sector": ("value_added", "jobs", "energy_mwh", "scope1_tco2e", "scope1_combustion_tco2e", "scope1_process_tco2e",
               "scope1_wastewater_tco2e", "scope2_tco2e", "total_tco2e", "biogenic_co2_t"),
    "carrier": ("energy_mwh", "scope1_tco2e", "scope1_combustion_tco2e", "scope1_process_tco2e",
                "scope1_wastewater_tco2e", "scope2_tco2e", "biogenic_co2_t", "total_tco2e"),
}  # fmt: skip
TOTAL_COLUMNS = ROW_COLUMNS["sector"]
# Columns that are sums of other columns of the same row: each is a relation an attacker can use.
COLUMN_SUMS = {"scope1_tco2e": SCOPE1, "total_tco2e": ("scope1_tco2e", "scope2_tco2e")}


@dataclass(frozen=True)
class Figure:
    table: str  # 'totals', 'sector' or 'carrier'
    row: str  # the sector or carrier; '' for the totals
    column: str
    cells: tuple[str, ...]  # ids of the cells it sums, sorted

    @property
    def id(self) -> str:
        return f"{self.table}:{self.row}:{self.column}"

    def value(self, cells: pd.DataFrame | Owners) -> float:
        return sum(owners(cells)[c][1] for c in self.cells)

    def contributions(self, cells: pd.DataFrame | Owners) -> dict[str, float]:
        """Each contributing member's part of the figure (``cells``: the cells, or their ``owners``)."""
        out: dict[str, float] = {}
        for member, value in map(owners(cells).__getitem__, self.cells):
            out[member] = out.get(member, 0.0) + value
        return out


Owners = Mapping[str, tuple[str, float]]  # cell id -> (member, amount)


def owners(cells: pd.DataFrame | Owners) -> Owners:
    """Each cell's member and amount, for the many figures summed over the same cells (a DataFrame lookup per
    figure costs more than all the sums)."""
    if not isinstance(cells, pd.DataFrame):
        return cells
    return dict(zip(cells.index, zip(cells["member"], cells["value"].astype(float), strict=True), strict=True))


def table_figures(cells: pd.DataFrame, rows: dict[str, list[str]]) -> list[Figure]:
    """The totals and every row's figures of the tables named in ``rows`` (table -> its row keys)."""
    # Cell ids by (table, row, column of the cell), in one pass: a figure unites those of its column's parts.
    ids: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    for cell, sector, carrier, column in zip(cells.index, cells["sector"], cells["carrier"], cells["column"],
                                             strict=True):  # fmt: skip
        ids[("totals", "", column)].append(cell)
        ids[("sector", str(sector), column)].append(cell)
        ids[("carrier", str(carrier), column)].append(cell)

    def figure(table: str, row: str, column: str) -> Figure:
        parts = (ids.get((table, row, part), ()) for part in PARTS[column])
        return Figure(table, row, column, tuple(sorted(c for cells in parts for c in cells)))

    out = [figure("totals", "", column) for column in TOTAL_COLUMNS]
    for table, keys in rows.items():
        out += [figure(table, str(key), column) for key in keys for column in ROW_COLUMNS[table]]
    return out


def relations(figures: list[Figure]) -> list[tuple[str, ...]]:
    """Groups of figure ids of which one is the sum of the others (which one does not matter to the rule
    that no figure of a group may be the only one withheld): per column, the total and the rows of each
    table; per row, total = scope 1 + scope 2 and scope 1 = combustion + process + wastewater."""
    by_id = {f.id: f for f in figures}
    out = []
    tables = sorted({f.table for f in figures} - {"totals"})
    for table in tables:
        for column in TOTAL_COLUMNS:
            rows = [f.id for f in figures if f.table == table and f.column == column]
            if rows:  # carriers have no value added or jobs
                out.append((f"totals::{column}", *rows))
    for f in figures:
        if f.column in COLUMN_SUMS:
            parts = [f"{f.table}:{f.row}:{part}" for part in COLUMN_SUMS[f.column]]
            if all(part in by_id for part in parts):
                out.append((f.id, *parts))
    return out
