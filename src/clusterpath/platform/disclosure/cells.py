"""The unknowns of disclosure control: each member's amount per carrier and column (a *cell*).

Every figure of the aggregate tables is a sum of cells, so what a set of released figures says about a member
is a question about linear equations over cells. A cell's id names the member and the *epoch* of its data (a
hash of the upload), so a member's cells stay the same unknowns across releases until it uploads different
data, and an earlier release's equations keep their meaning after the member changes its data.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

LINE_COLUMNS = ("energy_mwh", "scope1_combustion_tco2e", "scope1_process_tco2e", "scope1_wastewater_tco2e",
                "scope2_tco2e", "biogenic_co2_t")  # fmt: skip
MEMBER_COLUMNS = ("value_added", "jobs")
SCOPE1 = ("scope1_combustion_tco2e", "scope1_process_tco2e", "scope1_wastewater_tco2e")
# The cells each column of a table sums: derived columns are sums of line columns, which is how the
# tables' own relations (total = scope 1 + scope 2) become equations over cells.
PARTS: dict[str, tuple[str, ...]] = {column: (column,) for column in LINE_COLUMNS + MEMBER_COLUMNS} | {
    "scope1_tco2e": SCOPE1, "total_tco2e": SCOPE1 + ("scope2_tco2e",)}  # fmt: skip
CELL_FIELDS = ["member", "epoch", "sector", "carrier", "column", "value"]


def cells_of(lines: pd.DataFrame, members: pd.DataFrame, epochs: dict[str, str]) -> pd.DataFrame:
    """Non-zero cells of an inventory: ``lines`` as ``Inventory.lines``, ``members`` as ``Inventory.members``
    (index: member id; columns sector, value_added, jobs), ``epochs``: member id -> identity of its data.

    Indexed by cell id ``member@epoch|carrier|column``; value added and jobs belong to no carrier ('')."""
    scope1 = lines["tco2e"].where(lines["scope"] == "1", 0.0)
    amounts = pd.DataFrame({
        "member": lines["member"].astype(str), "carrier": lines["carrier"].astype(str),
        "energy_mwh": lines["energy_mwh"].astype(float),
        "scope1_combustion_tco2e": scope1.where(lines["kind"] == "combustion", 0.0),
        "scope1_process_tco2e": scope1.where(lines["kind"] == "process", 0.0),
        "scope1_wastewater_tco2e": scope1.where(lines["kind"] == "wastewater", 0.0),
        "scope2_tco2e": lines["tco2e"].where(lines["scope"] == "2", 0.0),
        "biogenic_co2_t": lines["biogenic_co2_t"].astype(float),
    })  # fmt: skip
    by_carrier = amounts.groupby(["member", "carrier"], sort=True)[list(LINE_COLUMNS)].sum().reset_index()
    line_cells = by_carrier.melt(id_vars=["member", "carrier"], var_name="column", value_name="value")
    per_member = members[list(MEMBER_COLUMNS)].astype(float).rename_axis("member").reset_index()
    member_cells = per_member.melt(id_vars=["member"], var_name="column", value_name="value").assign(carrier="")
    out = pd.concat([line_cells, member_cells], ignore_index=True)
    # A figure the inventory cannot compute (NaN) has no amount to protect or to equate in the audit.
    out = out[np.isfinite(out["value"].astype(float)) & (out["value"] != 0.0)].copy()
    out["member"] = out["member"].astype(str)
    out["epoch"] = out["member"].map(epochs)
    out["sector"] = out["member"].map(members["sector"].astype(str).to_dict())
    out.index = out["member"] + "@" + out["epoch"] + "|" + out["carrier"] + "|" + out["column"]
    return out[CELL_FIELDS].sort_index()
