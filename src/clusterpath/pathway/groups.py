"""Members the optimizer cannot tell apart, solved as one: how large clusters stay tractable.

Tenants of an industrial estate often run the same equipment with the same options and
differ only in how much heat and power they use and how far they sit from the hub. With
linear costs and each unit serving one service, a member's least cost is linear in its
demand of each service, so a group of such members behaves as one member with their summed
demand: the grouped model has the same optimum. What grouping approximates is the cost of a
member's own connection to a network (it depends on its distance and size): the group pays
the members' demand-weighted mean per MW, so either all of a group connects or none does.
This is what spatial clustering does for power-system models (PyPSA-Eur's network clustering),
applied to members. ``docs/model.md`` ("Grouping members") has the equations.

After the solve, ``ungroup`` splits each group's units among its members: a unit serving a
demand in proportion to each member's demand, other units through the buses they feed or
draw from, in proportion to the member's share of the flows there (shares per period).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace

import numpy as np
import pandas as pd
import xarray as xr

from clusterpath.pathway.hub import HUB
from clusterpath.pathway.network import EmissionCap, Network
from clusterpath.pathway.result import PathwayResult
from clusterpath.pathway.tables import market_prices

# Below this many members a cluster is solved member by member unless told otherwise.
AUTO_GROUP_MEMBERS = 50
# Units priced by the member's distance and size: averaged over a group, not matched.
CONNECTION_SUFFIX = "-connection"
DIGITS = 9  # significant digits two members' figures must share to count as equal


def _node(names: pd.Index) -> pd.Index:
    return pd.Index([name.partition("|")[0] for name in names])


def _suffix(names: pd.Index) -> pd.Index:
    return pd.Index([name.partition("|")[2] for name in names])


def _round(value) -> object:
    if isinstance(value, float | np.floating):
        return None if np.isnan(value) else float(f"{value:.{DIGITS}g}")
    return value


def member_groups(network: Network) -> dict[str, list[str]]:
    """Members with the same units, ports, prices and options, by their first member's id.

    Only groups of two or more are returned; every other member stays on its own.
    """
    n = network
    units = n.units[n.units["node"] != HUB]
    if units.empty:
        return {}
    suffix = _suffix(units.index)
    connection = suffix.str.endswith(CONNECTION_SUFFIX)
    static = units.drop(columns=["node"]).assign(capacity_max=np.isfinite(units["capacity_max"].astype(float)))
    static.loc[connection, "fom"] = np.nan
    period = n.unit_period.loc[units.index, ["capex", "vom"]].unstack("period")
    period.loc[connection] = np.nan
    # Today's equipment retires on the same schedule whatever its size.
    existing = n.unit_period.loc[units.index, "existing"].unstack("period")
    first = existing.max(axis=1).replace(0.0, 1.0)
    pattern = existing.div(first, axis=0)
    ports = n.ports[n.ports["unit"].isin(units.index)]
    port_rows = defaultdict(list)
    for unit, bus, coefficient in zip(ports["unit"], ports["bus"], ports["coefficient"], strict=True):
        kept = np.nan if unit.endswith(CONNECTION_SUFFIX) else coefficient
        target = bus.partition("|")[2] if not bus.startswith(HUB + "|") else bus
        port_rows[unit].append((target, _round(float(kept))))
    rows = pd.concat([static, period, pattern], axis=1)
    signature = defaultdict(list)
    for unit, values in zip(rows.index, rows.itertuples(index=False, name=None), strict=True):
        signature[unit.partition("|")[0]].append(
            (unit.partition("|")[2], tuple(_round(v) for v in values), tuple(sorted(port_rows[unit], key=str))))
    member_stores = n.stores[_node(n.stores.index) != HUB] if len(n.stores) else n.stores
    alike: dict[tuple, list[str]] = defaultdict(list)
    for node in units["node"].unique():
        if len(member_stores) and (_node(member_stores.index) == node).any():
            continue  # a member's own storage couples its hours: it keeps its own model
        alike[tuple(sorted(signature[node], key=str))].append(node)
    return {nodes[0]: nodes for nodes in alike.values() if len(nodes) > 1}


def member_weights(network: Network) -> pd.Series:
    """Each member's mean demand over the year, MW: how a group averages distance-priced costs."""
    demand = network.demand.clip(min=0).mean(["period", "day", "hour"]).to_pandas()
    return demand.groupby(_node(demand.index)).sum()


