"""Default fuel prices from the packaged reference data, per MWh, for a cluster's country.

A scenario may give its own prices; where it does not, the World Bank's 2024 annual
averages (Pink Sheet) of the benchmark nearest the cluster apply, held flat in real
terms. Which benchmark a country gets is an assumption, written in docs/model.md.
"""

from __future__ import annotations

from functools import cache

from clusterpath import reference

MWH_PER_MMBTU = 0.29307107  # 1 MMBtu = 1.055056 GJ (International Table Btu)
# World Bank Pink Sheet: Australian coal is quoted for 6,000 kcal/kg (NAR): 25.12 GJ/t.
MWH_PER_T_COAL = 6000 * 4.1868 / 3600
# U.S. EIA, "Energy conversion calculators": one barrel of crude oil holds 5.8 MMBtu.
MWH_PER_BARREL = 5.8 * MWH_PER_MMBTU

REFERENCE_YEAR = 2024
REFERENCE_SCENARIO = "Pink Sheet annual average (historical)"

EUROPE = frozenset(
    "AL AT BA BE BG CH CY CZ DE DK EE ES FI FR GB GR HR HU IE IS IT LT LU LV ME MK MT NL NO PL PT RO RS SE SI SK "
    "TR UA".split()
)
NORTH_AMERICA = frozenset({"US", "CA", "MX"})


def gas_benchmark(country: str) -> str:
    if country in EUROPE:
        return "natural_gas_ttf"
    if country in NORTH_AMERICA:
        return "natural_gas_henry_hub"
    return "lng_japan"  # import parity for the rest of the world


@cache
def _price(fuel: str) -> tuple[float, str]:
    rows = reference.table("fuel_prices")
    row = rows[(rows["fuel"] == fuel) & (rows["year"] == REFERENCE_YEAR) & (rows["scenario"] == REFERENCE_SCENARIO)]
    if row.empty:
        raise KeyError(f"no {REFERENCE_YEAR} price for {fuel} in fuel_prices.csv")
    return float(row["value"].iloc[0]), str(row["unit"].iloc[0])


def reference_prices_usd(country: str) -> dict[str, float]:
    """USD per MWh of natural gas, coal and oil for a country (biomass has no reference price)."""
    gas, _ = _price(gas_benchmark(country))
    coal, _ = _price("coal_australia")
    oil, _ = _price("crude_oil_brent")
    return {"natural_gas": gas / MWH_PER_MMBTU, "coal": coal / MWH_PER_T_COAL, "oil": oil / MWH_PER_BARREL}
