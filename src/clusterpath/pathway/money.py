"""Money of different years and currencies, brought to one price year.

Reference figures are quoted in the money of the year their source priced them (the catalog in EUR of 2025,
the Danish Energy Agency's pipes in EUR of 2015, fuel prices in US dollars of 2024, the 45V credit in US dollars
of 2022). A figure moves through time in its own currency, by that currency's consumer price index
(``deflators.csv``: Eurostat HICP for the euro, BLS CPI-U for the US dollar, ONS CPI for sterling) as far as the
index reaches toward the price year; there it is converted into euros at that year's exchange rate, carried on
by the euro index, and converted into the target currency at the price year's rate. A currency without an index
of its own is converted into euros at once (docs/model.md, 6.8).
"""

from __future__ import annotations

import re
from functools import cache

from clusterpath import reference

# Units of money that carry their year, as infrastructure_costs.csv writes them: "EUR2015/MW/m", "EUR2020/tCO2".
_YEAR_IN_UNIT = re.compile(r"^(EUR|USD)(\d{4})/")
_INDEX = {"EUR": "the euro price index (Eurostat HICP)", "USD": "the US dollar price index (BLS CPI-U)",
          "GBP": "the sterling price index (ONS CPI)"}  # fmt: skip


class PriceYearError(ValueError):
    """A figure or a price year outside the years the price index covers."""


@cache
def _rates(currency: str) -> dict[int, float]:
    """Annual average rate of change of ``currency``'s price index by year (percent); empty if it has none."""
    rows = reference.table("deflators")
    rows = rows[rows["currency"] == currency]
    return {int(y): float(r) for y, r in zip(rows["year"], rows["annual_average_rate_percent"], strict=True)}


def price_level(from_year: int, to_year: int, currency: str = "EUR") -> float:
    """Money of ``to_year`` worth one unit of ``from_year``: the currency's yearly average rates chained."""
    rates = _rates(currency)
    low, high = sorted((int(from_year), int(to_year)))
    missing = [y for y in range(low + 1, high + 1) if y not in rates]
    if missing:
        name = _INDEX.get(currency, f"a {currency} price index")
        reach = f"money can be moved between {min(rates) - 1} and {max(rates)} only" if rates else "none is shipped"
        raise PriceYearError(f"{name} (deflators.csv) has no rate for {', '.join(map(str, missing))}: {reach}")
    factor = 1.0
    for year in range(low + 1, high + 1):
        factor *= 1 + rates[year] / 100
    return factor if to_year >= from_year else 1 / factor


def own_index_reach(currency: str, from_year: int, to_year: int) -> int:
    """The year closest to ``to_year`` that ``currency``'s own index carries money of ``from_year`` to without a gap
    (``from_year`` itself when the currency has no index or it lacks the next year's rate)."""
    rates, year = _rates(currency), int(from_year)
    step = 1 if to_year >= year else -1
    while year != to_year and (year + 1 if step > 0 else year) in rates:
        year += step
    return year


def money_year(unit: str) -> tuple[str, int]:
    """Currency and year of a unit such as "EUR2015/MW/m"; a unit without its year is refused."""
    match = _YEAR_IN_UNIT.match(str(unit))
    if not match:
        raise PriceYearError(f"the unit '{unit}' does not say the year of its money")
    return match.group(1), int(match.group(2))