def group(network: Network, groups: dict[str, list[str]]) -> Network:
    """The network with each group's members merged into its first member."""
    n = network
    rep = {member: first for first, members in groups.items() for member in members}
    if not rep:
        return n
    weights = member_weights(n)

    def rename(names: pd.Index) -> pd.Index:
        nodes = _node(names)
        return pd.Index([f"{rep[node]}|{rest}" if node in rep else name
                         for name, node, rest in zip(names, nodes, _suffix(names), strict=True)])  # fmt: skip

    def weight_of(names: pd.Index) -> np.ndarray:
        return weights.reindex(_node(names)).fillna(1.0).clip(lower=1e-9).to_numpy()

    def weighted_mean(frame: pd.DataFrame, columns: list[str], keys: list, w: np.ndarray) -> pd.DataFrame:
        scaled = frame[columns].mul(w, axis=0).assign(_w=w)
        summed = scaled.groupby(keys, sort=False).sum()
        return summed[columns].div(summed["_w"], axis=0)

    unit_names = rename(n.units.index)
    units = n.units.groupby(unit_names, sort=False).first()
    units["fom"] = weighted_mean(n.units, ["fom"], unit_names, weight_of(n.units.index))["fom"]
    units["capacity_max"] = n.units["capacity_max"].astype(float).groupby(unit_names, sort=False).sum()
    units.index.name = n.units.index.name

    up = n.unit_period
    up_keys = [rename(up.index.get_level_values(0)), up.index.get_level_values(1)]
    unit_period = weighted_mean(up, ["capex", "vom"], up_keys, weight_of(up.index.get_level_values(0)))
    unit_period["existing"] = up["existing"].groupby(up_keys, sort=False).sum().to_numpy()
    unit_period.index.names = up.index.names

    ports = n.ports.assign(unit=rename(pd.Index(n.ports["unit"])), bus=rename(pd.Index(n.ports["bus"])))
    ports = weighted_mean(ports, ["coefficient"], [ports["unit"], ports["bus"]], _port_weights(n, weights))
    ports = ports.reset_index()

    buses = n.buses.loc[rename(n.buses.index) == n.buses.index]

    def summed(array: xr.DataArray, kind: str) -> xr.DataArray:
        merged = array.assign_coords(bus=rename(array.indexes["bus"])).groupby("bus").sum()
        return merged.sel(bus=buses.index[buses["kind"] == kind])

    demand = summed(n.demand, "balance")
    constant = summed(n.emission_constant, "emission") if n.emission_constant is not None else None
    port_period = {key: values for key, values in n.port_period.items() if key[0] in units.index}
    port_vintage = {key: values for key, values in n.port_vintage.items() if key[0] in units.index}
    return replace(
        n, units=units, unit_period=unit_period, ports=ports, buses=buses, demand=demand, emission_constant=constant,
        port_period=port_period, port_vintage=port_vintage, caps=_group_caps(n.caps, rep, buses.index),
        annual_limits=[replace(a, units=[u for u in a.units if u in units.index]) for a in n.annual_limits],
        build_limits=[replace(b, units=[u for u in b.units if u in units.index]) for b in n.build_limits],
        meta={**n.meta, "groups": groups},
    )  # fmt: skip


def _port_weights(n: Network, weights: pd.Series) -> np.ndarray:
    """Per port row, how much of the group's flow through the unit is this member's.

    A coefficient of the summed unit must be the flow-weighted mean of the members' for the
    group's flows and emissions to add up. A link carrying a fixed stream (waste, wastewater:
    the member's yearly amount is its capacity) is weighted by that stream; a line feeding a
    member bus (a heat connection's losses) by the member's demand on that bus; anything else
    by the member's mean demand.
    """
    units = pd.Index(n.ports["unit"])
    stream = n.unit_period["existing"].groupby(level=0).max().reindex(units).fillna(0.0).to_numpy().copy()
    stream[n.units["extendable"].reindex(units).fillna(True).to_numpy(dtype=bool)] = 0.0
    demand = n.demand.clip(min=0).mean(["period", "day", "hour"]).to_pandas()
    fed = n.ports[(n.ports["coefficient"] > 0) & (_node(pd.Index(n.ports["bus"])) == _node(units))]
    fed = fed.assign(load=demand.reindex(fed["bus"]).fillna(0.0).to_numpy()).groupby("unit")["load"].max()
    served = fed.reindex(units).fillna(0.0).to_numpy()
    member = weights.reindex(_node(units)).fillna(1.0).to_numpy()
    chosen = np.where(stream > 0, stream, np.where(served > 0, served, member))
    return chosen.clip(min=1e-9)


