"""Why this plan: one line of reason for each lever the plan builds or leaves out, read off the solution.

A lever's reason compares its cost per tonne with the carbon value the plan puts on a tonne in that period:
the carbon price plus the shadow price of the emission cap (the cap's dual, per tonne of a year). A lever
left out is one whose new capacity has a positive reduced cost (each MW would raise the net present cost,
with energy and carbon at the plan's own prices); a lever built is stopped by the first limit it meets:
its potential, a build limit, a supply limit, or only by what it is worth. Lead times say when a lever
cannot be built at all. docs/model.md ("Why this plan") writes the quantities out.

A plan with size classes (binaries) has no duals: its classes are fixed at the plan's and the linear
programme that is left is solved again for them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from clusterpath.pathway.hub import HUB
from clusterpath.pathway.network import PathwayModel
from clusterpath.pathway.tables import annuity, market_prices

TOLERANCE = 1e-4  # MW, MWh or t: below this a quantity is solver noise
# Units that move energy or stand for today's equipment: not levers a plan chooses.
NOT_LEVERS = {"market", "vent", "release", "shared_power", "collection", "today", ""}
HOURS_A_YEAR = 8760.0
COLUMNS = ["member", "lever", "unit", "service", "decision", "period", "capacity", "cost_per_tco2e",
           "carbon_price", "cap_shadow_price", "reduced_cost_per_mw", "limit", "displaces", "reason"]  # fmt: skip


def cap_shadow_prices(model: PathwayModel) -> pd.DataFrame:
    """Per cap (rows) and period (columns): what one more tonne a year of the cap is worth, per tonne.

    The cap's dual is in present value per tonne a year over the period; dividing by the period's
    present value of 1 a year gives money of the year, comparable with a carbon price."""
    n = model.network
    discount = n.discount_sum().to_pandas()
    rows = {}
    for cap in n.caps:
        dual = model.model.constraints[f"emission-cap-{cap.name}"].dual.to_pandas()
        rows[cap.name] = (-dual).clip(lower=0.0) / discount.reindex(dual.index)
    return pd.DataFrame(rows).T.reindex(columns=n.period_index) if rows else pd.DataFrame(columns=n.period_index)


def solve_for_duals(model: PathwayModel) -> None:
    """Give a solved model its duals: a MIP's binaries are fixed at the plan's and the LP solved again."""
    m = model.model
    if not len(m.binaries):
        return
    chosen = list(m.binaries)
    for name in chosen:
        # Masked classes (no such class for the unit) have no solution value: NaN, which fix() refuses.
        m.variables[name].fix(m.variables[name].solution.fillna(0.0).round())
        m.variables[name].relax()
    try:
        model.solve()
    finally:
        for name in chosen:
            m.variables[name].unrelax()
            m.variables[name].unfix()


def reduced_costs(model: PathwayModel) -> pd.DataFrame:
    """(unit, build) -> what one more MW of new capacity would add to the net present cost (NaN: not buildable)."""
    m = model.model
    matrices = m.matrices
    dual = np.nan_to_num(matrices.dual, nan=0.0)
    position = pd.Series(np.arange(len(matrices.vlabels)), index=matrices.vlabels)
    labels = model.new.labels.to_pandas()
    valid = labels.to_numpy() >= 0
    columns = position.reindex(labels.to_numpy()[valid]).to_numpy()
    values = np.full(labels.shape, np.nan)
    values[valid] = matrices.c[columns] - matrices.A[:, columns].T @ dual
    return pd.DataFrame(values, index=labels.index, columns=labels.columns)


def lever_reasons(model: PathwayModel) -> pd.DataFrame:
    """One row per lever unit the plan could build (columns COLUMNS), built ones first."""
    n = model.network
    units = n.units[~n.units.get("lever", pd.Series("", index=n.units.index)).fillna("").isin(NOT_LEVERS)]
    units = units[units["extendable"].astype(bool)]
    if units.empty:
        return pd.DataFrame(columns=COLUMNS)
    periods = list(n.period_index)
    new = model.new.solution.fillna(0.0).to_pandas().reindex(units.index)
    capacity = model.capacity.solution.to_pandas().reindex(units.index)
    reduced = reduced_costs(model).reindex(units.index).round(2)  # hundredths of money per MW are solver noise
    shadow = cap_shadow_prices(model)
    price = (n.carbon_price if n.carbon_price is not None else pd.Series(0.0, index=periods)).reindex(periods)
    price = price.fillna(0.0).astype(float)
    per_tonne = _cost_per_tonne(model, units)
    limits = _binding_limits(model, units, capacity, new)
    earliest = units.get("earliest_operation", pd.Series(np.nan, index=units.index)).astype(float)
    fuels = _today_fuels(n)
    # A unit priced by size classes that the plan leaves out has its classes fixed at zero: no margin to read.
    classed = set(model.scaled_units) if model.investment is not None else set()
    rows = []
    for unit, row in units.iterrows():
        node = row["node"]
        caps = [c.name for c in n.caps if c.name in ("cluster", node) or any(b.startswith(f"{node}|") for b in c.buses)]
        built = new.loc[unit][new.loc[unit] > TOLERANCE]
        if unit in classed and not len(built):
            reduced.loc[unit] = reduced.loc[unit].where(reduced.loc[unit].isna(), np.inf)
        if len(built):
            period = int(built.index[0])
        else:
            open_periods = reduced.loc[unit].dropna()
            period = int(open_periods.idxmin()) if len(open_periods) else periods[-1]
        cap_price = float(shadow.loc[caps, period].sum()) if caps and period in shadow.columns else 0.0
        cost = per_tonne.get((unit, period), np.nan)
        entry = {
            "member": "shared" if node == HUB else node, "lever": row["lever"], "unit": unit,
            "service": row.get("service") or "", "decision": "built" if len(built) else "not built",
            "period": period, "capacity": float(capacity.loc[unit].max()),
            "cost_per_tco2e": None if not np.isfinite(cost) else float(cost),
            "carbon_price": float(price[period]), "cap_shadow_price": cap_price,
            "reduced_cost_per_mw": None if not np.isfinite(reduced.loc[unit, period]) else
            float(reduced.loc[unit, period]),
            "limit": limits.get(unit), "displaces": _displaces(row, fuels),
        }  # fmt: skip
        entry["reason"] = _reason(entry, earliest.get(unit, np.nan), reduced.loc[unit], n.units.loc[unit])
        rows.append(entry)
    table = pd.DataFrame(rows, columns=COLUMNS)
    return table.sort_values(["decision", "member", "lever"], key=lambda s: s.map({"built": 0, "not built": 1})
                             if s.name == "decision" else s).reset_index(drop=True)  # fmt: skip


def _cost_per_tonne(model: PathwayModel, units: pd.DataFrame) -> dict:
    """(unit, period) -> cost per tCO2e of serving its service instead of today's supply, at full availability.

    Per useful MWh: capital (annuity and fixed O&M over the hours it can run), variable cost and the energy
    it buys at market prices, less today's fuel per useful MWh; over today's scope 1 per useful MWh less its
    own direct emissions. Only levers serving a member's service whose supply today is known have one.
    """
    n = model.network
    incumbent = n.meta.get("incumbent")
    if incumbent is None or not len(incumbent):
        return {}

    prices = market_prices(n) if (n.units.get("lever") == "market").any() else pd.DataFrame()
    availability = model.availability.mean(["day", "hour"]).to_pandas()
    crf = pd.Series(np.asarray(annuity(n.discount_rate, n.units["lifetime"].astype(float).to_numpy())), index=n.units.index)
    out = {}
    served = set(incumbent.index.droplevel("period"))
    by_unit = dict(tuple(n.ports[n.ports["unit"].isin(units.index)].groupby("unit")))
    for unit, row in units.iterrows():
        service = row.get("service") or ""
        if (row["node"], service) not in served or unit not in by_unit:
            continue
        ports = by_unit[unit]
        made = float(ports.loc[ports["bus"] == f"{row['node']}|{service}", "coefficient"].sum())
        own = float(ports.loc[ports["bus"].str.endswith(("|scope1", "|co2_flue")), "coefficient"].sum())
        drawn = ports[(ports["coefficient"] < 0) & ~ports["bus"].str.endswith(("|scope1", "|scope2", "|co2_flue"))]
        bought = drawn[drawn["bus"].isin(prices.index)]
        if len(bought) < len(drawn):
            continue  # it draws on a shared carrier (hub heat, hydrogen) with no market price: no figure of its own
        hours = HOURS_A_YEAR * max(float(availability.get(unit, 1.0)), 1e-9)
        for period in n.period_index:
            today = incumbent.loc[(row["node"], service, period)]
            useful = float(today["useful_mwh"])
            if made <= 0 or useful <= 0:
                continue
            capex = float(n.unit_period.loc[(unit, period), "capex"])
            cost = capex * (float(crf[unit]) + float(row["fom"])) / hours + float(n.unit_period.loc[(unit, period), "vom"])
            if len(bought):
                cost -= float((bought["coefficient"] * prices.loc[bought["bus"], period].to_numpy()).sum())
            abated = float(today["scope1_tco2e"]) / useful - own / made
            if abated > 1e-9:
                out[(unit, int(period))] = (cost / made - float(today["fuel_cost"]) / useful) / abated
    return out


def _binding_limits(model: PathwayModel, units: pd.DataFrame, capacity: pd.DataFrame, new: pd.DataFrame) -> dict:
    """unit -> the first limit the plan meets on it (potential, build limit, supply limit), as words."""
    n = model.network
    found: dict[str, str] = {}
    potential = units["capacity_max"].astype(float)
    for unit in units.index:
        top = potential[unit]
        if np.isfinite(top) and top > 0 and (capacity.loc[unit] >= top * (1 - 1e-6) - TOLERANCE).any():
            when = int(capacity.loc[unit].idxmax())
            found[unit] = f"its potential of {top:,.1f} {units.loc[unit].get('capacity_unit') or 'MW'} in {when}"
    for limit in n.build_limits:
        built = new.reindex(limit.units).sum()
        for period, amount in built.items():
            if amount >= float(limit.limit.get(period, np.inf)) - TOLERANCE:
                for unit in set(limit.units) & set(units.index):
                    found.setdefault(unit, f"the build limit '{limit.name}' of {float(limit.limit[period]):,.1f} MW "
                                           f"in {period}")  # fmt: skip
    energy = (model.flow.solution * n.step_weight).sum(["day", "hour"]).to_pandas()
    for limit in n.annual_limits:
        used = energy.reindex(limit.units).sum()
        binding = [p for p, v in used.items() if v >= float(limit.limit.get(p, np.inf)) - TOLERANCE]
        if not binding:
            continue
        supplied = set(n.ports.loc[n.ports["unit"].isin(limit.units) & (n.ports["coefficient"] > 0), "bus"])
        users = n.ports.loc[n.ports["bus"].isin(supplied) & (n.ports["coefficient"] < 0), "unit"]
        for unit in set(users) & set(units.index):
            found.setdefault(unit, f"the {limit.description or limit.name} ({float(limit.limit[binding[0]]):,.0f} "
                                   f"a year, reached in {binding[0]})")  # fmt: skip
    return found


def _today_fuels(n) -> dict[tuple[str, str], list[str]]:
    """(node, service) -> the carriers today's equipment for it draws on."""
    units = n.units
    if "service" not in units or "lever" not in units:
        return {}
    today = units[units["lever"] == "today"]
    drawn = n.ports[n.ports["unit"].isin(today.index) & (n.ports["coefficient"] < 0)]
    keys = list(zip(today.loc[drawn["unit"], "node"], today.loc[drawn["unit"], "service"], strict=True))
    out: dict[tuple[str, str], set[str]] = {}
    for key, bus in zip(keys, drawn["bus"], strict=True):
        out.setdefault(key, set()).add(bus.split("|")[-1].replace("_", " "))
    return {key: sorted(fuels) for key, fuels in out.items()}


