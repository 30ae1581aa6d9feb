"""Project finance of a solved pathway: cash flows, financing, NPV, IRR, levelized costs.

Data flows one way: a ``PathwayResult`` becomes projects (``projects``), each project a
yearly cash-flow table (``cashflow``), each table a set of figures (``appraisal``,
``metrics``). Formulas and conventions are in docs/finance.md.
"""

from clusterpath.finance.appraisal import Appraisal, appraise
from clusterpath.finance.cashflow import ProjectInputs, cash_flow_table
from clusterpath.finance.financing import (
    FinanceAssumptions,
    FinanceError,
    Financing,
    loan_schedule,
    nominal_rate,
    real_rate,
    wacc,
)
from clusterpath.finance.metrics import (
    IRR,
    discount_factors,
    funding_gap,
    irr,
    levelized_cost,
    levelized_cost_of_abatement,
    npv,
    payback,
)

__all__ = [
    "IRR", "Appraisal", "FinanceAssumptions", "FinanceError", "Financing", "ProjectInputs", "appraise",
    "cash_flow_table", "discount_factors", "funding_gap", "irr", "levelized_cost", "levelized_cost_of_abatement",
    "loan_schedule", "nominal_rate", "npv", "payback", "real_rate", "wacc",
]  # fmt: skip
