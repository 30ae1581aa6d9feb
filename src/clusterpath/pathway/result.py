"""What a solved pathway says: capacities, energy, emissions and costs as labeled arrays.

A ``PathwayResult`` holds plain xarray data (no solver objects), so it can be saved,
compared and reported without the model. ``summary()`` is the JSON the CLI writes.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from clusterpath import levers
from clusterpath.pathway import explain
from clusterpath.pathway.capex import PART_OF
from clusterpath.pathway.hub import HUB
from clusterpath.pathway.network import PathwayModel
from clusterpath.pathway.tables import annuity, market_prices

# The variable of a saved result holding its tables (units, buses, ports, ...) and its metadata.
TABLES = "result_tables"
HUGE = 1e308  # infinity in the saved tables
# Units that move or account energy rather than being an asset someone builds.
NOT_ASSETS = {"market", "vent", "release", "shared_power", "collection"}
RENEWABLE_LEVERS = levers.RENEWABLE
# Carriers a unit making something else as well gives off as a by-product (waste heat), credited at their value.
BYPRODUCTS = {"heat_low"}


@dataclass
class PathwayResult:
    status: str
    objective: float
    currency: str
    data: xr.Dataset  # capacity, new_capacity, energy, emissions, store capacities, annual unit costs
    units: pd.DataFrame  # node, lever, technology, service, capacity_unit of every unit
    costs: dict[str, float]  # net present cost by kind
    buses: pd.DataFrame  # node, carrier, kind of every bus
    ports: pd.DataFrame  # unit, bus, coefficient
    stores: pd.DataFrame  # bus, lever, technology of every store
    prices: pd.DataFrame  # market price per MWh (or t) by bus and period
    discount: pd.Series  # present value of 1 a year over each period
    meta: dict  # what the builder recorded (today's supply, grid factors)
    baseline_cost: float | None = None  # the same cluster with today's equipment only (no cap, no levers)
    baseline_emissions: pd.Series | None = None  # its yearly tCO2e (all scopes) by period
    # (unit, bus) x period: a port's coefficient over the year where it differs by vintage (energy-weighted mean)
    port_period: pd.DataFrame | None = None

    @property
    def periods(self) -> list[int]:
        return [int(p) for p in self.data.indexes["period"]]

    @property
    def price_year(self) -> int | None:
        """The year whose money every figure of the plan is in (docs/model.md, 6.8)."""
        money = self.meta.get("money") or {}
        return int(money["price_year"]) if "price_year" in money else None

    def _money_label(self) -> str:
        return f"{self.currency} of {self.price_year}" if self.price_year is not None else self.currency

    def coefficients(self) -> pd.DataFrame:
        """Each row of ``ports`` by period: its coefficient, or its vintages' energy-weighted mean where they differ."""
        table = pd.DataFrame(np.repeat(self.ports["coefficient"].to_numpy(dtype=float)[:, None], len(self.periods), 1),
                             index=self.ports.index, columns=self.periods)  # fmt: skip
        if self.port_period is not None and len(self.port_period):
            keys = pd.MultiIndex.from_arrays([self.ports["unit"], self.ports["bus"]])
            found = keys.isin(self.port_period.index)
            table.loc[found] = self.port_period.reindex(keys[found])[self.periods].to_numpy()
        return table

    # -- from a solved model ----------------------------------------------------------
    @classmethod
    def from_model(cls, pm: PathwayModel, currency: str, status: str) -> PathwayResult:
        n = pm.network
        weight = n.step_weight
        data = xr.Dataset(
            {
                "capacity": pm.capacity.solution,
                "new_capacity": pm.new.solution.fillna(0.0),
                "energy": (pm.flow.solution * weight).sum(["day", "hour"]),
                "emissions": pm.emissions.solution + pm.emission_constant,
            }
        )
        if pm.store_energy is not None:
            data["store_energy"] = pm.store_energy.solution
            data["store_power"] = pm.store_power.solution
            data["store_new_power"] = pm.new_power.solution  # what clusterpath.workforce counts as built
        data["unit_cost"] = _annual_unit_cost(pm, data)
        # What project finance (clusterpath.finance) reads: money spent per build period, yearly
        # variable cost, the carbon price and the plan's calendar.
        data["investment"] = _investment(pm, data)
        data["variable_cost"] = _variable_cost(pm, data)
        if pm.store_energy is not None:
            data["store_investment"] = _store_investment(pm)
        periods = pm.coords["period"]
        price = pd.Series(0.0, index=periods) if n.carbon_price is None else n.carbon_price.reindex(periods).fillna(0.0)
        data["carbon_price"] = xr.DataArray(price.astype(float).to_numpy(), coords=[periods])
        data["period_years"] = xr.DataArray(n.period_years.reindex(periods).astype(float).to_numpy(), coords=[periods])
        data["discount_rate"] = xr.DataArray(float(n.discount_rate))
        costs = {name: float(expression.solution.sum()) if hasattr(expression, "solution") else float(expression)
                 for name, expression in pm.cost_terms.items()}  # fmt: skip
        costs.setdefault("credits", 0.0)
        return cls(status, pm.objective_value, currency, data, n.units.copy(), costs, buses=n.buses.copy(),
                   ports=n.ports.copy(), stores=n.stores.copy(), prices=market_prices(n),
                   discount=n.discount_sum().to_pandas(), meta=n.meta,
                   port_period=_vintage_coefficients(pm, data["energy"]))  # fmt: skip

    # -- views --------------------------------------------------------------------------
    def emissions_by(self, level: str = "node") -> pd.DataFrame:
        """Yearly tCO2e by node (member or hub) or by scope, per period."""
        frame = self.data["emissions"].to_pandas()
        key = self.buses.loc[frame.index, "node" if level == "node" else "carrier"]
        return frame.groupby(key.values).sum()

    def member_emissions(self) -> pd.DataFrame:
        return self.emissions_by("node").rename(index={HUB: "shared infrastructure"})

    def capacity_by_technology(self) -> pd.DataFrame:
        cap = self.data["capacity"].to_pandas()
        assets = self.units[~self.units["lever"].isin(NOT_ASSETS)]
        cap = cap.loc[assets.index]
        table = cap.groupby([assets["technology"], assets["capacity_unit"]]).sum()
        return table[(table.abs() > 1e-6).any(axis=1)]

    def shared_assets(self) -> dict:
        """Hub assets and connections: capacity per period and the members connected to each network."""
        cap = self.data["capacity"].to_pandas()
        flows = self.data["energy"].to_pandas()
        out: dict = {}
        hub = self.units[(self.units["node"] == HUB) & ~self.units["lever"].isin(NOT_ASSETS | {"today"})]
        connected = {}
        for lever, suffix in _connections().items():
            links = self.units.index[self.units["lever"] == lever]
            links = [u for u in links if u.endswith(suffix)]
            connected[lever] = {p: sorted(self.units.loc[u, "node"] for u in links if cap.loc[u, p] > 1e-6)
                                for p in self.periods}  # fmt: skip
        for lever, suffix in _stream_links().items():
            links = [u for u in self.units.index if u.endswith(f"|{suffix}")]
            connected[lever] = {p: sorted(self.units.loc[u, "node"] for u in links if flows.loc[u, p] > 1e-6)
                                for p in self.periods}  # fmt: skip
        for unit, row in hub.iterrows():
            series = cap.loc[unit]
            if (series.abs() < 1e-6).all():
                continue
            network = _network_of(row["lever"])
            out[unit.split("|", 1)[1]] = {
                str(p): {"capacity": float(series[p]), "unit": row["capacity_unit"],
                         "members": connected.get(network, {}).get(p, "all") if network else "all"}
                for p in self.periods
            }  # fmt: skip
        for store in self.stores.index:
            energy = self.data["store_energy"].sel(store=store).to_pandas()
            if (energy.abs() < 1e-6).all():
                continue
            lever = self.stores.loc[store, "lever"]
            network = _network_of(lever)
            out[store.split("|", 1)[1]] = {
                str(p): {"capacity": float(energy[p]), "unit": "MWh",
                         "members": connected.get(network, {}).get(p, "all") if network else "all"}
                for p in self.periods
            }  # fmt: skip
        for lever, suffix in _connections().items():
            by_period = connected[lever]
            links = [u for u in self.units.index if self.units.loc[u, "lever"] == lever and u.endswith(suffix)]
            cap_sum = {p: float(cap.loc[links, p].sum()) for p in self.periods}
            if any(v > 1e-6 for v in cap_sum.values()):
                unit = "tCO2/h" if lever == "co2_network" else "MW"
                out[f"{lever.replace('_network', '')}-connections"] = {
                    str(p): {"capacity": cap_sum[p], "unit": unit, "members": by_period[p]} for p in self.periods
                }
        return out

    def investment_by_period(self) -> dict[str, float]:
        """Money spent on new capacity and storage in each build period (overnight, undiscounted)."""
        spent = self.data["investment"].sum("unit").to_pandas()
        if "store_investment" in self.data:
            spent = spent + self.data["store_investment"].sum("store").to_pandas()
        return {str(int(p)): float(v) for p, v in spent.items()}

    def investment_by_member(self) -> pd.DataFrame:
        """Money spent on new capacity and storage by member (the hub as "shared") and build period, overnight."""
        spent = self.data["investment"].to_pandas()
        spent = spent.groupby(self.units["node"].reindex(spent.index).to_numpy()).sum()
        if "store_investment" in self.data:
            stores = self.data["store_investment"].to_pandas()
            node = self.buses["node"].reindex(self.stores["bus"].reindex(stores.index)).to_numpy()
            spent = spent.add(stores.groupby(node).sum(), fill_value=0.0)
        spent = spent.rename(index={HUB: "shared"})
        spent.columns = [int(c) for c in spent.columns]
        return spent[(spent.abs() > explain.TOLERANCE).any(axis=1)]

    def levers_used(self) -> pd.DataFrame:
        """Capacity by member and lever in each period (assets only)."""
        cap = self.data["capacity"].to_pandas()
        assets = self.units[~self.units["lever"].isin(NOT_ASSETS)]
        table = cap.loc[assets.index].groupby([assets["node"], assets["lever"]]).sum()
        return table[(table.abs() > 1e-6).any(axis=1)]

    def levelized_cost(self, bus: str) -> pd.Series:
        """Cost per MWh (or t) delivered to ``bus`` by the units producing there, by period (docs/model.md 6.9).

        Each producer's yearly capital, O&M and variable cost, the energy it draws at what the cluster
        pays for it, and the CO2 it sends to storage at the hub's cost per tonne stored. A unit with
        several outputs pays once: its by-products (waste heat) are credited at their value, so the main
        product carries the rest and the by-product costs its value; by-product released unused earns nothing.
        """
        energy = self.data["energy"].to_pandas()
        producers = self.ports[(self.ports["bus"] == bus) & (self.ports["coefficient"] > 0)]
        producers = producers[~self.units.loc[producers["unit"], "lever"].isin(NOT_ASSETS).to_numpy()]
        if producers.empty:
            return pd.Series(dtype=float)
        made = self._port_flows(producers)
        used_share = self._byproduct_used_share(bus)
        total = pd.Series(0.0, index=energy.columns)
        output = made.sum() - self._released(bus)
        for unit, (_, row) in zip(producers["unit"], made.iterrows(), strict=True):
            if self._is_byproduct(unit, bus):
                total = total + row * used_share * self._byproduct_value(bus)
            else:
                total = total + self._full_cost(unit) - self._byproduct_credit(unit)
        return (total / output.where(output > 1e-6)).rename(bus)  # solver noise is no output

    def _port_flows(self, ports: pd.DataFrame) -> pd.DataFrame:
        """What flows through these rows of ``ports`` a year, by period, with each period's vintage mix."""
        energy = self.data["energy"].to_pandas()
        coefficient = self.coefficients().loc[ports.index]
        return pd.DataFrame(energy.loc[ports["unit"]].to_numpy() * coefficient.to_numpy(), index=ports.index,
                            columns=energy.columns)  # fmt: skip

    def _outputs(self, unit: str) -> pd.DataFrame:
        """Positive ports of a unit on energy buses (not CO2 or emissions)."""
        ports = self.ports[(self.ports["unit"] == unit) & (self.ports["coefficient"] > 0)]
        carrier = ports["bus"].str.split("|").str[-1]
        return ports[~carrier.str.startswith(("co2", "scope"))]

    def _is_byproduct(self, unit: str, bus: str) -> bool:
        """Waste heat of a unit that makes something else is its by-product; a heat-only unit's heat is not."""
        carriers = set(self._outputs(unit)["bus"].str.split("|").str[-1])
        return bus.split("|")[-1] in BYPRODUCTS and bool(carriers - BYPRODUCTS)

    def _byproduct_value(self, bus: str) -> pd.Series:
        """What a MWh of by-product on ``bus`` is worth (the builder's meta), by period; 0 if not recorded."""
        table = self.meta.get("byproduct_value")
        periods = self.data.indexes["period"]
        if table is None or bus not in table.index:
            return pd.Series(0.0, index=periods)
        return table.loc[bus].reindex(periods).fillna(0.0).astype(float)

    def _released(self, bus: str) -> pd.Series:
        """What is dumped from ``bus`` unused, by period."""
        ports = self.ports[(self.ports["bus"] == bus) & (self.ports["coefficient"] < 0)]
        ports = ports[(self.units.loc[ports["unit"], "lever"] == "release").to_numpy()]
        return (-self._port_flows(ports)).sum().clip(lower=0.0)

    def _byproduct_used_share(self, bus: str) -> pd.Series:
        """Share of the by-product made on ``bus`` that is used: what is released is by-product first."""
        ports = self.ports[(self.ports["bus"] == bus) & (self.ports["coefficient"] > 0)]
        ports = ports[[self._is_byproduct(u, bus) for u in ports["unit"]]]
        made = self._port_flows(ports).sum()
        return ((made - self._released(bus)) / made.where(made > 1e-9)).clip(lower=0.0).fillna(0.0)

    def _byproduct_credit(self, unit: str) -> pd.Series:
        """Yearly value of the by-products a unit makes that are used, by period."""
        outputs = self._outputs(unit)
        credit = pd.Series(0.0, index=self.data["energy"].to_pandas().columns)
        for i, flow in self._port_flows(outputs).iterrows():
            bus = outputs.at[i, "bus"]
            if self._is_byproduct(unit, bus):
                credit = credit + flow * self._byproduct_used_share(bus) * self._byproduct_value(bus)
        return credit

    def _full_cost(self, unit: str) -> pd.Series:
        """A unit's yearly cost, the energy it draws at market prices and the CO2 it sends to storage, by period."""
        total = self.data["unit_cost"].to_pandas().loc[unit].copy()
        ports = self.ports[self.ports["unit"] == unit]
        bought = ports[(ports["coefficient"] < 0) & ports["bus"].isin(self.prices.index)]
        for i, flow in self._port_flows(bought).iterrows():
            total = total - flow * self.prices.loc[bought.at[i, "bus"]]
        stored = ports[(ports["bus"] == f"{HUB}|co2") & (ports["coefficient"] > 0)]
        if not stored.empty:
            per_tonne = pd.Series({p: self._co2_disposal(p)[0] for p in total.index})
            total = total + self._port_flows(stored).sum() * per_tonne
        return total

    def levelized_costs(self) -> dict:
        """Hydrogen and shared heat per MWh, and the cost of each tonne abated against today's equipment."""
        out = {name: {str(p): _finite(v) for p, v in self.levelized_cost(f"{HUB}|{bus}").items()}
               for name, bus in (("hydrogen_per_mwh", "hydrogen"), ("shared_heat_per_mwh", "heat_low"))}  # fmt: skip
        out["abatement_per_tco2e"] = None
        if self.baseline_cost is not None and self.baseline_emissions is not None:
            pathway = self.emissions_by("node").sum()
            abated = (self.baseline_emissions.reindex(pathway.index) - pathway) * self.discount.reindex(pathway.index)
            if abated.sum() > 0:
                out["abatement_per_tco2e"] = (self.objective - self.baseline_cost) / float(abated.sum())
        return out

    def macc(self, period: int | None = None) -> pd.DataFrame:
        """Levers used in ``period`` (default the last): tonnes abated a year and net cost per tonne.

        A lever serving a member's service abates what today's supply of that service emitted
        per MWh delivered, and saves its fuel; capture and air capture abate the tonnes they
        store, paying their share of the CO2 network; renewables abate grid (scope 2) emissions
        and save grid purchases (curtailed output is not counted).
        """
        period = self.periods[-1] if period is None else period
        energy = self.data["energy"].sel(period=period).to_pandas()
        cost = self.data["unit_cost"].sel(period=period).to_pandas()
        incumbent = self.meta.get("incumbent")
        intensity = fuel = None
        if incumbent is not None and len(incumbent):
            today = incumbent.xs(period, level="period")
            intensity = today["scope1_tco2e"] / today["useful_mwh"].where(today["useful_mwh"] > 0)
            fuel = today["fuel_cost"] / today["useful_mwh"].where(today["useful_mwh"] > 0)
        internal: dict[str, float] = {}  # shared carriers (hub hydrogen, heat) at their levelized cost

        def value_of(bus: str) -> float:
            if bus.split("|")[-1].startswith(("scope", "co2")):
                return np.nan  # emissions and CO2 streams are not energy bought: their cost is counted apart
            if bus in self.prices.index:
                return float(self.prices.loc[bus, period])
            if bus.startswith(f"{HUB}|") and bus not in internal:
                internal[bus] = float(self.levelized_cost(bus).get(period, np.nan))
            node, carrier = bus.rsplit("|", 1)
            link = f"{node}|{levers.lever('hydrogen_network').link}"
            if carrier == "hydrogen" and node != HUB and float(energy.get(link, 0.0)) > 1e-9:
                # A member's hydrogen is the hub's at its levelized cost plus the member's link per MWh it carries.
                return value_of(f"{HUB}|hydrogen") + float(cost[link]) / float(energy[link])
            return internal.get(bus, np.nan)

        per_tonne_stored, link_per_tonne = self._co2_disposal(period)
        avoided = self._avoided_by_stream_links(energy)
        at_period = self.ports.assign(coefficient=self.coefficients()[period].to_numpy())  # vintages of that period
        rows = []
        for unit, row in self.units.iterrows():
            flow = float(energy.get(unit, 0.0))
            lever = row["lever"]
            kind = levers.lever(lever).abatement if lever in levers.NAMES else ""
            if flow <= 1e-9 or lever in NOT_ASSETS | {"today"} or kind == "disposal":
                continue
            ports = at_period[at_period["unit"] == unit]
            spend = float(cost[unit])
            for _, port in ports[ports["coefficient"] < 0].iterrows():
                price = value_of(port["bus"])
                if np.isfinite(price):
                    spend -= port["coefficient"] * flow * price
            abated = 0.0
            key = (row["node"], row["service"] or ("hydrogen_feedstock" if lever == "hydrogen_network" else ""))
            delivered = ports.loc[~ports["bus"].str.contains("scope|co2"), "coefficient"].clip(lower=0).sum() * flow
            if kind == "captured":
                captured = ports.loc[ports["bus"].str.endswith(("|co2_captured", "|co2")), "coefficient"].sum() * flow
                abated = captured
                spend += captured * (per_tonne_stored + link_per_tonne.get(row["node"], 0.0))
            elif kind == "stream" and row["node"] == HUB:
                # The plant abates what the streams it takes emitted at their members before.
                abated = avoided.get(lever, 0.0)
            elif kind == "grid":
                # Output used instead of grid power: its emissions and its price are avoided.
                abated = flow * self.meta.get("grid_factor", {}).get(period, 0.0)
                spend -= flow * value_of(f"{HUB}|electricity")
            elif intensity is not None and key in intensity.index:
                if lever == "hydrogen_network":
                    # A link replaces today's hydrogen feedstock only; what it carries beyond is burnt by the
                    # member's hydrogen_fuel lever, which abates it and pays for it (value_of): counted once.
                    share = min(1.0, float(today["useful_mwh"].get(key, 0.0)) / delivered) if delivered > 0 else 0.0
                    spend, delivered = spend * share, delivered * share
                abated = delivered * float(intensity.get(key, 0.0) or 0.0)
                spend -= delivered * float(fuel.get(key, 0.0) or 0.0)
            if abated > 1e-6:
                rows.append({"member": "shared" if row["node"] == HUB else row["node"], "lever": lever,
                             "abatement_tco2e": abated, "cost_per_tco2e": spend / abated})  # fmt: skip
        table = pd.DataFrame(rows, columns=["member", "lever", "abatement_tco2e", "cost_per_tco2e"])
        grouped = table.assign(spend=table["abatement_tco2e"] * table["cost_per_tco2e"]).groupby("lever")
        macc = grouped[["abatement_tco2e", "spend"]].sum()
        macc["cost_per_tco2e"] = macc["spend"] / macc["abatement_tco2e"]
        return macc.drop(columns="spend").sort_values("cost_per_tco2e")

    def _co2_disposal(self, period: int) -> tuple[float, dict[str, float]]:
        """What a tonne sent to storage costs in ``period``: the hub's trunks and storage per tonne stored, and
        each member's own link per tonne its capture units capture (so every part is paid once, by its users)."""
        energy = self.data["energy"].sel(period=period).to_pandas()
        cost = self.data["unit_cost"].sel(period=period).to_pandas()
        network = self.units[self.units["lever"] == "co2_network"]
        hub = network.index[network["node"] == HUB]
        stored = float(energy.reindex(hub).sum())
        # A ship chain draws electricity (liquefaction) and fuel oil: a tonne stored pays them at market prices.
        drawn = self.ports[self.ports["unit"].isin(hub) & (self.ports["coefficient"] < 0)
                           & self.ports["bus"].isin(self.prices.index)]  # fmt: skip
        bought = sum(-float(flow[period]) * float(self.prices.loc[drawn.at[i, "bus"], period])
                     for i, flow in self._port_flows(drawn).iterrows())  # fmt: skip
        per_tonne = (float(cost.reindex(hub).sum()) + bought) / stored if stored > 1e-9 else 0.0
        capture = self.units.index[self.units["lever"] == "carbon_capture"]
        ports = self.ports[self.ports["unit"].isin(capture) & self.ports["bus"].str.endswith("|co2_captured")]
        captured = (ports["coefficient"] * energy.reindex(ports["unit"]).fillna(0.0).to_numpy()).groupby(
            self.units.loc[ports["unit"], "node"].to_numpy()).sum()
        links = network[network["node"] != HUB]
        link_cost = cost.reindex(links.index).groupby(links["node"].to_numpy()).sum()
        per_link = {node: float(link_cost[node]) / float(captured[node]) for node in link_cost.index
                    if node in captured.index and captured[node] > 1e-9}  # fmt: skip
        return per_tonne, per_link

    def _avoided_by_stream_links(self, energy: pd.Series) -> dict[str, float]:
        """tCO2e a year the members' links to each hub plant take off the members' own scope 1."""
        out = {}
        members_scope1 = self.ports["bus"].str.endswith("|scope1") & ~self.ports["bus"].str.startswith(f"{HUB}|")
        for lever, suffix in _stream_links().items():
            ports = self.ports[self.ports["unit"].str.endswith(f"|{suffix}") & members_scope1]
            out[lever] = float(-(ports["coefficient"] * energy.reindex(ports["unit"]).fillna(0.0).to_numpy()).sum())
        return out

    def summary(self) -> dict:
        emissions = self.emissions_by("node")
        members = self.member_emissions().drop(index="shared infrastructure", errors="ignore")
        capacity = self.capacity_by_technology()
        return {
            "status": self.status,
            "objective": self.objective,
            "currency": self.currency,
            "price_year": self.price_year,
            "periods": self.periods,
            "emissions_tco2e": {str(p): float(emissions[p].sum()) for p in self.periods},
            "emissions_by_scope_tco2e": {
                scope: {str(p): float(v) for p, v in row.items()} for scope, row in self.emissions_by("scope").iterrows()
            },
            "member_emissions_tco2e": {
                member: {str(p): float(row[p]) for p in self.periods} for member, row in members.iterrows()
            },
            "capacity": {
                tech: {str(p): {"value": float(row[p]), "unit": unit} for p in self.periods}
                for (tech, unit), row in capacity.iterrows()
            },
            "shared_assets": self.shared_assets(),
            "investment_by_period": self.investment_by_period(),
            "investment_by_member": {member: {str(p): float(v) for p, v in row.items()}
                                     for member, row in self.investment_by_member().iterrows()},
            # One line of reason per lever built or left out (pathway/explain.py), when the plan had duals.
            "why_this_plan": explain.records(self.meta.get("why")),
            "cost_breakdown": self.costs,
            "baseline_cost": self.baseline_cost,
            "baseline_emissions_tco2e": None if self.baseline_emissions is None else
            {str(int(p)): float(v) for p, v in self.baseline_emissions.items()},
            "levelized_costs": self.levelized_costs(),
            "macc": [{"lever": lever, **{k: float(v) for k, v in row.items()}} for lever, row in self.macc().iterrows()],
            # Members solved as one group (pathway/groups.py): their figures are shares of the group's plan.
            "member_groups": self.meta.get("groups", {}),
            # How the builder read the scenario for this cluster (e.g. a lever left out), in words.
            "notes": list((self.meta.get("notes") or {}).values()),
            "grid_factor": {"tco2e_per_mwh": {str(p): float(v) for p, v in self.meta.get("grid_factor", {}).items()},
                            "basis": self.meta.get("grid_path", {}).get("basis", "")},
        }

    # -- files -----------------------------------------------------------------------------
    def to_netcdf(self, path: Path) -> None:
        data = self.data.copy()
        # netCDF has no pandas string dtype: labels go out as plain unicode arrays.
        data = data.assign_coords({name: np.asarray(data[name].values, dtype=str) for name in data.coords
                                   if data[name].dtype.kind not in "biufcmM"})  # fmt: skip
        data.attrs = {"currency": self.currency, "status": self.status, "objective": self.objective}
        for name, column in self.units.items():
            data[f"unit_{name}"] = ("unit", np.asarray(column.astype(str), dtype=str))
        # Everything else ``from_netcdf`` needs, as one JSON text (a variable: attributes have size limits).
        text = json.dumps(self._tables(), default=lambda v: v.item() if hasattr(v, "item") else str(v))  # numpy scalars
        data[TABLES] = xr.DataArray(np.array(text, dtype=object))
        data.to_netcdf(path)

    def _tables(self) -> dict:
        def frame(table: pd.DataFrame | pd.Series) -> dict:
            table = table.to_frame("value") if isinstance(table, pd.Series) else table
            table = table.replace([np.inf, -np.inf], [HUGE, -HUGE])  # JSON has no infinity
            # JSON keys are text: integer column labels (periods) are marked to come back as integers.
            return {"table": table.rename(columns=str).to_json(orient="table", double_precision=15),
                    "int_columns": all(isinstance(c, int | np.integer) for c in table.columns),
                    "series": table.columns.tolist() == ["value"]}  # fmt: skip

        meta = {key: frame(value) if isinstance(value, pd.DataFrame | pd.Series)
                else {"items": [[k, v] for k, v in value.items()]} for key, value in self.meta.items()}  # fmt: skip
        tables = {"units": self.units, "buses": self.buses, "ports": self.ports, "stores": self.stores,
                  "prices": self.prices, "discount": self.discount}  # fmt: skip
        if self.baseline_emissions is not None:
            tables["baseline_emissions"] = self.baseline_emissions
        if self.port_period is not None:
            tables["port_period"] = self.port_period
        return {"tables": {name: frame(table) for name, table in tables.items()}, "meta": meta, "costs": self.costs,
                "baseline_cost": self.baseline_cost}

    @classmethod
    def from_netcdf(cls, path: Path) -> PathwayResult:
        """A result saved by ``to_netcdf``, whole: every view works as on the freshly solved one."""
        with xr.open_dataset(path) as stored:
            stored = stored.load()
        if TABLES not in stored:
            raise ValueError("it was written by an older clusterpath without the plan's tables: run `plan --out` again")
        saved = json.loads(str(stored[TABLES].item()))

        def table(item: dict) -> pd.DataFrame | pd.Series:
            out = pd.read_json(io.StringIO(item["table"]), orient="table").replace([HUGE, -HUGE], [np.inf, -np.inf])
            if item["int_columns"]:
                out.columns = out.columns.astype(int)
            return out["value"].rename(None) if item["series"] else out

        tables = {name: table(item) for name, item in saved["tables"].items()}
        meta = {key: table(item) if "table" in item else {k: v for k, v in item["items"]}
                for key, item in saved["meta"].items()}  # fmt: skip
        data = stored.drop_vars([TABLES, *(f"unit_{name}" for name in tables["units"].columns)])
        data = data.assign_coords({name: data.indexes[name].astype(object) for name in data.coords
                                   if data[name].dtype.kind in "OSU"})  # fmt: skip
        attrs, data.attrs = data.attrs, {}
        return cls(str(attrs["status"]), float(attrs["objective"]), str(attrs["currency"]), data, tables["units"],
                   saved["costs"], buses=tables["buses"], ports=tables["ports"], stores=tables["stores"],
                   prices=tables["prices"], discount=tables["discount"], meta=meta,
                   baseline_cost=saved["baseline_cost"],
                   baseline_emissions=tables.get("baseline_emissions"),
                   port_period=tables.get("port_period"))  # fmt: skip

    def to_csv(self, folder: Path) -> list[Path]:
        folder.mkdir(parents=True, exist_ok=True)
        tables = {
            "capacity": self.data["capacity"].to_pandas().join(self.units[["node", "lever", "technology", "capacity_unit"]]),
            "energy": self.data["energy"].to_pandas().join(self.units[["node", "lever", "technology"]]),
            "emissions": self.data["emissions"].to_pandas(),
            "member_emissions": self.member_emissions(),
            "levers": self.levers_used(),
            "costs": pd.Series(self.costs, name=f"net present cost ({self._money_label()})").to_frame(),
            "macc": self.macc(),
        }
        written = []
        for name, frame in tables.items():
            path = folder / f"{name}.csv"
            frame.to_csv(path)
            written.append(path)
        return written


