"""Technology parameters from the packaged catalog, in model units and the cluster's currency.

The catalog (technologies.csv) keeps its source's units: money in EUR of 2025 (a few
rows in USD) per kW, kWh, MW, t/h or MW·km. Here they become money per MW, MWh or t/h
in the cluster's currency of the scenario's price year (``money.py``), interpolated
linearly between catalog years (2025, 2030, 2040, 2050) and held flat beyond them.
"""

from __future__ import annotations

import re
from functools import cache

import numpy as np
import pandas as pd

from clusterpath import reference
from clusterpath.pathway.money import own_index_reach, price_level

# Money in the catalog is in EUR of this year (PyPSA technology-data v0.14.0, eur_year 2025).
CATALOG_MONEY_YEAR = 2025

# Denominator of a cost unit -> factor from "per that" to "per model unit".
_PER = {
    "kW": 1e3, "kW_e": 1e3, "kW_el": 1e3, "kWel": 1e3, "kW_th": 1e3, "kWh": 1e3, "kWhCapacity": 1e3, "kWh Capacity": 1e3,
    "MW": 1.0, "MW_CH4": 1.0, "MWh": 1.0, "MWh_e": 1.0, "MWhel": 1.0, "MWh_th": 1.0, "MWh_H2": 1.0,
    "MWh output": 1.0, "(tCO2/h)": 1.0, "t_CO2/h": 1.0, "t_CO2": 1.0, "MW/km": 1.0, "(tCO2/h)/km": 1.0,
}  # fmt: skip
_MONEY = re.compile(r"^(EUR|USD)/(.+?)(, \d{4})?$")
# Denominators that measure a unit's input, not its output: the SMR rows are "EUR/MW_CH4", per MW of gas in.
_INPUT_BASIS = {"MW_CH4"}


class CatalogError(KeyError):
    """A parameter the model needs is not in the catalog."""


@cache
def _wide() -> pd.DataFrame:
    rows = reference.table("technologies")
    return rows.set_index(["technology", "parameter", "year"])[["value", "unit"]].sort_index()


@cache
def exchange_rate(currency: str, year: int) -> float:
    """Units of ``currency`` per EUR: the given year's annual average, else the nearest year."""
    if currency == "EUR":
        return 1.0
    rates = reference.table("exchange_rates")
    rows = rates[rates["currency"] == currency]
    if rows.empty:
        raise CatalogError(f"no exchange rate for {currency} in exchange_rates.csv")
    nearest = rows.iloc[(rows["year"] - year).abs().argsort()].iloc[0]
    return float(nearest["per_eur"])


class Catalog:
    """Parameters of catalog technologies for one cluster (its currency)."""

    def __init__(self, currency: str, price_year: int = CATALOG_MONEY_YEAR) -> None:
        self.currency = currency
        self.price_year = price_year
        # Cluster money of the price year per EUR of the catalog's year.
        self.per_eur = price_level(CATALOG_MONEY_YEAR, price_year) * exchange_rate(currency, price_year)

    def convert(self, value: float, currency: str, year: int) -> float:
        """Money of ``currency`` and ``year`` in the cluster's currency of the price year.

        One route for every figure: through time by the currency's own price index as far as it reaches toward
        the price year, into EUR at that year's rate, on with the euro price index, into the cluster's currency at
        the price year's rate (docs/model.md, 6.8). Without an index of its own the figure turns into EUR at once.
        """
        bridge = own_index_reach(currency, year, self.price_year)
        in_eur = value * price_level(year, bridge, currency) / exchange_rate(currency, bridge)
        return in_eur * price_level(bridge, self.price_year) * exchange_rate(self.currency, self.price_year)

    def raw(self, technology: str, parameter: str, year: int) -> tuple[float, str]:
        table = _wide()
        try:
            rows = table.loc[(technology, parameter)]
        except KeyError:
            raise CatalogError(f"catalog has no '{parameter}' for '{technology}'") from None
        years = rows.index.to_numpy(dtype=float)
        value = float(np.interp(year, years, rows["value"].to_numpy(dtype=float)))
        return value, str(rows["unit"].iloc[0])

    def has(self, technology: str, parameter: str) -> bool:
        return (technology, parameter) in _wide().index.droplevel("year")

    def money(self, technology: str, parameter: str, year: int) -> float:
        """A cost parameter per model unit (MW, MWh, t/h, MW·km) in the cluster's currency."""
        value, unit = self.raw(technology, parameter, year)
        match = _MONEY.match(unit)
        if not match or match.group(2) not in _PER:
            raise CatalogError(f"'{technology}' {parameter} has unit '{unit}', which the model cannot convert")
        in_eur = value if match.group(1) == "EUR" else value / exchange_rate("USD", CATALOG_MONEY_YEAR)
        return in_eur * _PER[match.group(2)] * self.per_eur

    def capex(self, technology: str, year: int) -> float:
        return self.money(technology, "investment", year)

    def capex_per_input(self, technology: str) -> bool:
        """Whether the investment is per MW of the unit's input (gas for a reformer) rather than of its output."""
        match = _MONEY.match(self.raw(technology, "investment", CATALOG_MONEY_YEAR)[1])
        return bool(match) and match.group(2) in _INPUT_BASIS

    def vom(self, technology: str, year: int) -> float:
        return self.money(technology, "VOM", year) if self.has(technology, "VOM") else 0.0

    def fom(self, technology: str, year: int) -> float:
        """Fixed O&M as a share of investment per year."""
        return self.raw(technology, "FOM", year)[0] / 100 if self.has(technology, "FOM") else 0.0

    def lifetime(self, technology: str) -> float:
        return self.raw(technology, "lifetime", CATALOG_MONEY_YEAR)[0]

    def number(self, technology: str, parameter: str, year: int, default: float | None = None) -> float:
        if default is not None and not self.has(technology, parameter):
            return default
        return self.raw(technology, parameter, year)[0]
