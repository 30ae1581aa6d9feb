"""Figures of merit of yearly cash flows: NPV, IRR, payback, levelized costs, funding gap.

Flows are a sequence (year 0, 1, ...) or a ``pandas.Series`` indexed by calendar year.
Discounting (docs/finance.md): a flow of year ``y`` is worth ``(1 + r) ** -(y - base + s)``
today, with ``base`` the first year unless given and ``s`` = 0 (``timing='start'``: the
first year's flows are not discounted, as in the plan and in textbook NPV), 0.5 (mid-year)
or 1 (end of year).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.optimize import brentq

from clusterpath.finance.errors import FinanceError

TIMING = {"start": 0.0, "mid": 0.5, "end": 1.0}
Flows = Sequence[float] | np.ndarray | pd.Series


def _years(flows: Flows, years: Sequence[int] | None = None) -> tuple[np.ndarray, np.ndarray]:
    if isinstance(flows, pd.Series):
        values, index = flows.to_numpy(dtype=float), np.asarray(flows.index, dtype=float)
    else:
        values = np.asarray(flows, dtype=float).reshape(-1)
        index = np.arange(len(values), dtype=float)
    if years is not None:
        index = np.asarray(years, dtype=float)
        if len(index) != len(values):
            raise FinanceError([f"years: {len(index)} years for {len(values)} cash flows; give one year per flow"])
    if not np.isfinite(values).all():
        raise FinanceError(["flows: cash flows must be finite numbers"])
    return values, index


def _check_rate(rate: float, what: str = "rate") -> float:
    if isinstance(rate, bool) or not np.isfinite(rate):
        raise FinanceError([f"{what}: expected a finite number, got {rate!r}"])
    if rate <= -1:
        raise FinanceError([f"{what}: {rate:g} is at or below -1 (-100 % a year), where discounting has no meaning"])
    return float(rate)


def discount_factors(years: Sequence[float] | np.ndarray, rate: float, base_year: float | None = None,
                     timing: str = "start") -> np.ndarray:  # fmt: skip
    rate = _check_rate(rate)
    if timing not in TIMING:
        raise FinanceError([f"timing: {timing!r} is not one of {', '.join(TIMING)}"])
    years = np.asarray(years, dtype=float)
    base = years[0] if base_year is None and len(years) else (base_year or 0.0)
    return (1 + rate) ** -(years - base + TIMING[timing])


def present_value(flows: Flows, rate: float, *, years: Sequence[int] | None = None, base_year: float | None = None,
                  timing: str = "start") -> float:  # fmt: skip
    values, index = _years(flows, years)
    return float(np.sum(values * discount_factors(index, rate, base_year, timing)))


def npv(rate: float, flows: Flows, *, years: Sequence[int] | None = None, base_year: float | None = None,
        timing: str = "start") -> float:  # fmt: skip
    """Net present value of yearly flows at ``rate``."""
    return present_value(flows, rate, years=years, base_year=base_year, timing=timing)


def _check_same_length(**named: Flows) -> None:
    lengths = {name: len(values) for name, values in named.items()}
    if len(set(lengths.values())) > 1:
        listed = ", ".join(f"{name} has {n}" for name, n in lengths.items())
        raise FinanceError([f"flows of different lengths: {listed} values; give one value a year for the same years"])
    for name, values in named.items():
        if isinstance(values, pd.Series) and not values.index.equals(next(iter(named.values())).index):
            raise FinanceError([f"{name}: its years differ from those of {next(iter(named))}"])


@dataclass
class IRR:
    """The internal rate of return: ``value`` when exactly one exists, every root in ``roots``.

    Flows that change sign more than once can have several rates that zero the NPV
    (Descartes' rule of signs bounds their number by the sign changes); none of them is
    then *the* IRR, and ``value`` is None with ``note`` saying why.
    """

    value: float | None
    roots: list[float] = field(default_factory=list)
    note: str = ""


def irr(flows: Flows) -> IRR:
    """Every rate above -100 % at which the NPV of ``flows`` (consecutive years) is zero.

    The NPV is a polynomial in x = 1 / (1 + r); its positive real roots are found from the
    companion matrix and each is polished by bracketing on the NPV itself.
    """
    values, _ = _years(flows)
    nonzero = np.flatnonzero(values)
    if len(nonzero) == 0:
        return IRR(None, [], "all cash flows are zero: every rate gives an NPV of zero")
    values = values[nonzero[0] : nonzero[-1] + 1]  # leading zeros scale, trailing zeros add, no roots
    signs = np.sign(values[values != 0])
    changes = int(np.sum(signs[1:] != signs[:-1]))
    if changes == 0:
        return IRR(None, [], "the cash flows never change sign (all inflows or all outflows): "
                             "no rate makes the NPV zero")

    def at(rate: float) -> float:
        return float(np.sum(values * (1 + rate) ** -np.arange(len(values), dtype=float)))

    # NPV(r) = sum c_t x^t: numpy.roots wants the highest power first.
    candidates = np.roots(values[::-1]) if len(values) > 1 else np.array([])
    roots: list[float] = []
    for x in candidates:
        if abs(x.imag) > 1e-7 * max(1.0, abs(x.real)) or x.real <= 0:
            continue
        rate = 1 / x.real - 1
        polished = _polish(at, rate)
        if polished is not None and not any(np.isclose(polished, r, rtol=1e-9, atol=1e-10) for r in roots):
            roots.append(polished)
    roots.sort()
    if len(roots) == 1:
        return IRR(roots[0], roots)
    if not roots:
        return IRR(None, [], f"the cash flows change sign {changes} times but no rate above -100 % makes the NPV zero")
    listed = ", ".join(f"{r:.4%}" for r in roots)
    return IRR(None, roots, f"{len(roots)} rates make the NPV zero ({listed}): the cash flows change sign "
                            f"{changes} times, so no single IRR exists; judge the project by its NPV")  # fmt: skip


def _polish(at, guess: float) -> float | None:
    if guess <= -1:
        return None
    step = 1e-6 * max(1.0, abs(guess))
    for _ in range(40):
        lo, hi = max(guess - step, -1 + 1e-12), guess + step
        f_lo, f_hi = at(lo), at(hi)
        if f_lo == 0:
            return lo
        if f_hi == 0:
            return hi
        if np.sign(f_lo) != np.sign(f_hi):
            return float(brentq(at, lo, hi, xtol=1e-14, rtol=1e-12, maxiter=200))
        step *= 4
        if step > 1e3:
            break
    # A double root touches zero without crossing: accept the polynomial's value if it is tiny.
    scale = max(1.0, abs(at(-0.0)))
    return guess if abs(at(guess)) < 1e-9 * scale else None


def payback(flows: Flows, rate: float | None = None, *, years: Sequence[int] | None = None,
            timing: str = "start") -> float | None:  # fmt: skip
    """Years from the first flow until the cumulative (discounted, with ``rate``) flow turns non-negative for good.

    Interpolated within the year it turns; None when it never does.
    """
    values, index = _years(flows, years)
    if rate is not None:
        values = values * discount_factors(index, rate, index[0] if len(index) else None, timing)
    cumulative = np.cumsum(values)
    negative = np.flatnonzero(cumulative < -1e-9 * max(1.0, np.abs(values).max(initial=0.0)))
    if len(negative) == 0:
        return 0.0
    last = negative[-1]
    if last == len(values) - 1:
        return None
    # Turns between the end of year ``last`` and that of ``last + 1``.
    return float(last + -cumulative[last] / values[last + 1])


def levelized_cost(costs: Flows, output: Flows, rate: float, *, years: Sequence[int] | None = None,
                   base_year: float | None = None, timing: str = "start") -> float:  # fmt: skip
    """Discounted costs over discounted output: the constant price that makes NPV zero before tax."""
    _check_same_length(costs=costs, output=output)
    return _per_unit(costs, output, rate, years, base_year, timing,
                     "output: its discounted sum is not positive, so no cost per unit exists")  # fmt: skip


def levelized_cost_of_abatement(net_cost: Flows, abated: Flows, rate: float, *, years: Sequence[int] | None = None,
                                base_year: float | None = None, timing: str = "start") -> float:  # fmt: skip
    """Discounted net cost (against the reference) over discounted tonnes abated, per tCO2e."""
    _check_same_length(net_cost=net_cost, abated=abated)
    return _per_unit(net_cost, abated, rate, years, base_year, timing,
                     "abated: the project abates nothing (discounted), so no cost per tonne exists")  # fmt: skip


def _per_unit(costs: Flows, units: Flows, rate: float, years, base_year, timing: str, nothing: str) -> float:
    pv_units = present_value(units, rate, years=years, base_year=base_year, timing=timing)
    if pv_units <= 0:
        raise FinanceError([nothing])
    return present_value(costs, rate, years=years, base_year=base_year, timing=timing) / pv_units


def funding_gap(flows: Flows, rate: float, *, output: Flows | None = None, years: Sequence[int] | None = None,
                base_year: float | None = None, timing: str = "start",
                grant_year: int | None = None) -> dict:  # fmt: skip
    """The untaxed support that brings the NPV of ``flows`` to zero (zero where it is already positive).

    ``grant``: one payment in ``grant_year`` (default the first year); ``yearly``: the same
    amount every year; ``per_unit``: so much per unit of ``output``.
    """
    values, index = _years(flows, years)
    value = present_value(values, rate, years=index, base_year=base_year, timing=timing)
    gap = max(0.0, -value)
    factors = discount_factors(index, rate, base_year, timing)
    at = index[0] if grant_year is None else float(grant_year)
    if at not in index:
        raise FinanceError([f"grant_year: {grant_year} is not one of the flows' years"])
    out = {"npv": value, "grant": gap / float(factors[index == at][0]), "yearly": gap / float(factors.sum())}
    if output is not None:
        _check_same_length(flows=flows, output=output)
        pv_output = present_value(output, rate, years=index, base_year=base_year, timing=timing)
        out["per_unit"] = gap / pv_output if pv_output > 0 else None
    return out
