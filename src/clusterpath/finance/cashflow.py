"""A project's yearly cash-flow table: operations, tax, debt and the equity's share.

Inputs are plain yearly amounts (a mapping of year to money, or a sequence as long as
the project's years), so results of other parts of clusterpath plug in as they are:
policy credits and grants from the plan, prices from a scenario, outputs from a plan.
Costs are positive numbers; credits, grants, revenue and savings are positive inflows.

Choices (docs/finance.md has the formulas):

- Investment is overnight money by the year the asset enters service, spent over the
  construction years just before it (``construction`` shares, the last share in the year
  before service); depreciation and operation start in the service year. The plan makes
  the same assumption: its annuities start in the build period's first year.
- Tax is levied on operating profit (revenue + savings - operating costs - depreciation,
  less interest for the equity view). Credits and grants are not taxed and do not reduce
  the depreciation base: a tax credit is not income, and many schemes treat grants so.
- A tax loss is carried forward without limit against later profits
  (``loss_relief='carry_forward'``), or is worth its tax in the year it arises when the
  member's other profits absorb it (``'group'``).
- Debt finances ``debt_share`` of each year's capital spending, drawn as it is spent and
  repaid over the tenor from the next year (``financing.loan_schedule``). Replacements and
  non-depreciable capital (land) are paid from the equity's and the operations' money.
- Replacements (a stack every few years, a yearly allowance for unplanned ones) are
  capital spent in the year given and depreciated from it. Salvage (an inflow) and
  decommissioning (a cost) are taxed like operating profit. A working-capital reserve of
  a share of each year's operating costs is built up as they rise and released in the
  last year.
- With inflation the table is nominal: every money input is real, in money of
  ``price_year`` (default the first year), and escalated by (1 + i) ** (year - price_year).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from clusterpath.finance.depreciation import depreciation
from clusterpath.finance.financing import FinanceError, Financing, loan_schedule

Yearly = Mapping[int, float] | Sequence[float] | np.ndarray | pd.Series

COSTS = ("fixed_om", "variable_om", "fuel", "electricity", "carbon")
INFLOWS = ("revenue", "savings", "credits", "grants")
CAPITAL = ("replacement", "non_depreciable")
END_OF_LIFE = ("salvage", "decommissioning")


@dataclass
class ProjectInputs:
    """What a project spends, earns and produces, year by year (real money of the base year).

    ``output`` maps a product (e.g. ``hydrogen_mwh``, ``heat_mwh``, ``electricity_mwh``) to
    its yearly amount; ``abated_t`` is the tCO2e a year it abates against its reference.
    """

    name: str
    years: Sequence[int]
    investment: Yearly = field(default_factory=dict)
    lifetime: float | None = None  # for depreciation when the financing gives no years
    construction: Sequence[float] = (1.0,)
    fixed_om: Yearly = field(default_factory=dict)
    variable_om: Yearly = field(default_factory=dict)
    fuel: Yearly = field(default_factory=dict)
    electricity: Yearly = field(default_factory=dict)
    carbon: Yearly = field(default_factory=dict)
    revenue: Yearly = field(default_factory=dict)
    savings: Yearly = field(default_factory=dict)
    credits: Yearly = field(default_factory=dict)
    grants: Yearly = field(default_factory=dict)
    output: Mapping[str, Yearly] = field(default_factory=dict)
    abated_t: Yearly = field(default_factory=dict)
    member: str | None = None
    replacement: Yearly = field(default_factory=dict)
    non_depreciable: Yearly = field(default_factory=dict)
    salvage: Yearly = field(default_factory=dict)
    decommissioning: Yearly = field(default_factory=dict)
    working_capital: float = 0.0  # reserve as a share of the year's operating costs
    price_year: int | None = None  # the money of the inputs, for inflation; default the first year

    def year_index(self) -> pd.Index:
        years = [int(y) for y in self.years]
        if not years:
            raise FinanceError([f"{self.name}.years: a project needs at least one year"])
        if years != list(range(years[0], years[0] + len(years))):
            raise FinanceError([f"{self.name}.years: years must be consecutive and increasing, got "
                                f"{years[0]}...{years[-1]} ({len(years)} values)"])  # fmt: skip
        return pd.Index(years, name="year")

    def series(self, name: str, values: Yearly | None = None) -> np.ndarray:
        """One input as an array over the project's years; a mapping may leave years out (zero)."""
        years = self.year_index()
        values = getattr(self, name) if values is None else values
        if isinstance(values, Mapping | pd.Series):
            mapping = {int(k): float(v) for k, v in values.items()}
            outside = sorted(set(mapping) - set(years))
            if outside and any(mapping[y] != 0 for y in outside):
                raise FinanceError([f"{self.name}.{name}: years {outside[0]}...{outside[-1]} are outside the "
                                    f"project's years {years[0]}-{years[-1]}"])  # fmt: skip
            out = np.array([mapping.get(int(y), 0.0) for y in years], dtype=float)
        else:
            out = np.asarray(values, dtype=float).reshape(-1)
            if len(out) != len(years):
                raise FinanceError([f"{self.name}.{name}: {len(out)} values for {len(years)} years "
                                    f"({years[0]}-{years[-1]}); give one value a year or a mapping of year "
                                    "to value"])  # fmt: skip
        if not np.isfinite(out).all():
            raise FinanceError([f"{self.name}.{name}: values must be finite numbers"])
        return out