def _investment(pm: PathwayModel, data: xr.Dataset) -> xr.DataArray:
    """Money spent on each unit's new capacity in each build period (overnight, not annualized)."""
    n = pm.network
    units = pm.coords["unit"]
    build = pm.coords["period"].rename("build")
    capex = n.unit_period["capex"].unstack("period").reindex(index=units, columns=build).fillna(0.0)
    spent = data["new_capacity"].transpose("unit", "build").values * capex.values
    if pm.investment is not None:
        rows = units.get_indexer(pm.scaled_units)
        spent[rows] = pm.investment.solution.transpose("scaled", "build").values
    return xr.DataArray(spent, coords=[units, build])


def _variable_cost(pm: PathwayModel, data: xr.Dataset) -> xr.DataArray:
    """Yearly variable cost of each unit (its own VOM or, for a market, the purchase), by period."""
    n = pm.network
    vom = n.unit_period["vom"].unstack("period").reindex(index=pm.coords["unit"], columns=pm.coords["period"])
    vom = vom.fillna(0.0)
    cost = vom.values * data["energy"].transpose("unit", "period").values
    return xr.DataArray(cost + _flow_class_cost(pm), coords=[pm.coords["unit"], pm.coords["period"]])


def _flow_class_cost(pm: PathwayModel) -> np.ndarray:
    """(unit, period): the yearly cost of flows priced by size class of the yearly flow (0 for other units)."""
    out = np.zeros((len(pm.coords["unit"]), len(pm.coords["period"])))
    if getattr(pm, "flow_class_cost", None) is not None:
        rows = pm.coords["unit"].get_indexer(pm.classed_units)
        out[rows] = pm.flow_class_cost.solution.transpose("classed", "period").values
    return out


