"""Packaged reference data: CSV tables under ``data/``, each row with its source.

Loaded lazily and cached; callers get plain pandas tables or small lookups and
never open the files themselves.
"""

from __future__ import annotations

import hashlib
from functools import cache
from importlib import resources

import pandas as pd

TABLES = (
    "fuels",
    "gwp",
    "grid_emission_factors",
    "grid_emission_factor_paths",
    "technologies",
    "technology_catalog",
    "employment_factors",
    "occupational_shares",
    "exchange_rates",
    "scale_exponents",
    "infrastructure_costs",
    "fuel_prices",
    "lead_times",
    "deflators",
    "levers",
    "biomass_potentials",
    "industry_final_energy",
)

# The assessment report whose GWP100 values convert CH4 and N2O to CO2e.
DEFAULT_ASSESSMENT = "AR6"

TJ_PER_MWH = 0.0036


@cache
def table(name: str) -> pd.DataFrame:
    if name not in TABLES:
        raise KeyError(f"no reference table '{name}'; known: {', '.join(TABLES)}")
    with resources.files("clusterpath.data").joinpath(f"{name}.csv").open("r", encoding="utf-8") as handle:
        return pd.read_csv(handle, keep_default_na=False, na_values=[""])


@cache
def fingerprint() -> str:
    """A hash of every reference table and policy pack: results kept on disk are stale when it changes."""
    data = resources.files("clusterpath.data")
    files = [data.joinpath(f"{name}.csv") for name in TABLES]
    files += sorted((f for f in data.joinpath("policies").iterdir() if f.name.endswith(".yaml")), key=lambda f: f.name)
    digest = hashlib.sha256()
    for file in files:
        digest.update(file.name.encode() + b"\0" + file.read_bytes())
    return digest.hexdigest()


@cache
def technology_ids() -> tuple[str, ...]:
    return tuple(dict.fromkeys(table("technology_catalog")["technology"]))


@cache
def fuel_ids() -> tuple[str, ...]:
    return tuple(dict.fromkeys(table("fuels")["fuel"]))


@cache
def gwp100(assessment: str = DEFAULT_ASSESSMENT) -> dict[str, float]:
    rows = table("gwp")
    rows = rows[rows["assessment"] == assessment]
    if rows.empty:
        raise KeyError(f"no GWP100 values for assessment '{assessment}'")
    return dict(zip(rows["gas"], rows["gwp100"].astype(float), strict=True))


@cache
def fuel_factors(fuel: str, category: str) -> dict:
    """IPCC factors of ``fuel`` for a source category (energy_industries or manufacturing)."""
    rows = table("fuels")
    match = rows[(rows["fuel"] == fuel) & (rows["category"] == category)]
    if match.empty:
        raise KeyError(f"no IPCC factors for fuel '{fuel}' in category '{category}'")
    return match.iloc[0].to_dict()


@cache
def grid_factors(country: str) -> dict[int, float]:
    """Location-based grid emission factors of a country, tCO2e/MWh by year."""
    rows = table("grid_emission_factors")
    rows = rows[rows["country"] == country]
    return dict(zip(rows["year"].astype(int), rows["tco2e_per_mwh"].astype(float), strict=True))


def grid_countries() -> tuple[str, ...]:
    return tuple(sorted(set(table("grid_emission_factors")["country"])))


@cache
def infrastructure_value(item: str, parameter: str) -> float:
    """A year-independent number of ``infrastructure_costs.csv`` (an IPCC waste factor, say)."""
    rows = table("infrastructure_costs")
    match = rows[(rows["item"] == item) & (rows["parameter"] == parameter)]
    if match.empty:
        raise KeyError(f"infrastructure_costs.csv has no '{parameter}' for '{item}'")
    return float(match["value"].iloc[0])