def price_index(inputs: ProjectInputs, inflation: float) -> np.ndarray:
    """(1 + inflation) ** (year - price_year): real money of the price year to each year's nominal money."""
    years = inputs.year_index().to_numpy()
    base = years[0] if inputs.price_year is None else int(inputs.price_year)
    return (1.0 + inflation) ** (years - base).astype(float)


def capital_spending(inputs: ProjectInputs, index: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Investment spread over the construction years before each service year, and each vintage's cost.

    Both in the money of ``index`` (nominal when it escalates): the spending by year, and
    by service year what was spent for it, the vintage's depreciation basis.
    """
    shares = np.asarray(list(inputs.construction), dtype=float)
    if not len(shares) or (shares < 0).any() or not np.isclose(shares.sum(), 1.0):
        raise FinanceError([f"{inputs.name}.construction: shares must be non-negative and add up to 1, "
                            f"got {list(shares)}"])  # fmt: skip
    invest = inputs.series("investment")
    index = np.ones(len(invest)) if index is None else index
    spend, basis = np.zeros(len(invest)), np.zeros(len(invest))
    for year, amount in enumerate(invest):
        for k, share in enumerate(shares[::-1], start=1):  # k years before service
            if amount and share:
                if year - k < 0:
                    raise FinanceError([f"{inputs.name}.investment: construction of the {inputs.years[year]} "
                                        f"investment starts before the project's first year {inputs.years[0]}; "
                                        "add the construction years"])  # fmt: skip
                spend[year - k] += amount * share * index[year - k]
                basis[year] += amount * share * index[year - k]
    return spend, basis


def working_capital(operating_costs: np.ndarray, share: float) -> np.ndarray:
    """Cash put into (positive) or taken out of a reserve of ``share`` of each year's operating costs.

    The reserve follows the costs year by year and is released whole in the last year.
    """
    reserve = share * np.asarray(operating_costs, dtype=float)
    reserve[-1] = 0.0
    return np.diff(reserve, prepend=0.0)


def _tax(profit: np.ndarray, rate: float, relief: str) -> tuple[np.ndarray, np.ndarray]:
    """Tax each year and the loss carried out of it."""
    if relief == "group":
        return rate * profit, np.zeros(len(profit))
    tax, carried, pool = np.zeros(len(profit)), np.zeros(len(profit)), 0.0
    for i, value in enumerate(profit):
        if value < 0:
            pool -= value
        else:
            used = min(pool, value)
            pool -= used
            tax[i] = rate * (value - used)
        carried[i] = pool
    return tax, carried


def cash_flow_table(inputs: ProjectInputs, financing: Financing) -> pd.DataFrame:
    """One row a year: operations, depreciation, tax, the project's free cash flow, debt and equity.

    With ``financing.inflation`` the money columns are nominal; ``price_index`` deflates them.
    """
    years = inputs.year_index()
    if not 0 <= inputs.working_capital < 1:
        raise FinanceError([f"{inputs.name}.working_capital: {inputs.working_capital!r} is outside [0, 1); give "
                            "the reserve's share of a year's operating costs, e.g. 0.15"])  # fmt: skip
    index = price_index(inputs, financing.inflation)
    table = pd.DataFrame(index=years)
    table["price_index"] = index
    table["capex"], basis = capital_spending(inputs, index)
    for name in (*CAPITAL, *COSTS, *INFLOWS, *END_OF_LIFE):
        table[name] = inputs.series(name) * index
    for product, values in inputs.output.items():
        table[f"output:{product}"] = inputs.series(f"output.{product}", values)
    table["abated_t"] = inputs.series("abated_t")

    table["ebitda"] = table["revenue"] + table["savings"] - table[list(COSTS)].sum(axis=1)
    life = financing.depreciation_years or inputs.lifetime
    if life is None and (table["capex"].any() or table["replacement"].any()):
        raise FinanceError([f"{inputs.name}.lifetime: give the asset's lifetime or the financing's depreciation_years"])
    life = int(round(life)) if life else 1
    table["depreciation"] = depreciation(basis + table["replacement"].to_numpy(), life, financing.depreciation,
                                         financing.declining_factor,
                                         write_off=financing.book_value_at_end == "written_off")  # fmt: skip
    table["ebit"] = table["ebitda"] - table["depreciation"] + table["salvage"] - table["decommissioning"]
    table["tax"], table["loss_carried"] = _tax(table["ebit"].to_numpy(), financing.tax_rate, financing.loss_relief)
    table["working_capital"] = working_capital(table[list(COSTS)].sum(axis=1).to_numpy(), inputs.working_capital)
    support = table["credits"] + table["grants"]
    table["free_cash_flow"] = (table["ebitda"] + table["salvage"] - table["decommissioning"] - table["tax"]
                               - table["capex"] - table[list(CAPITAL)].sum(axis=1) - table["working_capital"]
                               + support)  # fmt: skip

    loan = loan_schedule(financing.debt_share * table["capex"].to_numpy(), financing.nominal_cost_of_debt,
                         financing.tenor, financing.repayment, financing.interest_in_draw_year)  # fmt: skip
    n = len(table)
    if loan.iloc[n:][["interest", "principal"]].abs().to_numpy().sum() > 0:
        # Debt outlives the project's years: repay the rest in the last year rather than drop it.
        rest = loan.iloc[n - 1]["closing_balance"]
        loan = loan.iloc[:n].copy()
        loan.loc[loan.index[-1], "principal"] += rest
        loan.loc[loan.index[-1], "closing_balance"] = 0.0
    loan = loan.iloc[:n]
    table["debt_draw"] = loan["draw"].to_numpy()
    table["interest"] = loan["interest"].to_numpy()
    table["principal"] = loan["principal"].to_numpy()
    table["debt_balance"] = loan["closing_balance"].to_numpy()
    levered_tax, levered_loss = _tax((table["ebit"] - table["interest"]).to_numpy(), financing.tax_rate,
                                     financing.loss_relief)  # fmt: skip
    table["tax_levered"] = levered_tax
    table["loss_carried_levered"] = levered_loss
    table["interest_tax_shield"] = table["tax"] - table["tax_levered"]
    table["equity_cash_flow"] = (table["free_cash_flow"] + table["debt_draw"] - table["interest"] - table["principal"]
                                 + table["interest_tax_shield"])  # fmt: skip
    return table
