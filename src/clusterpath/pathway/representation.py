"""How far a plan on typical days is from the full year, where our benchmark measured it.

``data/representation_error.csv`` holds, per cluster (an example, recognised by the
fingerprint of its data, not by its name) and resolution (typical days x segments), the
relative difference of the objective and of the capacities of storage, renewables and
electrolysis from the same plan at a reference resolution (the full chronological year where
it finished, else the one the row names), as ``benchmarks/representation_error.py`` measured
them (its command and conditions are in each row). A plan of any other cluster or
resolution has no known error: it says "not measured".
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from importlib.resources import files

import pandas as pd

from clusterpath.pathway.timeseries import DAYS, HOURS_PER_DAY
from clusterpath.schema import Cluster

FIGURES = ("objective", "storage", "renewables", "electrolysis")


def fingerprint(cluster: Cluster) -> str:
    """A short hash of the cluster's data: a changed member or price makes a measured error unknown."""
    text = json.dumps(cluster.model_dump(mode="json", exclude_defaults=True), sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


TABLE = files("clusterpath.data") / "representation_error.csv"
COLUMNS = ["example", "fingerprint", "typical_days", "segments", "reference", *FIGURES, "conditions", "source"]


@cache
def read_table(path=TABLE) -> pd.DataFrame:
    table = pd.read_csv(path, dtype={"fingerprint": str})
    if list(table.columns) != COLUMNS:
        raise ValueError(f"{path}: columns must be {', '.join(COLUMNS)}, got {', '.join(table.columns)}")
    return table


def resolution(typical_days: int, segments: int = HOURS_PER_DAY) -> str:
    """``12 typical days`` or ``12 typical days x 6 segments``."""
    return f"{typical_days} typical days" + ("" if segments >= HOURS_PER_DAY else f" x {segments} segments")


def representation_error(cluster: Cluster, typical_days: int, segments: int = HOURS_PER_DAY, table=TABLE) -> dict:
    """The measured error of ``cluster`` at ``typical_days`` of ``segments`` steps (fractions, signed: this
    resolution - the reference, the full year where it finished).

    ``measured`` says whether it is known; a figure is None where the reference builds none of it.
    ``table``: the CSV to look in (the shipped one by default).
    """
    if typical_days >= DAYS and segments >= HOURS_PER_DAY:
        return {"measured": True, "typical_days": DAYS, "segments": HOURS_PER_DAY,
                "full_year": True} | dict.fromkeys(FIGURES, 0.0)  # fmt: skip
    table = read_table(table)
    rows = table[(table["fingerprint"] == fingerprint(cluster)) & (table["typical_days"] == typical_days)
                 & (table["segments"] == segments)]  # fmt: skip
    if rows.empty:
        return {"measured": False, "typical_days": typical_days, "segments": segments}
    row = rows.iloc[-1]
    figures = {name: None if pd.isna(row[name]) else float(row[name]) for name in FIGURES}
    return {"measured": True, "typical_days": typical_days, "segments": segments, "full_year": False, **figures,
            "reference": row["reference"], "conditions": row["conditions"], "source": row["source"]}  # fmt: skip


def describe(error: dict) -> str:
    """One line for the plan's report."""
    if error.get("full_year"):
        return "representation error vs full year: none, the plan runs on the full year (8,760 hours)"
    at = resolution(error["typical_days"], error.get("segments", HOURS_PER_DAY))
    if not error["measured"]:
        return (f"representation error vs full year: not measured for this cluster at {at} "
                "(benchmarks/representation_error.py; docs/timeseries.md)")
    parts = [f"{name} {'n/a (none built in the reference)' if error[name] is None else f'{error[name]:+.1%}'}"
             for name in FIGURES]  # fmt: skip
    return f"representation error vs {error['reference']} at {at}: {', '.join(parts)} (measured {error['conditions']})"
