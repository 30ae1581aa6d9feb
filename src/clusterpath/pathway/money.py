"""Money of different years and currencies, brought to one price year.

Reference figures are quoted in the money of the year their source priced them (the catalog in EUR of 2025,
the Danish Energy Agency's pipes in EUR of 2015, fuel prices in US dollars of 2024). One route converts them
all: into euros at the exchange rate of the figure's own year, then to the price year with the euro price
index (Eurostat HICP, ``deflators.csv``), then into the target currency at the price year's rate. The HICP
series is the one the catalog itself was inflated with, so the catalog and every other figure agree.
"""

from __future__ import annotations

import re
from functools import cache

from clusterpath import reference

# Units of money that carry their year, as infrastructure_costs.csv writes them: "EUR2015/MW/m", "EUR2020/tCO2".
_YEAR_IN_UNIT = re.compile(r"^(EUR|USD)(\d{4})/")


class PriceYearError(ValueError):
    """A figure or a price year outside the years the price index covers."""


@cache
def _rates() -> dict[int, float]:
    rows = reference.table("deflators")
    rows = rows[rows["currency"] == "EUR"]
    return {int(y): float(r) for y, r in zip(rows["year"], rows["annual_average_rate_percent"], strict=True)}


def price_level(from_year: int, to_year: int) -> float:
    """Euros of ``to_year`` worth one euro of ``from_year``: the HICP's yearly average rates chained."""
    rates = _rates()
    low, high = sorted((int(from_year), int(to_year)))
    missing = [y for y in range(low + 1, high + 1) if y not in rates]
    if missing:
        raise PriceYearError(f"the euro price index (deflators.csv) has no rate for {', '.join(map(str, missing))}: "
                             f"money can be moved between {min(rates) - 1} and {max(rates)} only")  # fmt: skip
    factor = 1.0
    for year in range(low + 1, high + 1):
        factor *= 1 + rates[year] / 100
    return factor if to_year >= from_year else 1 / factor


def money_year(unit: str) -> tuple[str, int]:
    """Currency and year of a unit such as "EUR2015/MW/m"; a unit without its year is refused."""
    match = _YEAR_IN_UNIT.match(str(unit))
    if not match:
        raise PriceYearError(f"the unit '{unit}' does not say the year of its money")
    return match.group(1), int(match.group(2))
