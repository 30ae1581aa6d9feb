"""Pathway optimizer benchmark: clusterpath against the same problem written in PyPSA.

Not a test: it times network build, linopy model build and HiGHS solve, and the peak
memory of each, for industrial-estate clusters of several sizes, and optionally solves
the SAME network converted to a ``pypsa.Network`` (``to_pypsa`` below) to compare wall
time and objective. Every case runs in a fresh subprocess, one after the other, so peak
resident memory (``resource.getrusage(RUSAGE_SELF).ru_maxrss``, which includes the
numpy/HiGHS allocations tracemalloc cannot see) never mixes between cases or engines.

    .venv/bin/python benchmarks/pathway_benchmark.py --members 10 100 320 --out results.json

See benchmarks/README.md and docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import resource
import subprocess
import sys
import time
import warnings
from datetime import UTC, datetime

import numpy as np
import pandas as pd
import xarray as xr

HOURS = 24
BIG = 1e6  # capacity of "unlimited" units in PyPSA (MW or t/h); checked not to bind
ESTATE = "industrial-estate"
ARCHETYPES = "industrial-estate-archetypes.csv"
ESTATE_TENANTS = 320
# HiGHS ends IPM + crossover with model status "Unknown" when crossover is imprecise even though
# the simplex clean-up leaves a valid optimal basis (seen at 1 typical day): keep that objective.
# On a time limit linopy reports an objective of 0, which is no objective.
SOLVED = ("optimal", "unknown")


# ----------------------------------------------------------------------------- inputs


def make_cluster(members: int):
    """``members`` tenants drawn like the estate's; 320 is the bundled estate example itself."""
    from clusterpath import examples
    from clusterpath.schema import Cluster

    if members == ESTATE_TENANTS:
        return examples.load(ESTATE)
    raw = examples.raw(ESTATE)
    raw["members"] = examples.generate_members(examples.read_archetypes(ARCHETYPES), members, 2024)
    raw["id"] = f"{ESTATE}-{members}"
    return Cluster.model_validate(raw)


def make_scenario(name: str, typical_days: int, economies_of_scale: bool):
    from clusterpath.io import load_scenario

    scenario = load_scenario(name)
    data = scenario.model_dump()
    data.update(typical_days=typical_days, economies_of_scale=economies_of_scale)
    return type(scenario).model_validate(data)


def build_network(case: dict):
    """The network both engines solve: with ``group_members``, the grouped one ``plan`` solves."""
    from clusterpath.pathway.build import NetworkBuilder
    from clusterpath.pathway.groups import group, member_groups

    cluster = make_cluster(case["members"])
    scenario = make_scenario(case["scenario"], case["typical_days"], case["economies_of_scale"])
    network = NetworkBuilder(cluster, scenario).build()
    return group(network, member_groups(network)) if case.get("group_members") else network


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


# ------------------------------------------------------------------ clusterpath engine


def run_clusterpath(case: dict, report) -> None:
    from clusterpath.pathway.network import PathwayModel

    warnings.filterwarnings("ignore")  # linopy's semantics notices about the size-class masks
    t0 = time.perf_counter()
    network = build_network(case)
    t1 = time.perf_counter()
    report(
        network_build_s=t1 - t0,
        peak_mib_after_network=peak_mib(),
        groups=len(network.meta.get("groups", {})),
        units=len(network.units),
        buses=len(network.buses),
        stores=len(network.stores),
        scaled_units=0 if network.scale is None else int(network.scale.index.get_level_values(0).nunique()),
    )
    pm = PathwayModel(network)
    t2 = time.perf_counter()
    m = pm.model
    report(
        model_build_s=t2 - t1,
        peak_mib_after_model=peak_mib(),
        variables=int(m.nvars),
        constraints=int(m.ncons),
        binaries=sum(int((m.variables[v].labels != -1).sum()) for v in m.binaries),
    )
    status, condition = pm.solve(time_limit=case["time_limit"], mip_gap=case["mip_gap"])
    t3 = time.perf_counter()
    report(
        solve_s=t3 - t2,
        total_s=t3 - t0,
        model_plus_solve_s=t3 - t1,
        status=status,
        condition=condition,
        time_limit_hit="time" in str(condition).lower(),
        objective=pm.objective_value if condition in SOLVED else None,
        peak_mib=peak_mib(),
    )


