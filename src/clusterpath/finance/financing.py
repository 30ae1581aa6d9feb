"""How a project is paid for: cost of equity and debt, debt share and tenor, tax, the WACC.

Every rate is real (the cluster's money is real, base year) and per year. A cluster has
one default ``Financing``; a member or a single project may have its own
(``FinanceAssumptions``), because a utility borrows cheaper than a start-up. With general
``inflation`` the cash-flow table is nominal and its rates are the nominal ones,
(1 + real)(1 + inflation) - 1 (``nominal_rate``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any, Literal

import numpy as np
import pandas as pd

from clusterpath.finance.errors import FinanceError
from clusterpath.io.errors import InputError

DEPRECIATION_METHODS = ("straight_line", "declining_balance", "macrs")
LOSS_RELIEF = ("carry_forward", "group")
REPAYMENT = ("annuity", "bullet")
BOOK_VALUE_AT_END = ("dropped", "written_off")


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float | np.floating | np.integer) and not isinstance(value, bool)


@dataclass(frozen=True)
class Financing:
    """Financing terms of one project (real rates per year, shares as fractions).

    ``tenor`` is the years over which each debt draw is repaid as an annuity;
    ``depreciation_years`` defaults to the asset's lifetime. ``loss_relief`` says what a tax
    loss is worth: ``carry_forward`` (a stand-alone project company keeps it against its own
    later profits) or ``group`` (the member's other profits absorb it in the same year).

    ``inflation`` (general, per year) makes the table nominal: money inputs are real and
    escalated, depreciation and debt stay fixed in nominal terms, and discounting uses
    the nominal rates. ``repayment`` is ``annuity`` (level payments over the tenor) or
    ``bullet`` (interest only, all principal at the tenor's end or the table's last year).
    ``book_value_at_end`` is ``dropped`` or ``written_off`` (deducted in the last year, as on
    disposal of the plant). ``interest_in_draw_year``: debt is drawn at the start of the year
    and pays interest in it (interest during construction, paid as it accrues), instead of
    being drawn at its end.
    """

    cost_of_equity: float
    cost_of_debt: float = 0.0
    debt_share: float = 0.0
    tax_rate: float = 0.0
    tenor: int = 15
    depreciation: Literal["straight_line", "declining_balance"] = "straight_line"
    depreciation_years: int | None = None
    declining_factor: float = 2.0
    loss_relief: Literal["carry_forward", "group"] = "carry_forward"
    inflation: float = 0.0
    repayment: Literal["annuity", "bullet"] = "annuity"
    book_value_at_end: Literal["dropped", "written_off"] = "dropped"
    interest_in_draw_year: bool = False

    def __post_init__(self) -> None:
        problems = self.problems()
        if problems:
            raise FinanceError(problems)

    def problems(self, where: str = "") -> list[str]:
        p = []
        name = (lambda f: f"{where}.{f}" if where else f)  # noqa: E731
        for key in ("cost_of_equity", "cost_of_debt", "debt_share", "tax_rate", "declining_factor", "inflation"):
            value = getattr(self, key)
            if not _is_number(value) or not math.isfinite(value):
                p.append(f"{name(key)}: expected a finite number, got {value!r}")
        if p:
            return p
        if self.cost_of_equity <= -1:
            p.append(f"{name('cost_of_equity')}: {self.cost_of_equity:g} is at or below -100 % a year; "
                     "a discount rate must be above -1 (give 0.08 for 8 %)")  # fmt: skip
        if self.cost_of_debt <= -1:
            p.append(f"{name('cost_of_debt')}: {self.cost_of_debt:g} is at or below -100 % a year; give 0.05 for 5 %")
        if not 0 <= self.debt_share <= 1:
            p.append(f"{name('debt_share')}: {self.debt_share:g} is outside [0, 1]; give the debt's share of the "
                     "investment, e.g. 0.6 for 60 %")  # fmt: skip
        if not 0 <= self.tax_rate < 1:
            p.append(f"{name('tax_rate')}: {self.tax_rate:g} is outside [0, 1); give 0.25 for 25 %")
        if isinstance(self.tenor, bool) or not isinstance(self.tenor, int | np.integer) or self.tenor <= 0:
            p.append(f"{name('tenor')}: {self.tenor!r} is not a positive whole number of years")
        if self.depreciation not in DEPRECIATION_METHODS:
            p.append(f"{name('depreciation')}: {self.depreciation!r} is not one of {', '.join(DEPRECIATION_METHODS)}")
        if self.depreciation_years is not None and (
            isinstance(self.depreciation_years, bool) or not isinstance(self.depreciation_years, int | np.integer)
            or self.depreciation_years <= 0
        ):  # fmt: skip
            p.append(f"{name('depreciation_years')}: {self.depreciation_years!r} is not a positive whole number")
        if self.depreciation == "macrs" and self.depreciation_years is not None:
            from clusterpath.finance.depreciation import macrs_periods  # it imports this module

            if self.depreciation_years not in macrs_periods():
                p.append(f"{name('depreciation_years')}: MACRS has no {self.depreciation_years}-year table "
                         f"(known: {', '.join(map(str, macrs_periods()))})")  # fmt: skip
        if self.declining_factor <= 0:
            p.append(f"{name('declining_factor')}: {self.declining_factor:g} must be above 0 (2 for double declining)")
        if self.loss_relief not in LOSS_RELIEF:
            p.append(f"{name('loss_relief')}: {self.loss_relief!r} is not one of {', '.join(LOSS_RELIEF)}")
        if self.inflation <= -1:
            p.append(f"{name('inflation')}: {self.inflation:g} is at or below -100 % a year; give 0.02 for 2 %")
        if self.repayment not in REPAYMENT:
            p.append(f"{name('repayment')}: {self.repayment!r} is not one of {', '.join(REPAYMENT)}")
        if not isinstance(self.interest_in_draw_year, bool):
            p.append(f"{name('interest_in_draw_year')}: {self.interest_in_draw_year!r} is not true or false")
        if self.book_value_at_end not in BOOK_VALUE_AT_END:
            p.append(f"{name('book_value_at_end')}: {self.book_value_at_end!r} is not one of "
                     f"{', '.join(BOOK_VALUE_AT_END)}")  # fmt: skip
        if not p and self.wacc <= -1:
            p.append(f"{name('cost_of_equity')}: the WACC these terms give, {self.wacc:g}, is at or below -1")
        return p

    @property
    def wacc(self) -> float:
        return wacc(self.cost_of_equity, self.cost_of_debt, self.debt_share, self.tax_rate)

    @property
    def nominal_cost_of_equity(self) -> float:
        return nominal_rate(self.cost_of_equity, self.inflation)

    @property
    def nominal_cost_of_debt(self) -> float:
        return nominal_rate(self.cost_of_debt, self.inflation)

    @property
    def nominal_wacc(self) -> float:
        """The WACC of the nominal table: equal to ``wacc`` without inflation."""
        return wacc(self.nominal_cost_of_equity, self.nominal_cost_of_debt, self.debt_share, self.tax_rate)

    def with_(self, **changes: Any) -> Financing:
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        return Financing(**{**values, **changes})


def wacc(cost_of_equity: float, cost_of_debt: float, debt_share: float, tax_rate: float = 0.0) -> float:
    """After-tax weighted average cost of capital: interest is deductible, so debt costs kd (1 - t)."""
    if not 0 <= debt_share <= 1:
        raise FinanceError([f"debt_share: {debt_share:g} is outside [0, 1]"])
    if not 0 <= tax_rate < 1:
        raise FinanceError([f"tax_rate: {tax_rate:g} is outside [0, 1)"])
    value = (1 - debt_share) * cost_of_equity + debt_share * cost_of_debt * (1 - tax_rate)
    if value <= -1:
        raise FinanceError([f"wacc: {value:g} is at or below -1, so no discount factor exists"])
    return value


def nominal_rate(real: float, inflation: float) -> float:
    """Fisher: the nominal rate that earns ``real`` after ``inflation``, (1 + r)(1 + i) - 1."""
    return (1 + real) * (1 + inflation) - 1


def real_rate(nominal: float, inflation: float) -> float:
    """The real rate a ``nominal`` rate earns after ``inflation``, (1 + n) / (1 + i) - 1."""
    if inflation <= -1:
        raise FinanceError([f"inflation: {inflation:g} is at or below -1"])
    return (1 + nominal) / (1 + inflation) - 1


def annuity_factor(rate: float, years: int) -> float:
    """Capital recovery factor: the level yearly payment that repays 1 over ``years`` at ``rate``."""
    if years <= 0:
        raise FinanceError([f"tenor: {years!r} is not a positive number of years"])
    if rate == 0:
        return 1.0 / years
    return rate / (1 - (1 + rate) ** -years)


def loan_schedule(draws: Sequence[float] | np.ndarray, rate: float, tenor: int, repayment: str = "annuity",
                  interest_in_draw_year: bool = False) -> pd.DataFrame:  # fmt: skip
    """Yearly debt service of loans drawn in each year (index 0, 1, ...), each repaid over its tenor.

    A draw in year i is repaid by ``tenor`` level payments in years i+1 ... i+tenor
    (``annuity``), or pays interest only in those years and all its principal in year
    i+tenor (``bullet``); interest in a year is charged on the balance at the start of it,
    so a draw pays no interest in its own year, unless ``interest_in_draw_year`` (drawn at
    the year's start, it pays a year's interest on the whole draw then). The table runs
    until the last draw is repaid.
    """
    if repayment not in REPAYMENT:
        raise FinanceError([f"repayment: {repayment!r} is not one of {', '.join(REPAYMENT)}"])
    draws = np.asarray(draws, dtype=float)
    if isinstance(tenor, bool) or not isinstance(tenor, int | np.integer) or tenor <= 0:
        raise FinanceError([f"tenor: {tenor!r} is not a positive whole number of years"])
    if rate <= -1:
        raise FinanceError([f"cost_of_debt: {rate:g} is at or below -1"])
    n = len(draws) + int(tenor)
    interest, principal, opening = np.zeros(n), np.zeros(n), np.zeros(n)
    factor = annuity_factor(rate, int(tenor)) if repayment == "annuity" else rate
    for year, amount in enumerate(draws):
        if amount == 0:
            continue
        balance, payment = amount, amount * factor
        if interest_in_draw_year:
            interest[year] += rate * amount
        for k in range(1, int(tenor) + 1):
            t = year + k
            opening[t] += balance
            paid_interest = rate * balance
            repaid = payment - paid_interest if k < tenor else balance  # the last payment clears rounding
            interest[t] += paid_interest
            principal[t] += repaid
            balance -= repaid
    drawn = np.concatenate([draws, np.zeros(int(tenor))])
    closing = np.cumsum(drawn - principal)
    return pd.DataFrame({"draw": drawn, "opening_balance": opening, "interest": interest, "principal": principal,
                         "payment": interest + principal, "closing_balance": closing})  # fmt: skip


@dataclass
class FinanceAssumptions:
    """The cluster's default financing, and the members' and projects' own where they differ."""

    default: Financing
    members: dict[str, Financing] = field(default_factory=dict)
    projects: dict[str, Financing] = field(default_factory=dict)

    def for_project(self, project: str, member: str | None = None) -> Financing:
        if project in self.projects:
            return self.projects[project]
        if member is not None and member in self.members:
            return self.members[member]
        return self.default

    @classmethod
    def from_discount_rate(cls, rate: float) -> FinanceAssumptions:
        """All equity, untaxed, at the plan's discount rate: the finance view agrees with the plan."""
        return cls(Financing(cost_of_equity=float(rate)))

    @classmethod
    def from_mapping(cls, data: Mapping, default_rate: float, source: str = "finance") -> FinanceAssumptions:
        """From ``{default: {...}, members: {id: {...}}, projects: {id: {...}}}`` (e.g. a YAML file).

        Terms not given fall back to the default's, and the default's to an all-equity,
        untaxed financing at ``default_rate``.
        """
        if not isinstance(data, Mapping):
            raise FinanceError([f"(top level): expected a mapping with 'default', 'members' or 'projects', "
                                f"got {type(data).__name__}"], source)  # fmt: skip
        problems = [f"{key}: is not a known field (expected default, members or projects)"
                    for key in data if key not in ("default", "members", "projects")]  # fmt: skip
        base = Financing(cost_of_equity=float(default_rate))
        # A broken default still lets the members' and projects' own terms be checked.
        default = _terms(data.get("default") or {}, base, "default", problems) or base
        sections: dict[str, dict[str, Financing]] = {"members": {}, "projects": {}}
        for section in sections:
            entries = data.get(section) or {}
            if not isinstance(entries, Mapping):
                problems.append(f"{section}: expected a mapping of id to financing terms")
                continue
            for key, terms in entries.items():
                made = _terms(terms, default, f"{section}.{key}", problems)
                if made is not None:
                    sections[section][str(key)] = made
        if problems:
            raise FinanceError(problems, source)
        return cls(default, sections["members"], sections["projects"])

    @classmethod
    def from_file(cls, path, default_rate: float) -> FinanceAssumptions:
        """From a YAML or JSON file laid out as ``from_mapping`` reads it (docs/finance.md)."""
        from pathlib import Path

        import yaml

        from clusterpath.io import limits
        from clusterpath.finance.errors import FinanceError

        path = Path(path)
        try:
            data = limits.parse_yaml(path.read_text(encoding="utf-8"), str(path))
        except OSError as error:
            raise FinanceError([f"cannot read it: {error.strerror or error}"], str(path)) from None
        except yaml.YAMLError as error:
            raise FinanceError([f"is not valid YAML or JSON: {error}"], str(path)) from None
        except InputError as error:
            raise FinanceError(error.problems, str(path)) from None
        return cls.from_mapping(data or {}, default_rate, source=str(path))


def _terms(terms: Any, base: Financing, where: str, problems: list[str]) -> Financing | None:
    if not isinstance(terms, Mapping):
        problems.append(f"{where}: expected a mapping of financing terms, got {terms!r}")
        return None
    known = {f.name for f in fields(Financing)}
    unknown = [k for k in terms if k not in known]
    for key in unknown:
        problems.append(f"{where}.{key}: is not a known field (expected any of {', '.join(sorted(known))})")
    if unknown:
        return None
    values = {f.name: getattr(base, f.name) for f in fields(Financing)}
    values.update(terms)
    try:
        return Financing(**values)
    except FinanceError as error:
        problems.extend(f"{where}.{p}" for p in error.problems)
        return None
