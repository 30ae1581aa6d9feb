"""A multi-period energy network and its linopy model.

The network is plain tables (units with ports, stores, demand, emission caps), so the
same builder serves a whole cluster, a coalition of its members, or a hand-written test
case mirrored in PyPSA. Every constraint is one vectorized statement over labeled
dimensions: unit, store, bus, period, day (typical day) and hour.

Conventions: flows are MW (so MWh per hour), capacities MW of the unit's reference
flow, costs in the cluster's currency; ``capex`` per MW of reference flow, ``vom`` per
MWh of reference flow. Emission buses collect tCO2e and are not balanced.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import linopy
import numpy as np
import pandas as pd
import xarray as xr

from clusterpath.pathway import branch, policy_terms, solve
from clusterpath.pathway.policy_terms import PolicyTerms
from clusterpath.pathway.tables import annuity, period_table

HOURS = 24
# Cost of one unit of unmet requirement in a relaxed model: far above any real cost, so the
# optimizer violates only what it cannot meet.
RELAXATION_PENALTY = 1e9
CAP_PENALTY = 1e10  # per tCO2e a year
UNSERVED_PENALTY = 1e12  # per MWh a year


@dataclass
class EmissionCap:
    """Emissions on ``buses`` summed over a year may not exceed ``limit`` (tCO2e per period)."""

    name: str
    buses: list[str]
    limit: pd.Series  # by period


@dataclass
class AnnualLimit:
    """The yearly reference flow of ``units`` may not exceed ``limit`` (e.g. CO2 injection)."""

    name: str
    units: list[str]
    limit: pd.Series  # by period, MWh (or t) per year
    description: str = ""


@dataclass
class BuildLimit:
    """New capacity of ``units`` built in a period may not exceed ``limit`` (MW per period)."""

    name: str
    units: list[str]
    limit: pd.Series  # by period


@dataclass
class Network:
    periods: pd.Index  # first year of each investment period
    period_years: pd.Series  # years each period stands for
    discount_rate: float
    base_year: int  # costs are discounted to the start of this year
    day_weight: xr.DataArray  # ("day",) real days each typical day stands for; sums to 365
    day_order: np.ndarray  # (365,) typical day of each real day, for storage across days
    buses: pd.DataFrame  # index bus; columns node, carrier, kind ("balance" or "emission")
    units: pd.DataFrame  # index unit; node, technology, lifetime, fom, extendable, capacity_max, profile, unlimited
    unit_period: pd.DataFrame  # index (unit, period); capex, vom, existing
    ports: pd.DataFrame  # unit, bus, coefficient (per MW of the unit's reference flow)
    demand: xr.DataArray  # ("bus", "period", "day", "hour") MW; negative demand is a fixed supply
    profiles: xr.DataArray  # ("profile", "day", "hour") availability per MW of capacity
    stores: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=STORE_COLUMNS))
    store_period: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["capex_energy", "capex_power"]))
    emission_constant: xr.DataArray | None = None  # ("bus", "period") tCO2e per year outside any flow
    caps: list[EmissionCap] = field(default_factory=list)
    carbon_price: pd.Series | None = None  # by period, per tCO2e on every emission bus
    annual_limits: list[AnnualLimit] = field(default_factory=list)
    scale: pd.DataFrame | None = None  # economies of scale: index (unit, segment, period); lo, hi, fixed, slope
    # Yearly cost of a unit's flow by size class of the yearly flow: index (unit, segment, period); lo, hi, fixed, slope
    flow_scale: pd.DataFrame | None = None
    port_period: dict[tuple[str, str], list[float]] = field(default_factory=dict)  # (unit, bus) -> coefficient by period
    # (unit, bus) -> coefficient of capacity built in each period (its catalog year); existing capacity keeps the
    # coefficient of ``ports``. A key may not also be in ``port_period``.
    port_vintage: dict[tuple[str, str], list[float]] = field(default_factory=dict)
    build_limits: list[BuildLimit] = field(default_factory=list)
    policy: PolicyTerms | None = None  # credits, grants, contracts for difference, mandates, border charges
    exact_store_levels: bool = False  # bound lossy stores hour by hour (see PathwayModel._stores)
    # ("day", "hour") hours each time step of a day lasts (tsam segments, docs/timeseries.md); None: 24 steps of 1 h
    step_hours: xr.DataArray | None = None
    meta: dict = field(default_factory=dict)  # what the network means to its builder, for reporting

    @property
    def duration(self) -> xr.DataArray:
        """Hours each (day, step) lasts: ``step_hours``, or 1 for each of the 24 hours of an unsegmented day."""
        if self.step_hours is not None:
            return self.step_hours
        days = self.day_weight.indexes["day"]
        return xr.DataArray(np.ones((len(days), HOURS)), coords=[days, pd.RangeIndex(HOURS, name="hour")])

    @property
    def step_weight(self) -> xr.DataArray:
        """Real hours each (day, step) stands for in a year (days it represents x hours it lasts); sums to 8760.

        A flow in MW times this, summed over days and steps, is MWh a year.
        """
        return self.day_weight * self.duration

    @property
    def period_index(self) -> pd.Index:
        return pd.Index(self.periods, name="period")

    def discount_sum(self) -> xr.DataArray:
        """Present value of 1 per year over each period's years."""
        periods = self.period_index
        values = []
        for year in periods:
            years = year - self.base_year + np.arange(int(self.period_years[year]))
            values.append(float(np.sum((1 + self.discount_rate) ** -years.astype(float))))
        return xr.DataArray(values, coords=[periods])

    def activity(self) -> xr.DataArray:
        """1 where capacity built in period ``build`` still stands in ``period`` (unit, build, period)."""
        built = xr.DataArray(self.period_index.values, coords=[self.period_index.rename("build")])
        year = xr.DataArray(self.period_index.values, coords=[self.period_index])
        life = xr.DataArray(self.units["lifetime"].astype(float), coords=[self.units.index.rename("unit")])
        return ((built <= year) & (year < built + life)).astype(float)


