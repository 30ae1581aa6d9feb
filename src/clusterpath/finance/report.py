"""The finance report of a plan: every project's figures and each member's roll-up.

``finance_report`` returns plain data (a JSON-ready dict plus the yearly tables as
DataFrames) so any front end, the ``clusterpath finance`` command included, can print it.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from clusterpath.finance.appraisal import Appraisal, appraise, summary
from clusterpath.finance.financing import FinanceAssumptions
from clusterpath.finance.projects import projects
from clusterpath.pathway.result import PathwayResult

SHARED = "shared"
CONVENTIONS = {
    "money": "real, the cluster's currency of its base year",
    "discounting": "a flow of year y is discounted by (1 + r)^-(y - base year): the plan's first year is undiscounted",
    "project_view": "free cash flow (after tax on operating profit, before financing) at the after-tax WACC",
    "equity_view": "cash flow to equity (after debt service and the interest tax shield) at the cost of equity",
    "levelized_costs": "discounted costs before tax and support over discounted output, at the WACC",
    "funding_gap": "untaxed support that brings the project NPV to zero: one grant in the first year, "
                   "or the same amount yearly",
}  # fmt: skip


def finance_report(result: PathwayResult, assumptions: FinanceAssumptions | None = None, *,
                   output_prices: Mapping | None = None, policy: Mapping | None = None) -> dict:  # fmt: skip
    """Projects of the plan appraised under ``assumptions`` (default: the plan's discount rate, all equity, no tax)."""
    if assumptions is None:
        rate = float(result.data["discount_rate"]) if "discount_rate" in result.data else None
        if rate is None:
            raise ValueError("the plan result has no discount rate: give finance assumptions")
        assumptions = FinanceAssumptions.from_discount_rate(rate)
    base = result.periods[0]
    appraisals = [appraise(p, assumptions.for_project(p.name, p.member), base_year=base)
                  for p in projects(result, output_prices=output_prices, policy=policy)]  # fmt: skip
    return {
        "currency": result.currency,
        "base_year": base,
        "conventions": CONVENTIONS,
        "projects": [summary(a) for a in appraisals],
        "members": member_rollup(appraisals, base),
        "tables": {a.name: a.table for a in appraisals},
    }


def member_rollup(appraisals: list[Appraisal], base_year: int) -> dict:
    """Per member (and ``shared`` for the hub's projects): totals over its projects.

    NPVs add up because each is in base-year money; each project keeps its own WACC.
    """
    out: dict[str, dict] = {}
    for a in appraisals:
        owner = a.member or SHARED
        row = out.setdefault(owner, {"projects": [], "investment": 0.0, "npv": 0.0, "equity_npv": 0.0,
                                     "present_cost": 0.0, "funding_gap_grant": 0.0, "abated_tco2e": 0.0})  # fmt: skip
        row["projects"].append(a.name)
        row["investment"] += float(a.table["capex"].sum())
        row["npv"] += a.figures["npv"]
        row["equity_npv"] += a.figures["equity_npv"]
        row["present_cost"] += a.figures["present_cost"]
        row["funding_gap_grant"] += a.figures["funding_gap"]["grant"]
        row["abated_tco2e"] += float(a.table["abated_t"].sum())
    return out


def yearly_cash_flows(report: dict, column: str = "free_cash_flow") -> pd.DataFrame:
    """One column per project, one row per year: ``column`` of every project's table."""
    tables = report["tables"]
    return pd.DataFrame({name: table[column] for name, table in tables.items()}).fillna(0.0).sort_index()
