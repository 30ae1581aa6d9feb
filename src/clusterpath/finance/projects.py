"""From a solved plan to projects with yearly cash flows: shared assets and each member's levers.

A project is every unit of one lever at one node: a hub lever is a shared project
(``shared:electrolysis``), a member's lever is that member's (``chem:heat_pump``). Its
money comes from the plan as solved (investment per build period, flows, prices); nothing
is optimized or re-modelled here. The plan speaks in periods of several years, so:

- a year inside the horizon takes the values of the period it lies in;
- each vintage is followed over its whole lifetime; past the plan's horizon the last
  period's operation goes on, scaled by the share of its capacity still standing;
- investment is spent the year before its build period starts, when the plan's annuities
  begin: so all-equity, untaxed financing at the plan's rate reproduces the plan's
  levelized costs.

What each project is worth to its owner (docs/finance.md, "Projects from a plan"):
energy it buys is priced at the market price the plan paid, energy it takes from the
hub (hydrogen, heat) at the hub's levelized cost of it; its own scope 1 and flue CO2 pay
the carbon price; a lever serving a member's energy service saves what today's supply of
that service cost in fuel and carbon, and abates its emissions; capture abates what it
captures; hub renewables save grid purchases and abate the grid's emissions. A hub plant
sells what members take (hydrogen, heat) at that same levelized cost, unless
``output_prices`` gives a price for the product; revenue for anything else a project sells
comes from ``output_prices``; credits and grants, and any other
yearly amounts, from ``policy`` (plain mappings, so a policy model plugs in unchanged).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from clusterpath import levers
from clusterpath.finance.cashflow import ProjectInputs
from clusterpath.finance.errors import FinanceError
from clusterpath.pathway.hub import HUB
from clusterpath.pathway.result import NOT_ASSETS, RENEWABLE_LEVERS, PathwayResult

CAPTURE_LEVERS = levers.CAPTURING
EMITTED = {"scope1", "co2_flue", "co2_process"}  # flue and process CO2 is vented unless captured
CO2_PRODUCTS = {"co2", "co2_captured"}
NOT_PRODUCTS = {"co2_flue", "co2_process", "cod", "waste", "biogas"}
POLICY_FIELDS = ("credits", "grants", "revenue", "savings", "fuel", "electricity", "carbon", "fixed_om",
                 "variable_om")  # fmt: skip

Yearly = float | Mapping[int, float]


def project_id(node: str, lever: str) -> str:
    return f"shared:{lever}" if node == HUB else f"{node}:{lever}"


class _Plan:
    """The plan's numbers by calendar year."""

    def __init__(self, result: PathwayResult) -> None:
        missing = [k for k in ("investment", "variable_cost", "carbon_price", "period_years") if k not in result.data]
        if missing:
            raise FinanceError([f"the plan result lacks {', '.join(missing)}: plan it again with this version "
                                "of clusterpath (finance reads investment per build period)"], "plan")  # fmt: skip
        self.result = result
        self.periods = result.periods
        lengths = result.data["period_years"].to_pandas()
        self.base = self.periods[0]
        self.end = int(self.periods[-1] + lengths.iloc[-1])  # first year after the horizon
        self.energy = result.data["energy"].to_pandas()
        self.variable = result.data["variable_cost"].to_pandas()
        self.capacity = result.data["capacity"].to_pandas()
        self.investment = result.data["investment"].to_pandas()
        self.new = result.data["new_capacity"].to_pandas()
        self.carbon_price = result.data["carbon_price"].to_pandas()
        self.discount_rate = float(result.data["discount_rate"]) if "discount_rate" in result.data else None
        self.internal: dict[str, pd.Series] = {}

    def period_of(self, year: int) -> int:
        return max(p for p in self.periods if p <= year) if year >= self.base else self.base

    def internal_price(self, bus: str) -> pd.Series:
        if bus not in self.internal:
            self.internal[bus] = self.result.levelized_cost(bus).reindex(self.periods).fillna(0.0)
        return self.internal[bus]


