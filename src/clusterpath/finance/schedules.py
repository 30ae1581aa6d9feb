"""Yearly amounts of a plant's life that a cash-flow table takes as inputs.

A plant enters service in ``service_year`` after its construction years. Its first
year(s) of operation are a start-up at reduced output and costs; parts that wear out
(an electrolyser's stacks, a catalyst charge) are replaced every so many years.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from clusterpath.finance.errors import FinanceError


def operating(amount: float, years: Sequence[int], service_year: int, *, start_up: Sequence[float] = ()) -> np.ndarray:
    """``amount`` a year from ``service_year`` on, zero before; the first years scaled by ``start_up`` shares.

    E.g. ``start_up=(0.5,)``: half the output in the first year of operation.
    """
    years = np.asarray(list(years))
    if service_year not in years:
        raise FinanceError([f"service_year: {service_year} is not one of the years {years[0]}-{years[-1]}"])
    if any(not 0 <= share for share in start_up):
        raise FinanceError([f"start_up: shares must be non-negative, got {list(start_up)}"])
    out = np.where(years >= service_year, float(amount), 0.0)
    first = int(np.flatnonzero(years == service_year)[0])
    for k, share in enumerate(start_up):
        if first + k < len(out):
            out[first + k] *= share
    return out


def periodic(amount: float, every: int, years: Sequence[int], service_year: int) -> np.ndarray:
    """A replacement of ``amount`` every ``every`` years of operation.

    In ``service_year + every``, ``+ 2 every``, ... up to but not in the last year: a part
    is not renewed in the year the plant closes.
    """
    if isinstance(every, bool) or int(every) != every or every <= 0:
        raise FinanceError([f"every: {every!r} is not a positive whole number of years"])
    years = np.asarray(list(years))
    since = years - service_year
    due = (since > 0) & (since % int(every) == 0) & (years < years[-1])
    return np.where(due, float(amount), 0.0)
