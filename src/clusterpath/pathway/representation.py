"""How far a plan on typical days is from the full year, where our benchmark measured it.

``data/representation_error.csv`` holds, per cluster (an example, recognised by the
fingerprint of its data, not by its name) and number of typical days, the relative
difference of the objective and of the capacities of storage, renewables and electrolysis
from the same plan on the full chronological year, as ``benchmarks/representation_error.py``
measured them (its command and conditions are in each row). A plan of any other cluster or
resolution has no known error: it says "not measured".
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from importlib.resources import files

import pandas as pd

from clusterpath.pathway.timeseries import DAYS
from clusterpath.schema import Cluster

FIGURES = ("objective", "storage", "renewables", "electrolysis")


def fingerprint(cluster: Cluster) -> str:
    """A short hash of the cluster's data: a changed member or price makes a measured error unknown."""
    text = json.dumps(cluster.model_dump(mode="json", exclude_defaults=True), sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


TABLE = files("clusterpath.data") / "representation_error.csv"
COLUMNS = ["example", "fingerprint", "typical_days", *FIGURES, "conditions", "source"]


@cache
def read_table(path=TABLE) -> pd.DataFrame:
    table = pd.read_csv(path, dtype={"fingerprint": str})
    if list(table.columns) != COLUMNS:
        raise ValueError(f"{path}: columns must be {', '.join(COLUMNS)}, got {', '.join(table.columns)}")
    return table


def representation_error(cluster: Cluster, typical_days: int, table=TABLE) -> dict:
    """The measured error of ``cluster`` at ``typical_days`` (fractions, signed: typical days - full year).

    ``measured`` says whether it is known; a figure is None where the full year builds none of it.
    ``table``: the CSV to look in (the shipped one by default).
    """
    if typical_days >= DAYS:
        return {"measured": True, "typical_days": DAYS, "full_year": True} | dict.fromkeys(FIGURES, 0.0)
    table = read_table(table)
    rows = table[(table["fingerprint"] == fingerprint(cluster)) & (table["typical_days"] == typical_days)]
    if rows.empty:
        return {"measured": False, "typical_days": typical_days}
    row = rows.iloc[-1]
    figures = {name: None if pd.isna(row[name]) else float(row[name]) for name in FIGURES}
    return {"measured": True, "typical_days": typical_days, "full_year": False, **figures,
            "conditions": row["conditions"], "source": row["source"]}  # fmt: skip


def describe(error: dict) -> str:
    """One line for the plan's report."""
    if error.get("full_year"):
        return "representation error vs full year: none, the plan runs on the full year (8,760 hours)"
    if not error["measured"]:
        return (f"representation error vs full year: not measured for this cluster at {error['typical_days']} "
                "typical days (benchmarks/representation_error.py; docs/timeseries.md)")
    parts = [f"{name} {'n/a (none built in the full year)' if error[name] is None else f'{error[name]:+.1%}'}"
             for name in FIGURES]  # fmt: skip
    return (f"representation error vs full year at {error['typical_days']} typical days: {', '.join(parts)} "
            f"(measured {error['conditions']})")