def projects(result: PathwayResult, *, output_prices: Mapping[str, Yearly] | None = None,
             policy: Mapping[str, Mapping[str, Mapping[int, float]]] | None = None) -> list[ProjectInputs]:  # fmt: skip
    """The plan's projects, each with its yearly investment, costs, savings, output and abatement.

    ``output_prices``: product (``hydrogen_mwh``, ``heat_low_mwh``, ``electricity_mwh``...) to
    a price per unit, constant or by year. ``policy``: project id to ``{field: {year: amount}}``
    for credits, grants or any other yearly amount added to what the plan gives.
    """
    plan = _Plan(result)
    units = result.units
    assets = units[~units["lever"].isin(NOT_ASSETS | {"today"})]
    out = []
    for (node, lever), group in assets.groupby(["node", "lever"], sort=True):
        inputs = _unit_project(plan, node, lever, list(group.index), output_prices or {})
        if inputs is not None:
            out.append(inputs)
    out.extend(_store_projects(plan))
    policy = policy or {}
    known = {p.name for p in out}
    unknown = [k for k in policy if k not in known]
    if unknown:
        raise FinanceError([f"policy.{k}: no such project in the plan (projects: {', '.join(sorted(known))})"
                            for k in unknown], "policy")  # fmt: skip
    for inputs in out:
        for name, amounts in policy.get(inputs.name, {}).items():
            if name not in POLICY_FIELDS:
                raise FinanceError([f"policy.{inputs.name}.{name}: not a yearly field (expected any of "
                                    f"{', '.join(POLICY_FIELDS)})"], "policy")  # fmt: skip
            current = inputs.series(name)
            added = inputs.series(name, amounts)
            setattr(inputs, name, current + added)
    return out


def _vintages(plan: _Plan, unit_list: list[str], lifetime: pd.Series) -> list[tuple[str, int, float, float, float]]:
    rows = []
    for unit in unit_list:
        for build in plan.periods:
            money = float(plan.investment.loc[unit, build]) if unit in plan.investment.index else 0.0
            size = float(plan.new.loc[unit, build]) if unit in plan.new.index else 0.0
            if money > 1e-9 or size > 1e-9:
                rows.append((unit, int(build), float(lifetime[unit]), money, size))
    return rows


def _years(plan: _Plan, vintages) -> list[int]:
    last = max([plan.end, *[int(b + life) for _, b, life, _, _ in vintages]])
    first = min([plan.base, *[int(b) for _, b, _, _, _ in vintages]]) - 1  # the construction year
    return list(range(first, last))


def _standing(build: int, life: float, year: int) -> bool:
    return build <= year < build + life