def _store_investment(pm: PathwayModel) -> xr.DataArray:
    n = pm.network
    stores = n.stores.index.rename("store")
    build = pm.coords["period"].rename("build")
    table = n.store_period.reindex(pd.MultiIndex.from_product([stores, build.values])).fillna(0.0)
    energy = table["capex_energy"].to_numpy().reshape(len(stores), len(build))
    power = table["capex_power"].to_numpy().reshape(len(stores), len(build))
    spent = pm.new_energy.solution.fillna(0.0).transpose("store", "build").values * energy
    spent = spent + pm.new_power.solution.fillna(0.0).transpose("store", "build").values * power
    return xr.DataArray(spent, coords=[stores, build])


def _annual_unit_cost(pm: PathwayModel, data: xr.Dataset) -> xr.DataArray:
    """Yearly cost of each unit in each period: annuity and fixed O&M of standing vintages, plus variable cost."""
    n = pm.network
    periods = pm.coords["period"]
    units = pm.coords["unit"]
    capex = n.unit_period["capex"].unstack("period").reindex(index=units, columns=periods).fillna(0.0)
    crf = annuity(n.discount_rate, n.units["lifetime"].astype(float).values)
    fom = n.units["fom"].astype(float).values
    new = data["new_capacity"].transpose("unit", "build").values
    activity = pm.activity.transpose("unit", "build", "period").values
    standing = np.einsum("ub,ubp->up", new * capex.values, activity)
    if pm.investment is not None:
        # Scaled units pay what their size class costs, not the linear catalog price.
        scaled = pm.investment.solution.transpose("scaled", "build").values
        rows = units.get_indexer(pm.scaled_units)
        standing[rows] = np.einsum("ub,ubp->up", scaled, activity[rows])
    yearly = standing * (np.asarray(crf)[:, None] + fom[:, None])
    vom = n.unit_period["vom"].unstack("period").reindex(index=units, columns=periods).fillna(0.0).values
    yearly = yearly + vom * data["energy"].transpose("unit", "period").values + _flow_class_cost(pm)
    return xr.DataArray(yearly, coords=[units, periods])