STORE_COLUMNS = ["bus", "lifetime", "fom", "eta_charge", "eta_discharge", "standing_loss", "energy_max", "max_hours"]


class PathwayModel:
    """The linopy model of a network: build once, then solve (and re-solve)."""

    def __init__(self, network: Network, relax: bool = False) -> None:
        """``relax`` adds priced slack to every requirement, so an infeasible plan shows what it lacks."""
        self.network = network
        self.relax = relax
        self.slacks: dict[str, linopy.Variable] = {}
        self.classes: list[branch.Classes] = []  # size and flow classes, for the solver's first plan
        self.model = linopy.Model(force_dim_names=True)
        self._build()

    def _slack(self, name: str, like) -> linopy.Variable | int:
        """A non-negative shortfall variable shaped like ``like``, or 0 when not relaxing."""
        if not self.relax:
            return 0
        coords = [like.indexes[d] for d in like.dims]
        self.slacks[name] = self.model.add_variables(lower=0, coords=coords, name=f"slack-{name}")
        return self.slacks[name]

    # -- building -------------------------------------------------------------------
    def _build(self) -> None:
        n = self.network
        m = self.model
        periods = n.period_index
        units = n.units.index.rename("unit")
        days = n.day_weight.indexes["day"]
        hours = n.duration.indexes["hour"]
        self.coords = {"unit": units, "period": periods, "day": days, "hour": hours}

        self.flow = m.add_variables(lower=0, coords=[units, periods, days, hours], name="flow")
        extendable = xr.DataArray(n.units["extendable"].astype(bool).values, coords=[units])
        self.new = m.add_variables(lower=0, coords=[units, periods.rename("build")], name="new_capacity",
                                   mask=extendable & _buildable(n.units, units, periods))  # fmt: skip
        self.activity = n.activity()
        existing = period_table(n.unit_period, "existing", "unit", periods, units)
        self.existing = existing.fillna(0.0)
        self.capacity = (self.new.fillna(0) * self.activity).sum("build") + self.existing

        self._capacity_limits()
        self._vintages()
        self._stores()
        self._balances()
        self._emissions()
        self._annual_limits()
        self._build_limits()
        self._flow_classes()
        policy_terms.add_constraints(self)
        self._objective()

    def _capacity_limits(self) -> None:
        n, m = self.network, self.model
        units = self.coords["unit"]
        profile_names = n.units["profile"].fillna("").astype(str)
        availability = xr.DataArray(
            np.ones((len(units), len(self.coords["hour"]) * len(self.coords["day"]))), dims=["unit", "snapshot"]
        )
        has_profile = profile_names != ""
        if has_profile.any():
            stacked = n.profiles.stack(snapshot=("day", "hour")).transpose("profile", "snapshot")
            rows = stacked.sel(profile=profile_names[has_profile].values).values
            availability.values[np.flatnonzero(has_profile.values)] = rows
        availability = xr.DataArray(
            availability.values.reshape(len(units), len(self.coords["day"]), len(self.coords["hour"])),
            coords=[units, self.coords["day"], self.coords["hour"]],
        )
        self.availability = availability
        # A vintaged unit's limit is the sum of its vintage rows (``_vintages``): its own row would be redundant.
        limited = xr.DataArray(~n.units["unlimited"].astype(bool).values & ~units.isin(self._vintaged()), coords=[units])
        m.add_constraints(
            self.flow - self.capacity * availability <= 0,
            name="capacity-limit",
            mask=limited.broadcast_like(self.flow.labels),
        )
        potential = xr.DataArray(n.units["capacity_max"].astype(float).values, coords=[units])
        finite = np.isfinite(potential) & extendable_mask(n)
        if finite.any():
            m.add_constraints(
                self.capacity <= potential.fillna(0).where(finite, 0),
                name="resource-potential",
                mask=finite.broadcast_like(self.existing),
            )
        self._economies_of_scale()

    def _vintaged(self) -> pd.Index:
        """Units with a port whose coefficient depends on the build period."""
        return pd.Index(sorted({unit for unit, _ in self.network.port_vintage}), name="unit")

    def _vintage_reference(self, vintaged: pd.Index) -> xr.DataArray:
        """Set the coefficients the flow of each vintaged port has (``vintage_reference``); return the builds at them.

        Existing capacity runs at the coefficients of ``ports``; a unit with none runs its first buildable vintage's
        instead. Capacity built in a period at these coefficients on every vintaged port (the base vintages, (unit,
        build) True) needs no flow of its own: its flow is the unit's flow less the other vintages'.
        """
        n = self.network
        coefficients = n.ports.groupby(["unit", "bus"])["coefficient"].first()
        build = self.coords["period"].rename("build")
        buildable = (self.new.labels.sel(unit=vintaged) != -1).to_pandas()
        none_existing = ~(self.existing.sel(unit=vintaged) > 0).any("period").to_pandas()
        first = {unit: buildable.columns[buildable.loc[unit].to_numpy()][0] for unit in vintaged
                 if none_existing[unit] and buildable.loc[unit].any()}  # fmt: skip
        self.vintage_reference = {}
        base = pd.DataFrame(True, index=vintaged, columns=build)
        for (unit, bus), values in n.port_vintage.items():
            values = np.asarray(values, dtype=float)
            reference = values[build.get_loc(first[unit])] if unit in first else coefficients[(unit, bus)]
            self.vintage_reference[(unit, bus)] = float(reference)
            base.loc[unit] &= np.isclose(values, reference, rtol=1e-12, atol=0.0)
        return xr.DataArray(base)

    def _vintages(self) -> None:
        """The flow of each build period's capacity, for units whose ports differ by build period.

        A unit's flow splits into what each vintage carries, within that vintage's capacity, and the rest,
        carried by existing capacity and the base vintages (``_vintage_reference``). The split exists only where
        some port's coefficient depends on the build year (docs/model.md, section 4, "Vintages").
        """
        n, m = self.network, self.model
        self.vintage_flow = None
        self.vintage_reference: dict[tuple[str, str], float] = {}
        if not n.port_vintage:
            return
        overlap = set(n.port_vintage) & set(n.port_period)
        if overlap:
            raise ValueError(f"ports with coefficients both by period and by vintage: {sorted(overlap)}")
        known = set(zip(n.ports["unit"], n.ports["bus"], strict=True))
        missing = set(n.port_vintage) - known
        if missing:
            raise ValueError(f"vintage coefficients for ports that do not exist: {sorted(missing)}")
        periods, days, hours = self.coords["period"], self.coords["day"], self.coords["hour"]
        vintaged = self._vintaged()
        build = periods.rename("build")
        base = self._vintage_reference(vintaged)
        new = self.new.fillna(0).sel(unit=vintaged)
        standing = (self.activity.sel(unit=vintaged) > 0) & (self.new.labels.sel(unit=vintaged) != -1)
        shape = xr.DataArray(np.ones((len(days), len(hours)), dtype=bool), coords=[days, hours])
        mask = (standing & ~base & shape).transpose("unit", "build", "period", "day", "hour")
        self.vintage_flow = m.add_variables(lower=0, coords=[vintaged, build, periods, days, hours],
                                            name="vintage-flow", mask=mask)  # fmt: skip
        available = self.availability.sel(unit=vintaged)
        by_vintage = self.vintage_flow.fillna(0)  # absent where the vintage does not stand: it carries nothing
        m.add_constraints(by_vintage - available * new <= 0, name="vintage-capacity", mask=mask)
        at_base = (new * (self.activity.sel(unit=vintaged) * base)).sum("build") + self.existing.sel(unit=vintaged)
        rest = self.flow.sel(unit=vintaged) - by_vintage.sum("build")
        m.add_constraints(rest - available * at_base <= 0, name="vintage-existing")
        m.add_constraints(rest >= 0, name="vintage-split")

    def _economies_of_scale(self) -> None:
        """Concave capex as size classes, one chosen by a binary per build period (disaggregated form).

        ``scale`` rows (unit, segment, period): a unit built in ``period`` with a size in
        [lo, hi] costs fixed + slope * size. A power law a*size^b becomes its chords.
        """
        n = self.network
        self.investment = None
        if n.scale is None or n.scale.empty:
            return
        grid = xr.Dataset.from_dataframe(n.scale.rename_axis(["scaled", "segment", "build"]))
        grid = grid.reindex(build=self.coords["period"].rename("build").values)
        scaled = grid.indexes["scaled"]
        self.investment = self._classes(grid, self.new.sel(unit=scaled.values).rename(unit="scaled"), "size")
        self.scaled_units = pd.Index(scaled.values, name="unit")

    def _flow_classes(self) -> None:
        """A yearly flow cost by size class of the yearly flow, one class chosen by a binary per period.

        ``flow_scale`` rows (unit, segment, period): a unit whose flow over the year of ``period`` lies in
        [lo, hi] pays fixed + slope * flow a year (a CO2 storage site's price per tonne by what it injects).
        """
        n = self.network
        self.flow_class_cost = None
        if n.flow_scale is None or n.flow_scale.empty:
            return
        grid = xr.Dataset.from_dataframe(n.flow_scale.rename_axis(["classed", "segment", "period"]))
        grid = grid.reindex(period=self.coords["period"].values)
        classed = grid.indexes["classed"]
        yearly = (self.flow.sel(unit=classed.values) * n.step_weight).sum(["day", "hour"]).rename(unit="classed")
        self.flow_class_cost = self._classes(grid, yearly, "flow")
        self.classed_units = pd.Index(classed.values, name="unit")

    def _classes(self, grid: xr.Dataset, quantity, kind: str) -> linopy.LinearExpression:
        """The cost fixed + slope * quantity of the one class [lo, hi] of ``grid`` that ``quantity`` falls in.

        One binary per class (a missing ``hi`` masks a class that does not exist); ``kind`` names the variables
        and constraints (``size-class``, ``flow-in-class``, ...), which coalition re-solves look up.
        """
        m = self.model
        valid = grid["hi"].notnull()
        choose = m.add_variables(binary=True, coords=valid.coords, name=f"{kind}-class", mask=valid)
        amount = m.add_variables(lower=0, coords=valid.coords, name=f"{kind}-in-class", mask=valid)
        m.add_constraints(amount - grid["hi"].fillna(0) * choose <= 0, name=f"{kind}-class-upper", mask=valid)
        m.add_constraints(amount - grid["lo"].fillna(0) * choose >= 0, name=f"{kind}-class-lower", mask=valid)
        m.add_constraints(choose.sum("segment") <= 1, name=f"one-{kind}-class")
        m.add_constraints(quantity - amount.sum("segment") == 0, name=f"{kind}-from-classes")
        self.classes.append(branch.Classes(choose, amount, grid["lo"], grid["hi"]))
        return (grid["fixed"].fillna(0) * choose.fillna(0) + grid["slope"].fillna(0) * amount.fillna(0)).sum("segment")

    def _stores(self) -> None:
        """Charge, discharge and state of charge on typical days, linked across the year (Kotzur et al. 2018)."""
        n, m = self.network, self.model
        self.store_energy = None
        if n.stores.empty:
            return
        stores = n.stores.index.rename("store")
        periods, days, hours = self.coords["period"], self.coords["day"], self.coords["hour"]
        build = periods.rename("build")
        s = n.stores
        life = xr.DataArray(s["lifetime"].astype(float).values, coords=[stores])
        built = xr.DataArray(periods.values, coords=[build])
        year = xr.DataArray(periods.values, coords=[periods])
        self.store_activity = ((built <= year) & (year < built + life)).astype(float)

        self.charge = m.add_variables(lower=0, coords=[stores, periods, days, hours], name="store-charge")
        self.discharge = m.add_variables(lower=0, coords=[stores, periods, days, hours], name="store-discharge")
        buildable = _buildable(s, stores, periods)
        self.new_energy = m.add_variables(lower=0, coords=[stores, build], name="new-store-energy", mask=buildable)
        self.new_power = m.add_variables(lower=0, coords=[stores, build], name="new-store-power", mask=buildable)
        self.store_energy = (self.new_energy.fillna(0) * self.store_activity).sum("build")
        self.store_power = (self.new_power.fillna(0) * self.store_activity).sum("build")

        def column(name: str) -> xr.DataArray:
            return xr.DataArray(s[name].astype(float).values, coords=[stores])

        m.add_constraints(self.charge - self.store_power <= 0, name="store-charge-limit")
        m.add_constraints(self.discharge - self.store_power <= 0, name="store-discharge-limit")
        fixed_ratio = column("max_hours").notnull()
        if fixed_ratio.any():
            m.add_constraints(
                self.new_energy - column("max_hours").fillna(0) * self.new_power == 0,
                name="store-energy-to-power",
                mask=fixed_ratio & buildable,
            )
        energy_max = column("energy_max")
        if np.isfinite(energy_max).any():
            finite = np.isfinite(energy_max)
            m.add_constraints(self.store_energy <= energy_max.where(finite, 0), name="store-potential",
                              mask=finite.broadcast_like(self.store_energy.const))  # fmt: skip

        # Level within a typical day, relative to its start (0 before the first step), at the end of
        # each step of d hours: the level before decays by keep^d, and the step's constant net charge
        # adds keep^(d-1) + ... + 1 times its hourly amount, as d hours of the hourly model would.
        loss = column("standing_loss")
        keep = 1 - loss
        duration = n.duration
        keep_step = keep**duration
        gain = xr.where(loss > 0, (1 - keep_step) / (1 - keep).where(loss > 0, 1), duration)
        self.level = m.add_variables(coords=[stores, periods, days, hours], name="store-level-in-day")
        m.add_constraints(
            self.level - keep_step * self.level.shift(hour=1).fillna(0)
            - gain * column("eta_charge") * self.charge + gain / column("eta_discharge") * self.discharge == 0,
            name="store-level-in-day",
        )  # fmt: skip
        # Level at the start of each real day; cyclic over the year.
        real_days = pd.RangeIndex(len(n.day_order), name="realday")
        order = xr.DataArray(days.values[n.day_order], coords=[real_days])
        self.level_start = m.add_variables(lower=0, coords=[stores, periods, real_days], name="store-level-start")
        day_end = self.level.isel(hour=-1).sel(day=order)
        m.add_constraints(
            self.level_start.roll(realday=-1) - keep**HOURS * self.level_start - day_end == 0,
            name="store-level-across-days",
        )
        # Bounds on the true level, level_start * keep^(hours to the step's end) + level-in-day; within a
        # step of constant flows the level moves monotonically, so its ends bound it. By default each
        # day's extremes bound it (Kotzur et al. 2018), with the start level decayed over the
        # whole day in the lower bound: exact without losses, safe (never below zero) with
        # them. ``exact_store_levels`` bounds lossy stores hour by hour instead (larger model);
        # so does the full year (each real day its own day), where hourly bounds are exact and
        # no larger than the daily ones, so the full year is the exact chronological model.
        full_year = len(days) == len(n.day_order)
        hourly = (column("standing_loss") > 0) & (n.exact_store_levels or full_year)
        daily = ~hourly
        if daily.any():
            top = m.add_variables(coords=[stores, periods, days], name="store-level-max-in-day")
            bottom = m.add_variables(coords=[stores, periods, days], name="store-level-min-in-day")
            mask = daily.broadcast_like(self.level.labels)
            m.add_constraints(top - self.level >= 0, name="store-level-max", mask=mask)
            m.add_constraints(bottom - self.level <= 0, name="store-level-min", mask=mask)
            per_day = daily.broadcast_like(self.level_start.labels)
            m.add_constraints(self.level_start + top.sel(day=order) - self.store_energy <= 0,
                              name="store-level-upper", mask=per_day)  # fmt: skip
            m.add_constraints(keep**HOURS * self.level_start + bottom.sel(day=order) >= 0,
                              name="store-level-lower", mask=per_day)  # fmt: skip
        if hourly.any():
            lossy = stores[hourly.values]
            decay = keep.sel(store=lossy) ** duration.cumsum("hour")
            level = self.level_start.sel(store=lossy) * decay + self.level.sel(store=lossy).sel(day=order)
            m.add_constraints(level >= 0, name="store-level-lower-hourly")
            m.add_constraints(level - self.store_energy.sel(store=lossy) <= 0, name="store-level-upper-hourly")

    def _balances(self) -> None:
        """Supply equals demand on every balance bus, in every period, day and hour.

        Buses are grouped by how many ports they have (powers of two), one constraint block
        per group: a single block would pad every bus to the port count of the busiest one
        (the hub's electricity bus has a port per member), growing memory with members squared.
        """
        n, m = self.network, self.model
        balance_buses = n.buses.index[n.buses["kind"] == "balance"]
        ports = n.ports[n.ports["bus"].isin(balance_buses)]
        store_bus = pd.Series(n.stores["bus"].values, index=n.stores.index) if self.store_energy is not None else None
        counts = ports.groupby("bus").size()
        if store_bus is not None:
            counts = counts.reindex(counts.index.union(pd.Index(store_bus.unique())), fill_value=0)
        demand = n.demand.reindex(bus=balance_buses, fill_value=0.0)
        unmet = demand.sel(bus=balance_buses.difference(counts.index))
        if (abs(unmet) > 0).any():
            raise ValueError(f"demand on buses nothing supplies: {list(unmet.bus.values)}")
        group = np.ceil(np.log2(counts.clip(lower=1))).astype(int)
        self.balance = {}
        for size in sorted(group.unique()):
            buses = pd.Index(counts.index[group == size], name="bus")
            injection = self._port_sum(ports[ports["bus"].isin(buses)]) if (counts[buses] > 0).any() else 0
            if store_bus is not None and store_bus.isin(buses).any():
                stores = store_bus[store_bus.isin(buses)]
                selector = xr.DataArray(stores.values, coords=[stores.index.rename("store")], name="bus")
                flows = self.discharge.sel(store=stores.index) - self.charge.sel(store=stores.index)
                stored = flows.groupby(selector).sum().reindex(bus=buses).fillna(0)
                injection = stored if isinstance(injection, int) else injection + stored
            if not isinstance(injection, int):
                injection = injection.reindex(bus=buses)
            rhs = demand.sel(bus=buses)
            unserved = self._slack(f"unserved-demand-{size}", rhs)
            self.balance[size] = m.add_constraints(injection + unserved == rhs, name=f"energy-balance-{size}")

    def _port_sum(self, ports: pd.DataFrame) -> linopy.LinearExpression:
        index = pd.RangeIndex(len(ports), name="port")
        unit = xr.DataArray(ports["unit"].values, coords=[index])
        bus = xr.DataArray(ports["bus"].values, coords=[index], name="bus")
        periods = self.coords["period"]
        values = np.repeat(ports["coefficient"].astype(float).to_numpy()[:, None], len(periods), axis=1)
        for row, key in enumerate(zip(ports["unit"], ports["bus"], strict=True)):
            if key in self.network.port_period:
                values[row] = self.network.port_period[key]
            elif key in self.vintage_reference:
                values[row] = self.vintage_reference[key]
        coefficient = xr.DataArray(values, coords=[index, periods])
        expression = (self.flow.sel(unit=unit) * coefficient).groupby(bus).sum()
        expression = expression.rename(group="bus") if "group" in expression.dims else expression
        return expression + self._vintage_correction(ports, expression.indexes["bus"])

    def _vintage_correction(self, ports: pd.DataFrame, buses: pd.Index):
        """What vintages add to a port sum: (coefficient of the build year - the flow's) x the vintage's flow."""
        vintage = self.network.port_vintage
        keys = list(zip(ports["unit"], ports["bus"], strict=True))
        rows = [i for i, key in enumerate(keys) if key in vintage]
        if self.vintage_flow is None or not rows:
            return 0
        chosen = ports.iloc[rows]
        index = pd.RangeIndex(len(chosen), name="port")
        build = self.coords["period"].rename("build")
        keys = list(zip(chosen["unit"], chosen["bus"], strict=True))
        by_build = np.array([vintage[key] for key in keys], dtype=float)
        reference = np.array([self.vintage_reference[key] for key in keys])
        delta = xr.DataArray(by_build - reference[:, None], coords=[index, build])
        unit = xr.DataArray(chosen["unit"].values, coords=[index])
        bus = xr.DataArray(chosen["bus"].values, coords=[index], name="bus")
        correction = (self.vintage_flow.fillna(0).sel(unit=unit) * delta).sum("build").groupby(bus).sum()
        correction = correction.rename(group="bus") if "group" in correction.dims else correction
        return correction.reindex(bus=buses).fillna(0)

    def _emissions(self) -> None:
        """Yearly tCO2e on every emission bus, and the caps on them."""
        n, m = self.network, self.model
        emission_buses = n.buses.index[n.buses["kind"] == "emission"]
        ports = n.ports[n.ports["bus"].isin(emission_buses)]
        weight = n.step_weight
        self.emissions = (self._port_sum(ports) * weight).sum(["day", "hour"]) if len(ports) else None
        constant = n.emission_constant
        self.emission_constant = (
            constant.reindex(bus=emission_buses, fill_value=0.0)
            if constant is not None
            else xr.DataArray(np.zeros((len(emission_buses), len(self.coords["period"]))),
                              coords=[emission_buses.rename("bus"), self.coords["period"]])
        )  # fmt: skip
        for cap in n.caps:
            total = self.emissions.sel(bus=[b for b in cap.buses if b in self.emissions.indexes["bus"]]).sum("bus")
            constant_part = self.emission_constant.sel(bus=cap.buses).sum("bus")
            limit = xr.DataArray(cap.limit.reindex(self.coords["period"]).astype(float).values,
                                 coords=[self.coords["period"]])  # fmt: skip
            excess = self._slack(f"emission-cap-{cap.name}", limit)
            m.add_constraints(total - excess <= limit - constant_part, name=f"emission-cap-{cap.name}")

    def _annual_limits(self) -> None:
        n, m = self.network, self.model
        for limit in n.annual_limits:
            yearly = (self.flow.sel(unit=limit.units) * self.network.step_weight).sum(["unit", "day", "hour"])
            rhs = xr.DataArray(limit.limit.reindex(self.coords["period"]).astype(float).values,
                               coords=[self.coords["period"]])  # fmt: skip
            excess = self._slack(f"annual-limit-{limit.name}", rhs)
            m.add_constraints(yearly - excess <= rhs, name=f"annual-limit-{limit.name}")

    def _build_limits(self) -> None:
        for limit in self.network.build_limits:
            built = self.new.sel(unit=limit.units).sum("unit").rename(build="period")
            rhs = xr.DataArray(limit.limit.reindex(self.coords["period"]).astype(float).values,
                               coords=[self.coords["period"]])  # fmt: skip
            excess = self._slack(f"build-limit-{limit.name}", rhs)
            self.model.add_constraints(built - excess <= rhs, name=f"build-limit-{limit.name}")

    def _objective(self) -> None:
        self.cost_terms = self.cost_expressions()
        total = sum(self.cost_terms.values())
        for name, slack in self.slacks.items():
            if name.startswith("unserved-demand"):
                # Today's equipment can always serve demand: blame any cap or limit before it.
                total = total + UNSERVED_PENALTY * (slack * self.network.step_weight).sum()
            elif name.startswith("emission-cap"):
                # The target is what the user asked for: say which limit stands in its way first.
                total = total + CAP_PENALTY * slack.sum()
            else:
                total = total + RELAXATION_PENALTY * slack.sum()
        # Costs no decision changes (carbon on fixed emissions) stay out of the solver's objective.
        self.objective_constant = float(total.const) if np.isfinite(total.const) else 0.0
        self.model.add_objective(total - self.objective_constant)

    @property
    def objective_value(self) -> float:
        """Net present cost of the solved plan, fixed costs included."""
        return float(self.model.objective.value) + self.objective_constant

    def cost_expressions(self) -> dict[str, linopy.LinearExpression]:
        """Net present cost by kind; the objective is their sum. Policy terms plug in here."""
        n = self.network
        discount = n.discount_sum()
        weight = n.step_weight
        crf = annuity(n.discount_rate, xr.DataArray(n.units["lifetime"].astype(float).values, coords=[self.coords["unit"]]))
        fom = xr.DataArray(n.units["fom"].astype(float).values, coords=[self.coords["unit"]])
        capex = period_table(n.unit_period, "capex", "unit", self.coords["period"], self.coords["unit"]).rename(period="build").fillna(0)
        vom = period_table(n.unit_period, "vom", "unit", self.coords["period"], self.coords["unit"]).fillna(0)
        standing = self.activity * discount  # (unit, build, period) -> value of a yearly payment

        linear_units = self.coords["unit"]
        invest = self.new.fillna(0) * capex
        if self.investment is not None:
            linear_units = linear_units.difference(self.scaled_units)
            invest = invest.sel(unit=linear_units)
        years_weight = standing.sum("period")
        terms = {
            "capex": (invest * crf.sel(unit=linear_units) * years_weight.sel(unit=linear_units)).sum(),
            "fixed_om": (invest * fom.sel(unit=linear_units) * years_weight.sel(unit=linear_units)).sum(),
        }
        if self.investment is not None:
            scaled = self.scaled_units.values
            weight_scaled = years_weight.sel(unit=scaled).rename(unit="scaled")
            terms["capex"] = terms["capex"] + (self.investment * crf.sel(unit=scaled).rename(unit="scaled") * weight_scaled).sum()
            terms["fixed_om"] = terms["fixed_om"] + (self.investment * fom.sel(unit=scaled).rename(unit="scaled") * weight_scaled).sum()
        yearly_flow_cost = (self.flow * vom * weight).sum(["day", "hour"])
        kind = n.units["cost_kind"] if "cost_kind" in n.units else pd.Series("variable_om", index=n.units.index)
        for name in kind.unique():
            members = kind.index[kind == name]
            term = (yearly_flow_cost.sel(unit=members) * discount).sum()
            terms[name] = terms[name] + term if name in terms else term
        if self.flow_class_cost is not None:
            for name in kind.reindex(self.classed_units).unique():
                members = self.classed_units[kind.reindex(self.classed_units).to_numpy() == name]
                term = (self.flow_class_cost.sel(classed=members.values) * discount).sum()
                terms[name] = terms[name] + term if name in terms else term
        if self.store_energy is not None:
            stores = n.stores.index.rename("store")
            crf_s = annuity(n.discount_rate, xr.DataArray(n.stores["lifetime"].astype(float).values, coords=[stores]))
            fom_s = xr.DataArray(n.stores["fom"].astype(float).values, coords=[stores])
            cap_e = period_table(n.store_period, "capex_energy", "store", self.coords["period"], n.stores.index).rename(period="build").fillna(0)
            cap_p = period_table(n.store_period, "capex_power", "store", self.coords["period"], n.stores.index).rename(period="build").fillna(0)
            years_s = (self.store_activity * discount).sum("period")
            invest_s = self.new_energy.fillna(0) * cap_e + self.new_power.fillna(0) * cap_p
            terms["capex"] = terms["capex"] + (invest_s * crf_s * years_s).sum()
            terms["fixed_om"] = terms["fixed_om"] + (invest_s * fom_s * years_s).sum()
        if n.carbon_price is not None and self.emissions is not None:
            price = xr.DataArray(n.carbon_price.reindex(self.coords["period"]).fillna(0).astype(float).values,
                                 coords=[self.coords["period"]])  # fmt: skip
            priced = n.buses.get("priced", pd.Series(True, index=n.buses.index)).reindex(self.emissions.indexes["bus"])
            priced_buses = priced.index[priced.fillna(True).astype(bool)]
            fixed = (self.emission_constant.sel(bus=priced_buses) * price * discount).sum()
            terms["carbon"] = (self.emissions.sel(bus=priced_buses) * price * discount).sum() + fixed
        # Policy terms (docs/model.md, section 8) report under their own names; credits and grants are negative.
        for name, term in self.policy_costs.items():
            terms[name] = terms[name] + term if name in terms else term
        return terms

    # -- solving --------------------------------------------------------------------
    def solve(self, time_limit: float | None = None, mip_gap: float | None = None, log_file=None,
              progress: solve.Report | None = None) -> tuple[str, str]:  # fmt: skip
        """Solve with HiGHS (options by problem: ``pathway.solve``); Ctrl-C keeps the best plan found so far."""
        options = solve.options(self.model, time_limit=time_limit, mip_gap=mip_gap)
        status, condition = solve.run(self.model, options, log_file=log_file, progress=progress, classes=self.classes)
        if options.get("solver") == "ipm" and condition == "unknown":
            # Crossover can end "imprecise" on a correct interior solution: settle it by simplex.
            options.update(solver="simplex")
            options.pop("run_crossover")
            status, condition = solve.run(self.model, options, log_file=log_file, progress=progress)
        return status, condition

    def has_solution(self) -> bool:
        """Whether the solver left a plan (at a time limit it may have none)."""
        values = self.flow.solution.values
        return values.size == 0 or bool(np.isfinite(values).all())

def _buildable(assets: pd.DataFrame, index: pd.Index, periods: pd.Index) -> xr.DataArray:
    """(asset, build): whether a period starts at or after the asset's earliest operation (lead times, build.py)."""
    earliest = assets.get("earliest_operation", pd.Series(-np.inf, index=assets.index))
    earliest = xr.DataArray(earliest.astype(float).fillna(-np.inf).to_numpy(), coords=[index])
    return xr.DataArray(periods.to_numpy(), coords=[periods.rename("build")]) >= earliest


def extendable_mask(n: Network) -> xr.DataArray:
    return xr.DataArray(n.units["extendable"].astype(bool).values, coords=[n.units.index.rename("unit")])
