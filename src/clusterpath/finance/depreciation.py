"""Tax depreciation of investments, vintage by vintage.

Each year's investment is written off from the year it is spent over ``years`` years.
Straight line takes an equal share each year; declining balance takes ``factor / years``
of what is left and switches to straight line over the remaining years as soon as that
is larger, so both write off the whole investment in ``years`` years (no salvage value).
MACRS takes the US tax tables' shares (IRS Publication 946, Table A-1, half-year
convention), which spread a ``years``-year recovery over ``years + 1`` tax years.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

import numpy as np
import pandas as pd

from clusterpath.finance.errors import FinanceError


@cache
def _macrs_table() -> pd.DataFrame:
    with resources.files("clusterpath.data").joinpath("macrs_half_year.csv").open("r", encoding="utf-8") as handle:
        return pd.read_csv(handle)


def macrs_periods() -> tuple[int, ...]:
    """The recovery periods MACRS has tables for (data/macrs_half_year.csv)."""
    return tuple(int(y) for y in sorted(set(_macrs_table()["recovery_years"])))


def macrs_rates(years: int) -> np.ndarray:
    """The MACRS shares of a ``years``-year recovery period, half-year convention."""
    rows = _macrs_table()
    rows = rows[rows["recovery_years"] == years].sort_values("year")
    if rows.empty:
        known = ", ".join(map(str, macrs_periods()))
        raise FinanceError([f"depreciation_years: MACRS has no {years}-year table (known: {known})"])
    return rows["rate"].to_numpy(dtype=float)


def schedule(basis: float, years: int, method: str = "straight_line", factor: float = 2.0) -> np.ndarray:
    """Yearly depreciation of one investment of ``basis`` over ``years`` years."""
    if isinstance(years, bool) or int(years) != years or years <= 0:
        raise FinanceError([f"depreciation_years: {years!r} is not a positive whole number of years"])
    years = int(years)
    if method == "straight_line":
        return np.full(years, basis / years)
    if method == "macrs":
        return basis * macrs_rates(years)
    if method != "declining_balance":
        raise FinanceError([f"depreciation: {method!r} is not straight_line, declining_balance or macrs"])
    out, left = np.zeros(years), float(basis)
    for k in range(years):
        remaining = years - k
        declining = left * factor / years
        straight = left / remaining
        out[k] = max(declining, straight)
        left -= out[k]
    return out


def depreciation(investment: np.ndarray, years: int, method: str = "straight_line", factor: float = 2.0,
                 write_off: bool = False) -> np.ndarray:  # fmt: skip
    """Depreciation in each year of a table whose year i invests ``investment[i]``.

    What would fall after the table's last year is dropped (the table is the project's
    life), or with ``write_off`` deducted in the last year: the book value left when the
    plant is sold or scrapped is a loss on disposal.
    """
    investment = np.asarray(investment, dtype=float)
    out = np.zeros(len(investment))
    for year, amount in enumerate(investment):
        if amount:
            full = schedule(amount, years, method, factor)
            part = full[: len(investment) - year]
            out[year : year + len(part)] += part
            if write_off:
                out[-1] += full[len(part) :].sum()
    return out
