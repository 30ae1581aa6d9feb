"""Policy terms of the pathway model: credits, grants, contracts for difference, mandates, border charges.

Each is a plain table on the ``Network`` (``Network.policy``), so a hand-written test
network carries them as well as a cluster's; ``add_constraints`` adds their variables
and rows, ``costs`` their net present cost by kind (credits negative). The equations are
in docs/model.md, section 8.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Protocol

import linopy
import numpy as np
import pandas as pd
import xarray as xr

from clusterpath.pathway.tables import annuity, period_table


class PathwayModel(Protocol):
    """What policy terms read of the pathway model (``network.PathwayModel``, which adds them while it builds):
    a protocol, so that this module need not import the model that imports it."""

    network: Any  # network.Network
    model: linopy.Model
    coords: dict[str, pd.Index]
    flow: linopy.Variable
    new: linopy.Variable
    investment: linopy.Variable | None
    scaled_units: pd.Index
    activity: xr.DataArray
    availability: xr.DataArray
    emissions: linopy.LinearExpression | None
    emission_constant: xr.DataArray
    policy_costs: dict[str, linopy.LinearExpression]


@dataclass
class OutputCredit:
    """A credit per unit of qualifying output of new capacity, for ``credit_years`` from its build.

    ``per_flow`` (unit -> qualifying output per MWh or t of reference flow) names the units;
    ``rate`` (by period) is money per unit of qualifying output. Only vintages built in a
    period starting before ``build_before`` qualify, and only output from ``first_year`` on.
    With ``matched_supply`` only input matched in the same hour by those units' output
    qualifies (``matched_input``: unit -> MW of that input per unit of reference flow).
    With ``threshold`` a facility (``facility``: unit -> facility) earns the credit in a
    period only if its qualifying output reaches the threshold that year; ``bound`` is the
    most a facility can earn it on in a year (a big M, e.g. the storage sites' injection).
    """

    name: str
    per_flow: pd.Series
    rate: pd.Series
    credit_years: float = math.inf
    build_before: int | None = None
    first_year: int | None = None
    matched_supply: list[str] = field(default_factory=list)
    matched_input: pd.Series | None = None
    facility: pd.Series | None = None
    threshold: pd.Series | None = None  # by facility, per year
    bound: float | None = None
    kind: str | None = None  # cost kind it reports under (default its name): credits of one instrument share it


@dataclass
class CapexGrant:
    """Pays ``share`` of the investment in ``units`` built in ``build_periods``, ``cap`` in total (None: no cap)."""

    name: str
    units: list[str]
    share: float
    build_periods: list[int]
    cap: float | None = None


@dataclass
class ContractForDifference:
    """Pays (strike - market carbon price) per tonne abated (``abated``: unit -> t per unit of reference flow)
    in the years ``years`` (first, last), both ways."""

    name: str
    abated: pd.Series
    strike: float
    market: pd.Series  # by period
    years: tuple[int, int]


@dataclass
class ShareFloor:
    """The yearly output of ``supply`` is at least ``share`` (by period) of that of ``supply`` and ``other``."""

    name: str
    supply: list[str]
    other: list[str]
    share: pd.Series


@dataclass
class EmissionCharge:
    """A price per tCO2e on emission buses (``price``: bus x period), fixed emissions included."""

    name: str
    price: pd.DataFrame


@dataclass
class PolicyTerms:
    credits: list[OutputCredit] = field(default_factory=list)
    grants: list[CapexGrant] = field(default_factory=list)
    contracts: list[ContractForDifference] = field(default_factory=list)
    floors: list[ShareFloor] = field(default_factory=list)
    charges: list[EmissionCharge] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.credits or self.grants or self.contracts or self.floors or self.charges)


def years_weight(n, windows: xr.DataArray | None = None, first: int | None = None,
                 last: float = math.inf) -> xr.DataArray:  # fmt: skip
    """Present value of 1 a year over the years of each period within [first, last]: a partial period counts
    only its years inside, each discounted on its own."""
    out = []
    for year in n.period_index:
        years = year + np.arange(int(n.period_years[year]))
        inside = (years >= (first if first is not None else -math.inf)) & (years <= last)
        out.append(float(np.sum(inside * (1 + n.discount_rate) ** -(years - n.base_year).astype(float))))
    return xr.DataArray(out, coords=[n.period_index])


def credit_weight(n, credit: OutputCredit) -> xr.DataArray:
    """(build, period): present value of 1 a year over the years of ``period`` in which capacity built in
    ``build`` still earns the credit."""
    periods = n.period_index
    rows = []
    for build in periods:
        if credit.build_before is not None and build >= credit.build_before:
            rows.append(np.zeros(len(periods)))
            continue
        start = max(build, credit.first_year or build)
        rows.append(years_weight(n, first=start, last=build + credit.credit_years - 1).values)
    return xr.DataArray(np.array(rows), coords=[periods.rename("build"), periods])


def _units(model: PathwayModel, names) -> pd.Index:
    """The named units the network has (a grouped network keeps only its groups' first members)."""
    return pd.Index([u for u in names if u in model.coords["unit"]], name="unit")


def _yearly(model: PathwayModel, units: pd.Index) -> linopy.LinearExpression:
    return (model.flow.sel(unit=units) * model.network.step_weight).sum(["day", "hour"])


def add_constraints(model: PathwayModel) -> None:
    terms = model.network.policy
    model.policy_costs = {}
    if not terms:
        return
    for credit in terms.credits:
        _credit(model, credit)
    for grant in terms.grants:
        _grant(model, grant)
    for contract in terms.contracts:
        _contract(model, contract)
    for floor in terms.floors:
        _floor(model, floor)
    for charge in terms.charges:
        _charge(model, charge)


def _add(model: PathwayModel, kind: str, term) -> None:
    costs = model.policy_costs
    costs[kind] = costs[kind] + term if kind in costs else term


def _credit(model: PathwayModel, credit: OutputCredit) -> None:
    n, m = model.network, model.model
    units = _units(model, credit.per_flow.index)
    if units.empty:
        return
    name = credit.name
    per_flow = xr.DataArray(credit.per_flow.reindex(units).astype(float).values, coords=[units])
    weight = credit_weight(n, credit)
    extendable = xr.DataArray(n.units.loc[units, "extendable"].astype(bool).values, coords=[units])
    mask = (weight > 0) & extendable
    if not bool(mask.any()):
        return
    # Qualifying output is attributed to vintages: the optimizer credits the eligible ones first,
    # as an operator would, and no vintage more than it can make at full availability.
    vintage = m.add_variables(lower=0, coords=[units, *weight.indexes.values()], name=f"credited-{name}", mask=mask)
    flow = model.flow.sel(unit=units)
    if credit.matched_supply:
        supply = _units(model, credit.matched_supply)
        matched = m.add_variables(lower=0, coords=[units, *[model.coords[d] for d in ("period", "day", "hour")]],
                                  name=f"matched-{name}")  # fmt: skip
        m.add_constraints(matched - flow <= 0, name=f"matched-flow-{name}")
        needs = xr.DataArray(credit.matched_input.reindex(units).astype(float).values, coords=[units])
        supplied = model.flow.sel(unit=supply).sum("unit") if len(supply) else 0
        m.add_constraints((matched * needs).sum("unit") - supplied <= 0, name=f"matched-hourly-{name}")
        flow = matched
    output = (flow * n.step_weight).sum(["day", "hour"]) * per_flow
    m.add_constraints(vintage.sum("build") - output <= 0, name=f"credited-output-{name}")
    full_load = (model.availability * n.step_weight).sum(["day", "hour"]).sel(unit=units)
    limit = model.new.sel(unit=units) * (per_flow * full_load) * model.activity.sel(unit=units)
    m.add_constraints(vintage - limit <= 0, name=f"credited-vintage-{name}", mask=mask)
    rate = xr.DataArray(credit.rate.reindex(n.period_index).fillna(0.0).astype(float).values, coords=[n.period_index])
    if credit.threshold is not None:
        _threshold(model, credit, units, vintage, per_flow)
    _add(model, credit.kind or name, -(vintage * weight * rate).sum())


def _threshold(model: PathwayModel, credit: OutputCredit, units: pd.Index, vintage, per_flow) -> None:
    """A facility earns the credit in a period only if it reaches the threshold: one binary per facility and period."""
    m = model.model
    facility = credit.facility.reindex(units)
    facilities = pd.Index(sorted(facility.unique()), name="facility")
    label = xr.DataArray(facility.values, coords=[units], name="facility")
    earns = m.add_variables(binary=True, coords=[facilities, model.coords["period"]], name=f"threshold-met-{credit.name}")
    made = (_yearly(model, units) * per_flow).groupby(label).sum()
    credited = vintage.sum("build").groupby(label).sum()
    threshold = xr.DataArray(credit.threshold.reindex(facilities).astype(float).values, coords=[facilities])
    m.add_constraints(made - threshold * earns >= 0, name=f"threshold-{credit.name}")
    m.add_constraints(credited - float(credit.bound) * earns <= 0, name=f"threshold-bound-{credit.name}")


def _grant(model: PathwayModel, grant: CapexGrant) -> None:
    """The grant lowers eligible investment by up to ``share`` of it, at most ``cap`` in all; it is
    annuitized like the investment it pays for, so it buys back exactly the capex it covers."""

    n, m = model.network, model.model
    units = _units(model, grant.units)
    units = units[n.units.loc[units, "extendable"].astype(bool).values]
    if units.empty:
        return
    build = model.coords["period"].rename("build")
    eligible = xr.DataArray(np.isin(build.values, grant.build_periods), coords=[build])
    amount = m.add_variables(lower=0, coords=[units, build], name=f"grant-{grant.name}",
                             mask=eligible.broadcast_like(xr.DataArray(np.zeros(len(units)), coords=[units])))  # fmt: skip
    capex = period_table(n.unit_period, "capex", "unit", model.coords["period"], units).rename(period="build").fillna(0)
    invest = model.new.sel(unit=units) * capex
    if model.investment is not None:
        scaled = units.intersection(model.scaled_units)
        if len(scaled):
            linear = units.difference(scaled)
            scaled_invest = model.investment.sel(scaled=scaled.values).rename(scaled="unit")
            m.add_constraints(amount.sel(unit=scaled) - grant.share * scaled_invest <= 0,
                              name=f"grant-share-scaled-{grant.name}")  # fmt: skip
            invest = invest.sel(unit=linear)
    if len(invest.indexes["unit"]):
        m.add_constraints(amount.sel(unit=invest.indexes["unit"]) - grant.share * invest <= 0,
                          name=f"grant-share-{grant.name}")  # fmt: skip
    if grant.cap is not None:
        m.add_constraints(amount.sum() <= grant.cap, name=f"grant-cap-{grant.name}")
    crf = annuity(n.discount_rate, xr.DataArray(n.units.loc[units, "lifetime"].astype(float).values, coords=[units]))
    standing = (model.activity.sel(unit=units) * n.discount_sum()).sum("period")
    _add(model, grant.name, -(amount * crf * standing).sum())
    model.grant_amounts = {**getattr(model, "grant_amounts", {}), grant.name: amount}


def _contract(model: PathwayModel, contract: ContractForDifference) -> None:
    n = model.network
    units = _units(model, contract.abated.index)
    if units.empty:
        return
    abated = xr.DataArray(contract.abated.reindex(units).astype(float).values, coords=[units])
    market = xr.DataArray(contract.market.reindex(n.period_index).fillna(0.0).astype(float).values, coords=[n.period_index])
    weight = years_weight(n, first=contract.years[0], last=contract.years[1])
    _add(model, contract.name, -((_yearly(model, units) * abated).sum("unit") * (contract.strike - market) * weight).sum())


def _floor(model: PathwayModel, floor: ShareFloor) -> None:
    n = model.network
    supply, other = _units(model, floor.supply), _units(model, floor.other)
    share = xr.DataArray(floor.share.reindex(n.period_index).fillna(0.0).astype(float).values, coords=[n.period_index])
    if not bool((share > 0).any()):
        return
    made = _yearly(model, supply).sum("unit") if len(supply) else None
    rest = _yearly(model, other).sum("unit") if len(other) else None
    if made is None:
        raise ValueError(f"{floor.name}: a share of output is required but no unit can supply it")
    lhs = (1 - share) * made - (share * rest if rest is not None else 0)
    model.model.add_constraints(lhs >= 0, name=f"share-floor-{floor.name}", mask=share > 0)


def _charge(model: PathwayModel, charge: EmissionCharge) -> None:
    n = model.network
    if model.emissions is None:
        return
    buses = pd.Index([b for b in charge.price.index if b in model.emissions.indexes["bus"]], name="bus")
    if buses.empty:
        return
    price = xr.DataArray(charge.price.reindex(index=buses, columns=n.period_index).fillna(0.0).astype(float).values,
                         coords=[buses, n.period_index])  # fmt: skip
    discount = n.discount_sum()
    fixed = (model.emission_constant.sel(bus=buses) * price * discount).sum()
    _add(model, charge.name, (model.emissions.sel(bus=buses) * price * discount).sum() + fixed)