def _finite(value) -> float | None:
    return float(value) if value is not None and np.isfinite(value) else None


def _vintage_coefficients(pm: PathwayModel, energy: xr.DataArray) -> pd.DataFrame | None:
    """A vintaged port's coefficient in each period: what its vintages carried, weighted by their energy."""
    n = pm.network
    if pm.vintage_flow is None:
        return None
    by_build = (pm.vintage_flow.solution.fillna(0.0) * n.step_weight).sum(["day", "hour"])  # (unit, build, period)
    build = by_build.indexes["build"]
    ports = n.ports.groupby(["unit", "bus"])["coefficient"].first()
    rows = {}
    for (unit, bus), values in n.port_vintage.items():
        base = pm.vintage_reference[(unit, bus)]  # the coefficient of the flow the vintages do not carry
        delta = xr.DataArray(np.asarray(values, dtype=float) - base, coords=[build])
        total = energy.sel(unit=unit)
        carried = base * total + (by_build.sel(unit=unit) * delta).sum("build")
        rows[(unit, bus)] = np.where(total > 1e-9, carried / total.where(total > 1e-9, 1.0), ports[(unit, bus)])
    frame = pd.DataFrame.from_dict(rows, orient="index", columns=[int(p) for p in energy.indexes["period"]])
    frame.index = pd.MultiIndex.from_tuples(frame.index, names=["unit", "bus"])
    return frame


def _connections() -> dict[str, str]:
    """Levers whose members' links are units of the lever itself -> the links' unit-name suffix (levers.csv, link)."""
    return {lv.name: lv.link for lv in levers.table().values() if lv.link and lv.abatement != "stream"}


def _stream_links() -> dict[str, str]:
    """Levers whose hub plant members send a stream to (waste, wastewater) -> their free links' unit-name suffix."""
    return {lv.name: lv.link for lv in levers.table().values() if lv.link and lv.abatement == "stream"}


def _network_of(lever: str) -> str | None:
    """The network a hub asset serves, whose connected members it lists (levers.csv, network)."""
    lever = PART_OF.get(lever, lever)
    return (levers.lever(lever).network or None) if lever in levers.NAMES else None