# ------------------------------------------------------------------------ PyPSA engine


def _activity(build: np.ndarray, lifetime: np.ndarray, periods: np.ndarray) -> np.ndarray:
    """(item, build, period): 1 where what was built in ``build`` still stands in ``period``."""
    b = build[None, :, None]
    p = periods[None, None, :]
    return ((b <= p) & (p < b + lifetime[:, None, None])).astype(float)


def to_pypsa(network, solver_tolerance_big: float = BIG):
    """The same optimisation problem as ``PathwayModel(network)`` (without economies of scale) in PyPSA.

    Returns ``(n, extra_functionality)``. Correspondence (see tests/pathway/test_network_crosscheck.py):

    * Snapshots (period, timestep), timestep = 24 * typical day + hour; snapshot weightings
      ``objective``/``generators`` = day weight, ``stores`` = 1; investment period weightings
      ``objective`` = ``Network.discount_sum()``, ``years`` = ``period_years``.
    * A unit is a Link whose p0 is clusterpath's reference flow: bus0 is one shared "ref" bus fed
      by a free generator, bus1..busN the unit's ports on balance buses with efficiencyK = the
      port coefficient (time-varying if the coefficient depends on the period). Existing
      capacity is one non-extendable Link (p_nom = its largest value, p_max_pu carrying the
      per-period share and the profile); new capacity one extendable Link per build period
      (build_year, lifetime) with capital_cost = capex * (annuity + fom); unlimited units a
      Link of p_nom = BIG. Balance buses get Loads (negative demand is a fixed supply).
    * Emission buses are not balanced in clusterpath: emissions are expressions of the flows,
      so the caps (and a carbon price) are extra constraints (objective terms) on Link-p.
      Resource potentials (total capacity over vintages), annual limits and build limits are
      extra constraints too.
    * A store: per build period an energy Store (capital_cost for energy; on an idle bus, so
      only its e_nom matters), a charger Link (bus -> ref) with the power capital cost and a
      discharger Link (ref -> bus) of equal p_nom. PyPSA has no storage across typical days,
      so the level within each typical day and the level at the start of each of the 365 real
      days (Kotzur et al. 2018, as in clusterpath) are extra variables and constraints.
    """
    import pypsa

    from clusterpath.pathway.tables import annuity

    n_ = network
    periods = np.asarray(n_.period_index.values)
    days = n_.day_weight.indexes["day"]
    nd = len(days)
    steps = nd * HOURS
    timestep = np.arange(steps)
    weights = n_.day_weight.values.astype(float)
    discount = n_.discount_sum().values
    rate = n_.discount_rate
    if n_.scale is not None and not n_.scale.empty:
        raise ValueError("PyPSA has no size classes: build the network with economies_of_scale off")

    n = pypsa.Network()
    n.set_snapshots(pd.MultiIndex.from_product([periods, timestep], names=["period", "timestep"]))
    n.set_investment_periods(periods)
    n.investment_period_weightings["years"] = [float(n_.period_years[p]) for p in periods]
    n.investment_period_weightings["objective"] = discount
    sw = np.tile(np.repeat(weights, HOURS), len(periods))
    n.snapshot_weightings["objective"] = sw
    n.snapshot_weightings["generators"] = sw
    n.snapshot_weightings["stores"] = 1.0
    P = len(periods)

    def per_period(values) -> np.ndarray:  # (period,) -> (snapshot,)
        return np.repeat(np.asarray(values, float), steps)

    # -- buses and demand
    kinds = n_.buses["kind"]
    balance = n_.buses.index[kinds == "balance"]
    emission_buses = n_.buses.index[kinds == "emission"]
    ports = n_.ports
    connected = pd.Index(ports.loc[ports["bus"].isin(balance), "bus"].unique())
    if not n_.stores.empty:
        connected = connected.union(pd.Index(n_.stores["bus"].unique()))
    n.add("Bus", list(connected))
    n.add("Bus", "ref")
    n.add("Generator", "ref-free", bus="ref", p_nom=solver_tolerance_big * 100, p_min_pu=-1.0)
    demand = n_.demand.reindex(bus=connected, fill_value=0.0).transpose("bus", "period", "day", "hour")
    values = demand.values.reshape(len(connected), -1)
    nonzero = np.abs(values).max(axis=1) > 0
    if nonzero.any():
        loads = connected[nonzero]
        n.add(
            "Load",
            [f"{b}|load" for b in loads],
            bus=list(loads),
            p_set=pd.DataFrame(values[nonzero].T, index=n.snapshots, columns=[f"{b}|load" for b in loads]),
        )

    # -- units
    units = n_.units
    up = n_.unit_period
    capex = up["capex"].unstack("period").reindex(index=units.index, columns=periods).fillna(0.0)
    vom = up["vom"].unstack("period").reindex(index=units.index, columns=periods).fillna(0.0)
    existing = up["existing"].unstack("period").reindex(index=units.index, columns=periods).fillna(0.0)
    profiles = n_.profiles.transpose("profile", "day", "hour")
    bal_ports = ports[ports["bus"].isin(connected)]
    port_groups = {u: g for u, g in bal_ports.groupby("unit", sort=False)}
    static: dict[str, dict] = {}
    series: dict[str, dict[str, np.ndarray]] = {}
    components: dict[str, list[tuple[str, int | None]]] = {}  # unit -> [(link, build period or None)]

    def add_link(name: str, unit: str, attrs: dict, ts: dict) -> None:
        static[name] = attrs
        for key, value in ts.items():
            series.setdefault(key, {})[name] = value

    for u, row in units.iterrows():
        g = port_groups.get(u)
        base: dict = {"bus0": "ref", "carrier": str(row.get("lever", "") or "")}
        ts: dict[str, np.ndarray] = {}
        if g is not None:
            for k, (bus, coef) in enumerate(zip(g["bus"], g["coefficient"], strict=True), start=1):
                suffix = "" if k == 1 else str(k)
                base[f"bus{k}"] = bus
                by_period = n_.port_period.get((u, bus))
                if by_period is not None:
                    ts[f"efficiency{suffix}"] = per_period(by_period)
                else:
                    base[f"efficiency{suffix}"] = float(coef)
        marginal = vom.loc[u].to_numpy()
        if np.ptp(marginal) > 0:
            ts["marginal_cost"] = per_period(marginal)
        else:
            base["marginal_cost"] = float(marginal[0])
        profile = str(row["profile"]) if isinstance(row["profile"], str) else ""
        avail = profiles.sel(profile=profile).values.reshape(-1) if profile else None
        components[u] = []
        if bool(row["unlimited"]):
            add_link(u, u, {**base, "p_nom": solver_tolerance_big}, ts)
            components[u].append((u, None))
            continue
        ex = existing.loc[u].to_numpy()
        if ex.max() > 0:
            share = per_period(ex / ex.max())
            pmax = share * (np.tile(avail, P) if avail is not None else 1.0)
            add_link(f"{u}|existing", u, {**base, "p_nom": float(ex.max())}, {**ts, "p_max_pu": pmax})
            components[u].append((f"{u}|existing", None))
        if bool(row["extendable"]):
            life = float(row["lifetime"])
            yearly = float(annuity(rate, life)) + float(row["fom"])
            for i, p in enumerate(periods):
                attrs = {
                    **base,
                    "p_nom_extendable": True,
                    "build_year": int(p),
                    "lifetime": life,
                    "capital_cost": float(capex.loc[u].iloc[i]) * yearly,
                }
                vts = dict(ts)
                if avail is not None:
                    vts["p_max_pu"] = np.tile(avail, P)
                add_link(f"{u}|new{p}", u, attrs, vts)
                components[u].append((f"{u}|new{p}", int(p)))

    # -- stores
    stores = n_.stores
    store_names = list(stores.index)
    if store_names:
        n.add("Bus", "store-energy")
        sp = n_.store_period
        cap_e = sp["capex_energy"].unstack("period").reindex(index=stores.index, columns=periods).fillna(0.0)
        cap_p = sp["capex_power"].unstack("period").reindex(index=stores.index, columns=periods).fillna(0.0)
        for s, row in stores.iterrows():
            life = float(row["lifetime"])
            yearly = float(annuity(rate, life)) + float(row["fom"])
            for i, p in enumerate(periods):
                vintage = {"build_year": int(p), "lifetime": life}
                n.add(
                    "Store",
                    f"{s}|energy{p}",
                    bus="store-energy",
                    e_nom_extendable=True,
                    e_cyclic=True,
                    capital_cost=float(cap_e.loc[s].iloc[i]) * yearly,
                    **vintage,
                )
                add_link(
                    f"{s}|charge{p}",
                    s,
                    {
                        "bus0": row["bus"],
                        "bus1": "ref",
                        "p_nom_extendable": True,
                        "capital_cost": float(cap_p.loc[s].iloc[i]) * yearly,
                        **vintage,
                    },
                    {},
                )
                add_link(
                    f"{s}|discharge{p}", s, {"bus0": "ref", "bus1": row["bus"], "p_nom_extendable": True, **vintage}, {}
                )

    # Add all links at once (one frame), time series as frames.
    frame = pd.DataFrame.from_dict(static, orient="index")
    for column in frame.columns:
        if column.startswith("bus"):
            frame[column] = frame[column].fillna("")
        elif column.startswith("efficiency"):
            frame[column] = frame[column].fillna(1.0)
    frame["p_nom_extendable"] = (
        frame.get("p_nom_extendable", pd.Series(False, index=frame.index)).fillna(False).astype(bool)
    )
    for column, default in (
        ("p_nom", 0.0),
        ("capital_cost", 0.0),
        ("marginal_cost", 0.0),
        ("lifetime", np.inf),
        ("build_year", 0),
    ):
        if column in frame:
            frame[column] = frame[column].fillna(default)
    frame["carrier"] = frame.get("carrier", pd.Series("", index=frame.index)).fillna("")
    kwargs = {c: frame[c] for c in frame.columns}
    defaults = {"marginal_cost": 0.0, "p_max_pu": 1.0}
    for key, by_name in series.items():
        # PyPSA wants a series attribute for every link: the static value (or default) elsewhere.
        static_value = kwargs.pop(key, pd.Series(defaults.get(key, 1.0), index=frame.index))
        full = pd.DataFrame(
            np.broadcast_to(static_value.to_numpy(float), (len(n.snapshots), len(frame))).copy(),
            index=n.snapshots,
            columns=frame.index,
        )
        given = pd.DataFrame(by_name, index=n.snapshots)
        full[given.columns] = given
        kwargs[key] = full
    carriers = sorted(set(frame["carrier"]) - {""})
    if carriers:
        n.add("Carrier", carriers)
    n.add("Link", frame.index, **kwargs)

    # -- the extra constraints
    def extra(n, sns) -> None:
        m = n.model
        p = m["Link-p"]
        period_idx = pd.Index(periods, name="period")
        w_t = xr.DataArray(np.repeat(weights, HOURS), coords=[pd.Index(timestep, name="timestep")])

        def flows_by_unit(names_units: list[tuple[str, str]]):
            """Link-p of the given links, (name, period, timestep)."""
            return p.sel(name=[a for a, _ in names_units]).unstack("snapshot")

        # Emissions: sum of weighted flows times emission port coefficients, per bus and period.
        em_ports = ports[ports["bus"].isin(emission_buses)]
        needed = set()
        for cap in n_.caps:
            needed |= set(cap.buses)
        priced = None
        if n_.carbon_price is not None:
            flag = n_.buses.get("priced", pd.Series(True, index=n_.buses.index))
            priced = set(flag.index[flag.fillna(True).astype(bool)]) & set(emission_buses)
            needed |= priced
        em_ports = em_ports[em_ports["bus"].isin(needed)]
        rows = []  # (link, bus, coefficient by period)
        for u, bus, coef in zip(em_ports["unit"], em_ports["bus"], em_ports["coefficient"], strict=True):
            by_period = np.asarray(n_.port_period.get((u, bus), [coef] * P), float)
            for link, _ in components.get(u, []):
                rows.append((link, bus, by_period))
        emissions = None
        if rows:
            links = [r[0] for r in rows]
            idx = pd.RangeIndex(len(rows), name="row")
            sel = p.sel(name=xr.DataArray(links, coords=[idx])).unstack("snapshot")
            coef = xr.DataArray(np.array([r[2] for r in rows]), coords=[idx, period_idx])
            yearly = (sel * coef * w_t).sum("timestep")  # (row, period)
            bus_of = xr.DataArray([r[1] for r in rows], coords=[idx], name="bus")
            grouped = yearly.groupby(bus_of).sum()
            emissions = grouped.rename(group="bus") if "group" in grouped.dims else grouped
        constant = n_.emission_constant
        for cap in n_.caps:
            buses = [b for b in cap.buses if emissions is not None and b in emissions.indexes["bus"]]
            const = constant.reindex(bus=cap.buses, fill_value=0.0).sum("bus") if constant is not None else 0.0
            limit = xr.DataArray(cap.limit.reindex(periods).astype(float).values, coords=[period_idx])
            if buses:
                m.add_constraints(
                    emissions.sel(bus=buses).sum("bus") <= limit - const, name=f"cp-emission-cap-{cap.name}"
                )
        if priced and emissions is not None:
            price = xr.DataArray(n_.carbon_price.reindex(periods).fillna(0).astype(float).values, coords=[period_idx])
            disc = xr.DataArray(discount, coords=[period_idx])
            pb = [b for b in priced if b in emissions.indexes["bus"]]
            fixed = (
                float((constant.reindex(bus=list(priced), fill_value=0.0).sum("bus") * price * disc).sum())
                if constant is not None
                else 0.0
            )
            m.objective = m.objective.expression + (emissions.sel(bus=pb).sum("bus") * price * disc).sum() + fixed

        # Capacity of a unit in a period over its vintages: sum of p_nom of active new Links + existing.
        pnom = m["Link-p_nom"]
        act_cache = {}

        def capacity_terms(u: str):
            new = [(link, b) for link, b in components[u] if b is not None]
            if not new:
                return None
            life = float(units.at[u, "lifetime"])
            if life not in act_cache:
                act_cache[life] = _activity(periods, np.array([life]), periods)[0]  # (build, period)
            act = xr.DataArray(act_cache[life], coords=[pd.Index([link for link, _ in new], name="name"), period_idx])
            return (pnom.sel(name=[link for link, _ in new]) * act).sum("name")

        finite = units.index[np.isfinite(units["capacity_max"].astype(float)) & units["extendable"].astype(bool)]
        for u in finite:
            expr = capacity_terms(u)
            if expr is None:
                continue
            rhs = xr.DataArray(float(units.at[u, "capacity_max"]) - existing.loc[u].to_numpy(), coords=[period_idx])
            m.add_constraints(expr <= rhs, name=f"cp-potential-{u}")

        for lim in n_.annual_limits:
            links = [link for u in lim.units for link, _ in components[u]]
            yearly = (p.sel(name=links).unstack("snapshot") * w_t).sum(["name", "timestep"])
            rhs = xr.DataArray(lim.limit.reindex(periods).astype(float).values, coords=[period_idx])
            m.add_constraints(yearly <= rhs, name=f"cp-annual-limit-{lim.name}")
        for lim in n_.build_limits:
            by_period = []
            for b in periods:
                links = [link for u in lim.units for link, bb in components[u] if bb == b]
                by_period.append(pnom.sel(name=links).sum() if links else None)
            for b, expr, value in zip(periods, by_period, lim.limit.reindex(periods).astype(float).values, strict=True):
                if expr is not None:
                    m.add_constraints(expr <= value, name=f"cp-build-limit-{lim.name}-{b}")

        if not store_names:
            return
        # Stores: one power rating per vintage, then the clusterpath (Kotzur) level formulation.
        st = pd.Index(store_names, name="store")
        for s in store_names:
            for b in periods:
                m.add_constraints(
                    pnom.sel(name=f"{s}|charge{b}") - pnom.sel(name=f"{s}|discharge{b}") == 0,
                    name=f"cp-store-power-{s}-{b}",
                )
        life = stores["lifetime"].astype(float).to_numpy()
        act = _activity(periods, life, periods)  # (store, build, period)

        def summed(kind: str):
            """(store, period, timestep): sum over vintages of the charge or discharge Link-p."""
            names = [f"{s}|{kind}{b}" for s in store_names for b in periods]
            flows = p.sel(name=names).unstack("snapshot")  # (name, period, timestep)
            owner = xr.DataArray(
                [s for s in store_names for _ in periods], coords=[pd.Index(names, name="name")], name="store"
            )
            out = flows.groupby(owner).sum()
            return out.rename(group="store") if "group" in out.dims else out

        charge, discharge = summed("charge"), summed("discharge")
        e_nom = m["Store-e_nom"]
        e_names = [f"{s}|energy{b}" for s in store_names for b in periods]
        act_da = xr.DataArray(act.reshape(len(store_names) * P, P), coords=[pd.Index(e_names, name="name"), period_idx])
        owner_e = xr.DataArray(
            [s for s in store_names for _ in periods], coords=[pd.Index(e_names, name="name")], name="store"
        )
        energy = (e_nom.sel(name=e_names) * act_da).groupby(owner_e).sum()
        energy = energy.rename(group="store") if "group" in energy.dims else energy

        def column(name: str) -> xr.DataArray:
            return xr.DataArray(stores[name].astype(float).values, coords=[st])

        keep = 1 - column("standing_loss")
        ts_idx = pd.Index(timestep, name="timestep")
        level = m.add_variables(coords=[st, period_idx, ts_idx], name="cp-store-level-in-day")
        first = xr.DataArray((timestep % HOURS) == 0, coords=[ts_idx])
        prev = (keep * level.shift(timestep=1)).where(~first)
        m.add_constraints(
            level - prev - column("eta_charge") * charge + (1 / column("eta_discharge")) * discharge == 0,
            name="cp-store-level-in-day",
        )
        real_days = pd.RangeIndex(len(n_.day_order), name="realday")
        order = np.asarray(days.values[n_.day_order])
        level_start = m.add_variables(lower=0, coords=[st, period_idx, real_days], name="cp-store-level-start")
        end_ts = xr.DataArray(order * HOURS + HOURS - 1, coords=[real_days])
        day_end = level.isel(timestep=end_ts)
        m.add_constraints(
            level_start.roll(realday=-1) - keep**HOURS * level_start - day_end == 0, name="cp-store-level-across-days"
        )
        if n_.exact_store_levels and (column("standing_loss") > 0).any():
            raise NotImplementedError("exact_store_levels is not mirrored in the PyPSA benchmark")
        day_idx = pd.Index(np.asarray(days), name="day")
        top = m.add_variables(coords=[st, period_idx, day_idx], name="cp-store-level-max-in-day")
        bottom = m.add_variables(coords=[st, period_idx, day_idx], name="cp-store-level-min-in-day")
        day_of_ts = xr.DataArray(np.asarray(days)[timestep // HOURS], coords=[ts_idx])
        m.add_constraints(top.sel(day=day_of_ts) - level >= 0, name="cp-store-level-max")
        m.add_constraints(bottom.sel(day=day_of_ts) - level <= 0, name="cp-store-level-min")
        by_real = xr.DataArray(order, coords=[real_days])
        m.add_constraints(level_start + top.sel(day=by_real) - energy <= 0, name="cp-store-level-upper")
        m.add_constraints(keep**HOURS * level_start + bottom.sel(day=by_real) >= 0, name="cp-store-level-lower")
        emax = column("energy_max")
        if np.isfinite(emax).any():
            finite_s = list(st[np.isfinite(emax.values)])
            m.add_constraints(energy.sel(store=finite_s) <= emax.sel(store=finite_s), name="cp-store-potential")
        ratio = column("max_hours")
        if ratio.notnull().any():
            for s in st[ratio.notnull().values]:
                for b in periods:
                    m.add_constraints(
                        e_nom.sel(name=f"{s}|energy{b}") - float(ratio.sel(store=s)) * pnom.sel(name=f"{s}|charge{b}")
                        == 0,
                        name=f"cp-store-ratio-{s}-{b}",
                    )

    return n, extra


def run_pypsa(case: dict, report) -> None:
    warnings.filterwarnings("ignore")
    logging.getLogger("pypsa").setLevel(logging.ERROR)
    logging.getLogger("linopy").setLevel(logging.ERROR)
    t0 = time.perf_counter()
    network = build_network(case)
    t1 = time.perf_counter()
    n, extra = to_pypsa(network)
    t2 = time.perf_counter()
    report(
        network_build_s=t1 - t0,
        convert_s=t2 - t1,
        peak_mib_after_convert=peak_mib(),
        links=len(n.links),
        stores=len(n.stores),
    )
    marks: dict[str, float] = {}

    def timed_extra(n, sns):
        marks["extra_start"] = time.perf_counter()
        extra(n, sns)
        marks["extra_end"] = time.perf_counter()

    options = {"solver": "ipm", "run_crossover": "on"} if case["pypsa_ipm"] else {}
    if case["time_limit"] is not None:
        options["time_limit"] = float(case["time_limit"])
    status, condition = n.optimize(
        solver_name="highs",
        multi_investment_periods=True,
        extra_functionality=timed_extra,
        include_objective_constant=False,
        log_to_console=False,
        io_api="direct",
        solver_options=options,
    )
    t3 = time.perf_counter()
    m = n.model
    report(
        pypsa_model_build_s=marks["extra_start"] - t2,
        extra_constraints_s=marks["extra_end"] - marks["extra_start"],
        solve_s=t3 - marks["extra_end"],
        optimize_s=t3 - t2,
        total_s=t3 - t0,
        status=status,
        condition=condition,
        time_limit_hit="time" in str(condition).lower(),
        variables=int(m.nvars),
        constraints=int(m.ncons),
        objective=float(n.objective) if condition in SOLVED else None,
        peak_mib=peak_mib(),
    )
    if status == "ok":
        big = n.links.index[n.links["p_nom"] >= BIG]
        if len(big):
            report(max_flow_on_unlimited=float(n.links_t.p0[big].abs().max().max()))


# ------------------------------------------------------------------------------ driver


def child(engine: str, case: dict, partial_path: str) -> None:
    results: dict = {}

    def report(**values):
        results.update(values)
        with open(partial_path, "w") as f:
            json.dump(results, f)

    (run_clusterpath if engine == "clusterpath" else run_pypsa)(case, report)


def run_case(engine: str, case: dict, wall_limit: float | None) -> dict:
    partial = f"/tmp/pathway-benchmark-{os.getpid()}-{engine}-{case['members']}.json"
    if os.path.exists(partial):
        os.remove(partial)
    command = [sys.executable, __file__, "--child", engine, json.dumps(case), partial]
    t0 = time.perf_counter()
    proc = subprocess.Popen(command)
    try:
        code = proc.wait(timeout=wall_limit)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        code = "killed (wall limit)"
    wall = time.perf_counter() - t0
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = {}
    if os.path.exists(partial):
        with open(partial) as f:
            out = json.load(f)
    out.update(engine=engine, exit=code, subprocess_wall_s=wall, children_peak_mib_so_far=usage.ru_maxrss / 1024)
    return out


def fmt(x, spec=".1f"):
    return "-" if x is None else format(x, spec)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--members",
        type=int,
        nargs="+",
        default=[10, 100, 320],
        help="cluster sizes; 320 is the bundled industrial-estate example",
    )
    parser.add_argument("--typical-days", type=int, default=12)
    parser.add_argument("--scenario", default="scope-1-net-zero-2050")
    parser.add_argument(
        "--pypsa",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="also solve the same network in PyPSA (only without economies of scale)",
    )
    parser.add_argument("--economies-of-scale", action=argparse.BooleanOptionalAction, default=False)
    parser.add_argument(
        "--group-members",
        action=argparse.BooleanOptionalAction,
        default=False,
        help="solve members that differ only in size and distance as one, as `plan` does above 50 members",
    )
    parser.add_argument(
        "--pypsa-ipm",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="give PyPSA's HiGHS the options clusterpath uses for LPs (ipm + crossover)",
    )
    parser.add_argument("--time-limit", type=float, default=1800.0, help="HiGHS time limit per solve, s")
    parser.add_argument("--wall-limit", type=float, default=None, help="kill a case's subprocess after this, s")
    parser.add_argument("--mip-gap", type=float, default=0.01)
    parser.add_argument("--out", default="results.json")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child[0], json.loads(args.child[1]), args.child[2])
        return

    meta = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": " ".join(sys.argv),
        "python": platform.python_version(),
        "machine": platform.platform(),
        "cpus": os.cpu_count(),
    }
    try:
        import highspy
        import linopy
        import pypsa

        meta.update(pypsa=pypsa.__version__, linopy=linopy.__version__, highspy=getattr(highspy, "__version__", "?"))
    except ImportError as error:
        meta["versions"] = f"unknown ({error})"
    rows = []
    for members in args.members:
        case = {
            "members": members,
            "typical_days": args.typical_days,
            "scenario": args.scenario,
            "economies_of_scale": args.economies_of_scale,
            "group_members": args.group_members,
            "time_limit": args.time_limit,
            "mip_gap": args.mip_gap,
            "pypsa_ipm": args.pypsa_ipm,
        }
        ours = run_case("clusterpath", case, args.wall_limit)
        row = {"case": case, "clusterpath": ours}
        print(json.dumps({"members": members, "clusterpath": ours}), flush=True)
        if args.pypsa and not args.economies_of_scale:
            theirs = run_case("pypsa", case, args.wall_limit)
            row["pypsa"] = theirs
            print(json.dumps({"members": members, "pypsa": theirs}), flush=True)
            a, b = ours.get("objective"), theirs.get("objective")
            if a is not None and b is not None:
                row["objective_rel_diff"] = abs(a - b) / max(abs(a), abs(b), 1.0)
            if ours.get("model_plus_solve_s") and theirs.get("optimize_s"):
                row["wall_ratio_clusterpath_over_pypsa"] = ours["model_plus_solve_s"] / theirs["optimize_s"]
        if ours.get("model_build_s") and ours.get("solve_s"):
            row["model_build_share_of_solve"] = ours["model_build_s"] / ours["solve_s"]
        rows.append(row)
        with open(args.out, "w") as f:
            json.dump({"meta": meta, "rows": rows}, f, indent=2)

    print()
    header = (
        f"{'members':>7} {'EoS':>3} {'vars':>9} {'cons':>9} {'net s':>7} {'model s':>8} {'solve s':>8} "
        f"{'peak MiB':>8} {'build/solve':>11} {'PyPSA build s':>13} {'PyPSA solve s':>13} {'PyPSA MiB':>9} "
        f"{'ratio':>6} {'obj rel diff':>12}"
    )
    print(header)
    for row in rows:
        c, o, p = row["case"], row["clusterpath"], row.get("pypsa", {})
        print(
            f"{c['members']:>7} {'on' if c['economies_of_scale'] else 'off':>3} {o.get('variables', 0):>9} "
            f"{o.get('constraints', 0):>9} {fmt(o.get('network_build_s')):>7} {fmt(o.get('model_build_s')):>8} "
            f"{fmt(o.get('solve_s')):>8} {fmt(o.get('peak_mib'), '.0f'):>8} "
            f"{fmt(row.get('model_build_share_of_solve'), '.3f'):>11} "
            f"{fmt(p.get('pypsa_model_build_s')):>13} {fmt(p.get('solve_s')):>13} {fmt(p.get('peak_mib'), '.0f'):>9} "
            f"{fmt(row.get('wall_ratio_clusterpath_over_pypsa'), '.2f'):>6} {fmt(row.get('objective_rel_diff'), '.1e'):>12}"
        )
        for engine in ("clusterpath", "pypsa"):
            r = row.get(engine)
            if r and (r.get("time_limit_hit") or r.get("exit") != 0 or r.get("status") not in ("ok",)):
                print(f"  ! {engine}: status={r.get('status')} condition={r.get('condition')} exit={r.get('exit')}")


if __name__ == "__main__":
    main()
