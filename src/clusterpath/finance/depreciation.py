"""Tax depreciation of investments, vintage by vintage.

Each year's investment is written off from the year it is spent over ``years`` years.
Straight line takes an equal share each year; declining balance takes ``factor / years``
of what is left and switches to straight line over the remaining years as soon as that
is larger, so both write off the whole investment in ``years`` years (no salvage value).
"""

from __future__ import annotations

import numpy as np

from clusterpath.finance.financing import FinanceError


def schedule(basis: float, years: int, method: str = "straight_line", factor: float = 2.0) -> np.ndarray:
    """Yearly depreciation of one investment of ``basis`` over ``years`` years."""
    if isinstance(years, bool) or int(years) != years or years <= 0:
        raise FinanceError([f"depreciation_years: {years!r} is not a positive whole number of years"])
    years = int(years)
    if method == "straight_line":
        return np.full(years, basis / years)
    if method != "declining_balance":
        raise FinanceError([f"depreciation: {method!r} is not straight_line or declining_balance"])
    out, left = np.zeros(years), float(basis)
    for k in range(years):
        remaining = years - k
        declining = left * factor / years
        straight = left / remaining
        out[k] = max(declining, straight)
        left -= out[k]
    return out


def depreciation(investment: np.ndarray, years: int, method: str = "straight_line", factor: float = 2.0) -> np.ndarray:
    """Depreciation in each year of a table whose year i invests ``investment[i]``.

    What would fall after the table's last year is dropped: the table is the project's life.
    """
    investment = np.asarray(investment, dtype=float)
    out = np.zeros(len(investment))
    for year, amount in enumerate(investment):
        if amount:
            part = schedule(amount, years, method, factor)[: len(investment) - year]
            out[year : year + len(part)] += part
    return out