def _displaces(row: pd.Series, fuels: dict) -> str:
    """Today's supply of the service the unit serves (its carriers), or '' when it serves none."""
    service = row.get("service") or ""
    if not service:
        return ""
    what = service.replace("_", " ")
    found = fuels.get((row["node"], service))
    return f"today's {what} from {', '.join(found)}" if found else f"today's {what} supply"


def _reason(entry: dict, earliest: float, reduced: pd.Series, unit: pd.Series) -> str:
    """The one line: what decided, in the plan's own figures."""
    value = entry["carbon_price"] + entry["cap_shadow_price"]
    money = (f"a carbon value of {value:,.0f}/t in {entry['period']} (carbon price {entry['carbon_price']:,.0f}, "
             f"cap's shadow price {entry['cap_shadow_price']:,.0f})")  # fmt: skip
    cost = entry["cost_per_tco2e"]
    against = f"costs {cost:,.0f}/t against {money}" if cost is not None else f"against {money}"
    if entry["decision"] == "built":
        stop = f"; stopped by {entry['limit']}" if entry["limit"] else "; built as far as it pays"
        what = f", replacing {entry['displaces']}" if entry["displaces"] else ""
        return f"built from {entry['period']}{what}: {against}{stop}"
    if reduced.isna().all():
        if np.isfinite(earliest):
            return f"not built: not available before {earliest:g} (lead time), after the plan's last period"
        return "not built: it cannot be built in any period of the plan"
    if np.isfinite(float(unit.get("capacity_max", np.inf))) and float(unit["capacity_max"]) <= TOLERANCE:
        return "not built: no potential"
    late = f" (not available before {earliest:g}, lead time)" if np.isfinite(earliest) and reduced.isna().any() else ""
    extra = entry["reduced_cost_per_mw"]
    if np.isinf(reduced).any():
        return f"not built{late}: {against}; at the costs of its size classes it does not pay in this plan"
    if not extra or extra <= 0:
        return f"not built{late}: {against}; a tie at the margin: building it would cost the plan no more and save nothing"
    return (f"not built{late}: {against}; each MW built in {entry['period']} would add {extra:,.0f} to the net "
            "present cost")


def records(table: pd.DataFrame | None) -> list[dict]:
    """The reasons as JSON rows (NaN as null)."""
    if table is None or table.empty:
        return []
    return [{k: (None if isinstance(v, float) and not np.isfinite(v) else v) for k, v in row.items()}
            for row in table.to_dict(orient="records")]  # fmt: skip
