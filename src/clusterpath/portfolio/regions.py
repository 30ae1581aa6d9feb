"""Continents of countries: the UN M49 regions (Africa, Americas, Asia, Europe, Oceania)."""

from __future__ import annotations

from functools import cache
from importlib import resources

import pandas as pd


@cache
def _table() -> pd.DataFrame:
    with resources.files("clusterpath.data").joinpath("continents.csv").open("r", encoding="utf-8") as handle:
        # "NA" is Namibia, not a missing value.
        return pd.read_csv(handle, dtype=str, keep_default_na=False).set_index("country")


def continent(country: str) -> str:
    """The M49 region of an ISO 3166-1 alpha-2 country; "unknown" for an area M49 places in none."""
    table = _table()
    return table.at[country, "region"] if country in table.index else "unknown"
