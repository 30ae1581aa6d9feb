"""A project's figures from its cash-flow table: what an investment committee reads.

The project (unlevered) view discounts the free cash flow at the after-tax WACC; the
equity view discounts the equity's cash flow at the cost of equity. Levelized costs are
before tax and support, discounted at the WACC; the funding gap and break-even prices are
solved on the full table, tax and losses included. With inflation the table is nominal and
is discounted at the nominal rates; levelized costs and break-even prices are real, in
money of the inputs' price year.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
from scipy.optimize import brentq

from clusterpath.finance import metrics
from clusterpath.finance.cashflow import CAPITAL, COSTS, ProjectInputs, cash_flow_table
from clusterpath.finance.financing import FinanceError, Financing

# Lower heating value of hydrogen, 119.96 MJ/kg (PNNL Hydrogen Tools, "Lower and Higher
# Heating Values of Fuels"; the H2A models use the same 120 MJ/kg).
HYDROGEN_LHV_MWH_PER_KG = 119.96 / 3600.0
HEAT_PRODUCTS = ("heat", "steam")


@dataclass
class Appraisal:
    name: str
    member: str | None
    financing: Financing
    table: pd.DataFrame
    figures: dict = field(default_factory=dict)


def _pv(table: pd.DataFrame, column: str | pd.Series, rate: float, base_year: int | None, timing: str) -> float:
    series = table[column] if isinstance(column, str) else column
    return metrics.npv(rate, series, base_year=base_year, timing=timing)


def appraise(inputs: ProjectInputs, financing: Financing, *, base_year: int | None = None,
             timing: str = "start") -> Appraisal:  # fmt: skip
    """The cash-flow table of ``inputs`` under ``financing`` and every figure of it."""
    table = cash_flow_table(inputs, financing)
    rate = financing.nominal_wacc
    years = table.index
    base = years[0] if base_year is None else base_year
    fcf, equity = table["free_cash_flow"], table["equity_cash_flow"]
    project_irr, equity_irr = metrics.irr(fcf.to_numpy()), metrics.irr(equity.to_numpy())
    costs = pre_tax_costs(table)
    support = table["credits"] + table["grants"]
    figures: dict = {
        "wacc": rate,  # the table's discount rate: nominal with inflation, so funding.py can discount capex
        "real_wacc": financing.wacc,
        "npv": _pv(table, "free_cash_flow", rate, base, timing),
        "equity_npv": _pv(table, "equity_cash_flow", financing.nominal_cost_of_equity, base, timing),
        "irr": project_irr.value, "irr_roots": project_irr.roots, "irr_note": project_irr.note,
        "equity_irr": equity_irr.value, "equity_irr_roots": equity_irr.roots, "equity_irr_note": equity_irr.note,
        "payback_years": metrics.payback(fcf),
        "discounted_payback_years": metrics.payback(fcf, rate, timing=timing),
        "present_cost": _pv(table, costs, rate, base, timing),
        "present_support": _pv(table, support, rate, base, timing),
    }  # fmt: skip
    levelized = {}
    # Levelized costs are real: deflated costs at the real WACC (the same as a price escalating with inflation).
    real_rate, deflator = financing.wacc, table["price_index"]
    for column in [c for c in table.columns if c.startswith("output:")]:
        product = column.removeprefix("output:")
        if _pv(table, column, rate, base, timing) <= 0:
            continue
        per_unit = metrics.levelized_cost(costs / deflator, table[column], real_rate, base_year=base, timing=timing)
        net = metrics.levelized_cost((costs - support) / deflator, table[column], real_rate, base_year=base,
                                     timing=timing)  # fmt: skip
        levelized[product] = {"cost": per_unit, "cost_net_of_support": net,
                              "break_even_price": break_even_price(inputs, financing, product, base_year=base,
                                                                   timing=timing)}  # fmt: skip
        if product.startswith("hydrogen") and product.endswith("_mwh"):
            levelized[product]["cost_per_kg"] = per_unit * HYDROGEN_LHV_MWH_PER_KG
    figures["levelized"] = levelized
    abated = table["abated_t"]
    if _pv(table, abated, rate, base, timing) > 0:
        net_cost = (costs - table["savings"] - table["revenue"]) / deflator
        figures["abatement_cost_per_t"] = metrics.levelized_cost_of_abatement(
            net_cost, abated, real_rate, base_year=base, timing=timing)  # fmt: skip
    else:
        figures["abatement_cost_per_t"] = None
    gap = metrics.funding_gap(fcf, rate, base_year=base, timing=timing)
    figures["funding_gap"] = {"grant": gap["grant"], "grant_year": int(years[0]), "yearly": gap["yearly"]}
    return Appraisal(inputs.name, inputs.member, financing, table, figures)


def pre_tax_costs(table: pd.DataFrame) -> pd.Series:
    """What the project spends each year before tax and support: capital, operations, end of life, working capital."""
    return (table["capex"] + table[list(CAPITAL)].sum(axis=1) + table[list(COSTS)].sum(axis=1)
            + table["decommissioning"] - table["salvage"] + table["working_capital"])  # fmt: skip


def break_even_price(inputs: ProjectInputs, financing: Financing, product: str, *, base_year: int | None = None,
                     timing: str = "start", view: str = "project") -> float | None:  # fmt: skip
    """The price per unit of ``product``, taxed as revenue, on top of the project's other inflows, at which NPV is zero.

    ``view="project"``: the free cash flow's NPV at the WACC; ``"equity"``: the equity's cash
    flow at the cost of equity, the price that just earns the equity its return (the H2A
    models' hydrogen price). The price is real, in money of the inputs' price year, and
    rises with inflation. With neither tax nor other inflows it is the levelized cost.
    None when no price does it (the product is never delivered).
    """
    if view not in ("project", "equity"):
        raise FinanceError([f"view: {view!r} is not project or equity"])
    if product not in inputs.output:
        raise FinanceError([f"{inputs.name}.output: no product '{product}' (has {', '.join(inputs.output) or 'none'})"])
    volume = inputs.series(f"output.{product}", inputs.output[product])
    revenue = inputs.series("revenue")
    rate, column = ((financing.nominal_wacc, "free_cash_flow") if view == "project"
                    else (financing.nominal_cost_of_equity, "equity_cash_flow"))  # fmt: skip

    def value(price: float) -> float:
        priced = replace(inputs, revenue=revenue + price * volume)
        table = cash_flow_table(priced, financing)
        return metrics.npv(rate, table[column], base_year=base_year, timing=timing)

    if not volume.any():
        return None
    return _root(value)


def _root(value) -> float | None:
    """The zero of a non-decreasing function of a price, found by widening a bracket."""
    lo, hi = -1.0, 1.0
    f_lo, f_hi = value(lo), value(hi)
    for _ in range(80):
        if f_lo <= 0 <= f_hi:
            return float(brentq(value, lo, hi, xtol=1e-12, rtol=1e-12, maxiter=500))
        if f_lo > 0:
            lo, f_lo = lo * 4, value(lo * 4)
        if f_hi < 0:
            hi, f_hi = hi * 4, value(hi * 4)
    return None


def summary(appraisal: Appraisal) -> dict:
    """The figures as plain JSON-ready numbers."""
    return {"project": appraisal.name, "member": appraisal.member, **_plain(appraisal.figures)}


def _plain(value):
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, float | np.floating):
        return float(value) if np.isfinite(value) else None
    return value