def _unit_project(plan: _Plan, node: str, lever: str, unit_list: list[str],
                  output_prices: Mapping[str, Yearly]) -> ProjectInputs | None:  # fmt: skip
    result = plan.result
    units = result.units
    vintages = _vintages(plan, unit_list, units["lifetime"].astype(float))
    flowing = plan.energy.reindex(unit_list).fillna(0.0).abs().to_numpy().sum() > 1e-9
    if not vintages and not flowing:
        return None
    years = _years(plan, vintages)
    n = len(years)
    cols = {k: np.zeros(n) for k in ("investment", "fixed_om", "variable_om", "fuel", "electricity", "carbon",
                                     "savings", "abated_t")}  # fmt: skip
    output: dict[str, np.ndarray] = {}
    transfer = np.zeros(n)  # a hub plant's sales to members at the internal price
    last = plan.periods[-1]
    buses, ports, prices = result.buses, result.ports, result.prices
    incumbent = result.meta.get("incumbent")
    grid_factor = result.meta.get("grid_factor", {})
    hub_power = f"{HUB}|electricity"
    for unit in unit_list:
        fom = float(units.loc[unit, "fom"])
        life = float(units.loc[unit, "lifetime"])
        own = [v for v in vintages if v[0] == unit]
        for _, build, _, money, _ in own:
            cols["investment"][years.index(build)] += money
        unit_ports = ports[ports["unit"] == unit]
        for i, year in enumerate(years):
            if year < plan.base:
                continue
            standing_money = sum(m for _, b, _, m, _ in own if _standing(b, life, year))
            cols["fixed_om"][i] += fom * standing_money
            if year < plan.end:
                period, scale = plan.period_of(year), 1.0
            else:
                # Past the horizon: the last period's operation, on the capacity still standing.
                period = last
                built = sum(s for _, b, _, _, s in own if _standing(b, life, year))
                cap = float(plan.capacity.loc[unit, last])
                scale = built / cap if cap > 1e-9 else 0.0
            flow = float(plan.energy.loc[unit, period]) * scale
            if flow <= 1e-12:
                continue
            cols["variable_om"][i] += float(plan.variable.loc[unit, period]) * scale
            carbon_price = float(plan.carbon_price.get(period, 0.0))
            emitted = delivered = captured = 0.0
            for bus, coefficient in zip(unit_ports["bus"], unit_ports["coefficient"], strict=True):
                carrier = buses.loc[bus, "carrier"]
                amount = coefficient * flow
                if carrier in EMITTED:
                    priced = carrier != "scope1" or bool(buses.loc[bus].get("priced", True))
                    emitted += amount if priced else 0.0
                elif coefficient < 0 and bus in prices.index:
                    cost = -amount * float(prices.loc[bus, period])
                    cols["electricity" if carrier == "electricity" else "fuel"][i] += cost
                elif coefficient < 0 and bus.startswith(f"{HUB}|") and buses.loc[bus, "kind"] == "balance":
                    cols["fuel"][i] += -amount * float(plan.internal_price(bus).get(period, 0.0))
                elif coefficient > 0 and buses.loc[bus, "kind"] == "balance" and carrier not in NOT_PRODUCTS:
                    if carrier in CO2_PRODUCTS:
                        captured += amount
                        product = "co2_t"
                    else:
                        delivered += amount
                        product = f"{carrier}_mwh"
                        if node == HUB and bus.startswith(f"{HUB}|") and product not in output_prices:
                            # Members are charged the hub's levelized cost for what they take (fuel
                            # above), so the hub plant earns it: the cost is counted once, not twice.
                            transfer[i] += amount * float(plan.internal_price(bus).get(period, 0.0))
                    output.setdefault(product, np.zeros(n))[i] += amount
            cols["carbon"][i] += emitted * carbon_price
            if lever in CAPTURE_LEVERS:
                cols["abated_t"][i] += captured
            elif lever in RENEWABLE_LEVERS:
                cols["abated_t"][i] += flow * float(grid_factor.get(period, 0.0))
                # Power sold at a given price earns that instead of saving grid purchases (not both).
                if hub_power in prices.index and "electricity_mwh" not in output_prices:
                    cols["savings"][i] += flow * float(prices.loc[hub_power, period])
            elif incumbent is not None and len(incumbent) and node != HUB:
                service = units.loc[unit, "service"] or ""
                key = (node, service, period)
                if key in incumbent.index and float(incumbent.loc[key, "useful_mwh"]) > 0:
                    row = incumbent.loc[key]
                    intensity = float(row["scope1_tco2e"]) / float(row["useful_mwh"])
                    fuel_cost = float(row["fuel_cost"]) / float(row["useful_mwh"])
                    cols["savings"][i] += delivered * (fuel_cost + intensity * carbon_price)
                    cols["abated_t"][i] += delivered * intensity - max(emitted, 0.0)
    revenue = transfer
    for product, volume in output.items():
        if product in output_prices:
            price = output_prices[product]
            per_year = (np.array([float(price.get(y, price.get(plan.period_of(y), 0.0))) for y in years])
                        if isinstance(price, Mapping) else np.full(n, float(price)))  # fmt: skip
            revenue += volume * per_year
    main = max(vintages, key=lambda v: v[3])[0] if vintages else unit_list[0]
    return ProjectInputs(
        name=project_id(node, lever), years=years, investment=cols["investment"],
        lifetime=float(units.loc[main, "lifetime"]), fixed_om=cols["fixed_om"], variable_om=cols["variable_om"],
        fuel=cols["fuel"], electricity=cols["electricity"], carbon=cols["carbon"], revenue=revenue,
        savings=cols["savings"], output=output, abated_t=cols["abated_t"], member=None if node == HUB else node,
    )  # fmt: skip


def _store_projects(plan: _Plan) -> list[ProjectInputs]:
    result = plan.result
    if "store_investment" not in result.data or result.stores.empty:
        return []
    spent = result.data["store_investment"].to_pandas()
    out = []
    for lever, group in result.stores.groupby("lever"):
        vintages = [(store, int(b), float(group.loc[store, "lifetime"]), float(spent.loc[store, b]), 0.0)
                    for store in group.index for b in plan.periods if float(spent.loc[store, b]) > 1e-9]  # fmt: skip
        if not vintages:
            continue
        years = _years(plan, vintages)
        investment, fixed = np.zeros(len(years)), np.zeros(len(years))
        for store, build, life, money, _ in vintages:
            investment[years.index(build)] += money
            fom = float(group.loc[store, "fom"])
            for i, year in enumerate(years):
                if _standing(build, life, year):
                    fixed[i] += fom * money
        main = max(vintages, key=lambda v: v[3])
        node = result.buses.loc[group.loc[main[0], "bus"], "node"]
        out.append(ProjectInputs(name=project_id(node, lever), years=years, investment=investment,
                                 lifetime=main[2], fixed_om=fixed, member=None if node == HUB else node))  # fmt: skip
    return out