def _group_caps(caps: list[EmissionCap], rep: dict[str, str], buses: pd.Index) -> list[EmissionCap]:
    """A cluster cap keeps its remaining buses; members' own caps add up into their group's."""
    merged: dict[str, EmissionCap] = {}
    for cap in caps:
        name = rep.get(cap.name, cap.name)
        kept = [b for b in cap.buses if b in buses]
        if name in merged:
            merged[name].limit = merged[name].limit + cap.limit
        else:
            merged[name] = EmissionCap(name, kept, cap.limit.copy())
    return list(merged.values())


def shares(full: Network, grouped: Network, energy: xr.DataArray, groups: dict[str, list[str]],
           vintage: pd.DataFrame | None = None) -> pd.DataFrame:
    """Each member's share of its group's units and buses, per period (index: member-level names).

    A bus takes the flow-weighted share of what it delivers (its demand and the units drawing
    from it) or, while those are not all known, of what it receives (units feeding it, fixed
    supplies); a unit takes the share of a bus it feeds, else of one it draws from. In a group
    every member has the same units and buses, so this runs once per group on (member, period)
    arrays; what stays unknown (no flow anywhere) falls back to the member's share of demand.
    """
    periods = grouped.period_index
    flows = energy.to_pandas().reindex(columns=periods)  # (unit, period) MWh a year
    load = (full.demand * full.step_weight).sum(["day", "hour"]).to_pandas().reindex(columns=periods)  # MWh a year, signed
    weights = member_weights(full)
    member_coefficient = {key: np.full(len(periods), value) for key, value in
                          full.ports.groupby(["unit", "bus"])["coefficient"].sum().items()}  # fmt: skip
    member_coefficient.update({key: np.asarray(v, dtype=float) for key, v in full.port_period.items()})
    vintage_ports = set(full.port_vintage)
    # Links that carry a member's whole stream (waste, wastewater) split by the stream where nothing else tells.
    existing = full.unit_period["existing"].groupby(level=0).max()
    fixed_stream = existing[~full.units["extendable"].reindex(existing.index).fillna(True).astype(bool)]
    out: dict[str, np.ndarray] = {}
    for first, members in groups.items():
        w = weights.reindex(members).fillna(0.0).to_numpy()
        w = w / w.sum() if w.sum() > 0 else np.full(len(members), 1 / len(members))
        fallback = np.repeat(w[:, None], len(periods), axis=1)
        ports = grouped.ports[(_node(pd.Index(grouped.ports["unit"])) == first) & (_node(pd.Index(grouped.ports["bus"])) == first)]
        # Grid power's scope 2 coefficient changes by period, and so does a port whose vintages differ (the
        # solved plan's energy-weighted mean, ``vintage``); everything else is constant.
        by_vintage = {} if vintage is None else {key: row.to_numpy(dtype=float) for key, row in vintage.iterrows()}
        coefficient = [np.asarray(grouped.port_period.get((u, b), by_vintage.get((u, b), np.full(len(periods), c))),
                                  dtype=float)
                       for u, b, c in zip(ports["unit"], ports["bus"], ports["coefficient"], strict=True)]  # fmt: skip
        ports = ports.assign(unit=_suffix(pd.Index(ports["unit"])), bus=_suffix(pd.Index(ports["bus"])))
        flow = {u: flows.loc[f"{first}|{u}"].to_numpy() for u in ports["unit"].unique()}
        # Each member's own coefficient: a tonne of one member's waste stream may avoid more than another's. A port
        # whose vintages differ runs in the group's vintage mix, which the full network's coefficient does not know.
        carried = [flow[u] * np.abs(np.stack([c if (f"{m}|{u}", f"{m}|{b}") in vintage_ports
                                              else member_coefficient.get((f"{m}|{u}", f"{m}|{b}"), c)
                                              for m in members]))
                   for u, b, c in zip(ports["unit"], ports["bus"], coefficient, strict=True)]  # fmt: skip
        stream = fixed_stream.reindex([f"{m}|{u}" for m in members for u in flow]).fillna(0.0).to_numpy()
        stream = stream.reshape(len(members), len(flow))
        member_load = {b: load.reindex([f"{m}|{b}" for m in members]).fillna(0.0).to_numpy()
                       for b in ports["bus"].unique()}  # fmt: skip
        balance = set(_suffix(grouped.buses.index[(grouped.buses["node"] == first) & (grouped.buses["kind"] == "balance")]))
        unit_share: dict[str, np.ndarray] = {}
        bus_share: dict[str, np.ndarray] = {}
        progress = True
        while progress:
            progress = False
            for bus, rows in ports.groupby("bus"):
                if bus in bus_share:
                    continue
                for sign in (-1.0, 1.0):  # -1: what the bus delivers; +1: what it receives
                    side = [i for i in rows.index if sign * ports.at[i, "coefficient"] > 0
                            or (sign > 0 and bus not in balance)]  # fmt: skip
                    fixed = np.clip(-sign * member_load[bus], 0.0, None)  # demand delivered, or fixed supply received
                    if not side and not fixed.any() or not all(ports.at[i, "unit"] in unit_share for i in side):
                        continue
                    num = fixed + sum(unit_share[ports.at[i, "unit"]] * carried[ports.index.get_loc(i)] for i in side)
                    den = num.sum(axis=0)
                    bus_share[bus] = np.where(den > 1e-12, num / np.where(den > 1e-12, den, 1.0), fallback)
                    progress = True
                    break
            for unit, rows in ports.groupby("unit"):
                if unit not in unit_share:
                    known = [b for b in rows.sort_values("coefficient", ascending=False)["bus"]
                             if b in bus_share and b in balance]  # fmt: skip
                    if known:
                        unit_share[unit] = bus_share[known[0]]
                        progress = True
        for j, unit in enumerate(flow):
            if unit not in unit_share and stream[:, j].sum() > 0:
                unit_share[unit] = np.repeat((stream[:, j] / stream[:, j].sum())[:, None], len(periods), axis=1)
        # An emission bus still unknown (a link's avoided emissions beside an idle vent): over the units that flow.
        for bus, rows in ports.groupby("bus"):
            if bus not in bus_share and bus not in balance and all(u in unit_share or not np.any(flow[u])
                                                                   for u in rows["unit"]):  # fmt: skip
                num = sum(unit_share.get(ports.at[i, "unit"], fallback) * carried[ports.index.get_loc(i)]
                          for i in rows.index)  # fmt: skip
                den = num.sum(axis=0)
                bus_share[bus] = np.where(den > 1e-12, num / np.where(den > 1e-12, den, 1.0), fallback)
        for name in [*flow, *ports["bus"].unique()]:
            share = unit_share.get(name, bus_share.get(name, fallback))
            for i, member in enumerate(members):
                out[f"{member}|{name}"] = share[i]
    return pd.DataFrame(out, index=periods).T


def ungroup(result: PathwayResult, full: Network, grouped: Network) -> PathwayResult:
    """The plan of a grouped network told member by member, on the full network's units and buses."""
    groups = grouped.meta.get("groups", {})
    if not groups:
        return result
    share = shares(full, grouped, result.data["energy"], groups, result.port_period)
    rep = {member: first for first, members in groups.items() for member in members}

    def source(names: pd.Index) -> list[str]:
        return [f"{rep[node]}|{rest}" if node in rep else name
                for name, node, rest in zip(names, _node(names), _suffix(names), strict=True)]  # fmt: skip

    data = xr.Dataset()
    units = full.units.index.rename("unit")
    for name, array in result.data.data_vars.items():
        if "unit" in array.dims:
            spread = array.sel(unit=source(units)).assign_coords(unit=units)
            period_dim = "build" if "build" in array.dims else "period"
            f = xr.DataArray(share.reindex(units).fillna(1.0).to_numpy(), coords=[units, array.indexes[period_dim]])
            data[name] = spread * f
        elif "bus" in array.dims:
            buses = full.emission_constant.indexes["bus"]
            grouped_constant = grouped.emission_constant.sel(bus=source(buses)).assign_coords(bus=buses)
            f = xr.DataArray(share.reindex(buses).fillna(1.0).to_numpy(), coords=[buses, array.indexes["period"]])
            flow_part = array.sel(bus=source(buses)).assign_coords(bus=buses) - grouped_constant
            data[name] = flow_part * f + full.emission_constant
        else:
            data[name] = array
    port_period = result.port_period
    if port_period is not None:
        # A member's vintages run in its group's proportions: its port coefficients are the group's.
        keys = pd.MultiIndex.from_tuples([(u, b) for u, b in full.port_vintage])
        sources = pd.MultiIndex.from_arrays([source(keys.get_level_values(0)), source(keys.get_level_values(1))])
        port_period = port_period.reindex(sources).set_axis(keys.set_names(["unit", "bus"]))
    return replace(result, data=data, units=full.units.copy(), buses=full.buses.copy(), ports=full.ports.copy(),
                   prices=market_prices(full), meta={**full.meta, "groups": groups},
                   port_period=port_period)  # fmt: skip
