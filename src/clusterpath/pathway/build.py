"""From a cluster and a scenario to the network the optimizer solves.

Every member is a node with a bus per energy service it uses, its fuels, its flue CO2
and its emissions; the cluster's shared infrastructure sits on one hub node that
members connect to. What each lever is (which catalog technology, which buses it
joins) is written in ``docs/model.md``; the numbers come from the catalog.
"""

from __future__ import annotations

import functools
import itertools
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import xarray as xr

from clusterpath import levers, reference
from clusterpath.inventory import Inventory, interpolate, wastewater_ch4_t
from clusterpath.pathway import lead_times, prices, timeseries
from clusterpath.pathway.biomass_supply import default_supply
from clusterpath.pathway.capex import scale_capex
from clusterpath.pathway.catalog import CATALOG_MONEY_YEAR, Catalog, exchange_rate
from clusterpath.pathway.errors import EXAMPLE_PRICES, PlanningError, listed
from clusterpath.pathway.grid_path import GridPath, default_grid_path
from clusterpath.pathway.hub import HUB
from clusterpath.pathway.money import PriceYearError, money_year
from clusterpath.pathway.network import AnnualLimit, BuildLimit, EmissionCap, Network
from clusterpath.pathway.tables import annuity
from clusterpath.schema import Cluster
from clusterpath.schema.models import PURCHASED_HEAT
from clusterpath.schema.scenario import Scenario
from clusterpath.schema.vocabulary import ENERGY_INDUSTRY_SECTORS, LEVERS, Equipment, Service, WasteKind, WasteTreatment

HOURS_PER_YEAR = 8760.0

# Which market price a fuel pays (see docs/model.md, "Prices").
PRICE_OF = {
    "natural_gas": "natural_gas", "refinery_gas": "natural_gas", "lpg": "oil", "naphtha": "oil",
    "fuel_oil": "oil", "diesel": "oil", "petroleum_coke": "coal", "coal_bituminous": "coal",
    "coal_sub_bituminous": "coal", "lignite": "coal", "anthracite": "coal", "coking_coal": "coal",
    "wood": "biomass", "biomass_solid_other": "biomass", "biogas": "biomass",
}  # fmt: skip
# Waste a member burns: it arrives every year whatever the plan (a fixed supply, no price), so it must be burnt.
FREE_FUELS = {"municipal_waste", "municipal_waste_biogenic"}
BIOMASS = "wood"
NEW_BIOMASS = "new_biomass"  # the biomass lever's fuel (burnt as wood), apart from wood burnt today

# Today's equipment -> the catalog technology that replaces it like for like (cost, lifetime).
INCUMBENT_TECHNOLOGY = {
    Equipment.BOILER: "gas_boiler_steam", Equipment.FURNACE: "gas_direct_firing", Equipment.KILN: "solid_fuel_direct_firing",
    Equipment.ENGINE: "gas_chp", Equipment.ELECTRIC_BOILER: "electric_boiler_steam",
    Equipment.ELECTRIC_FURNACE: "electric_boiler_steam", Equipment.HEAT_PUMP: "industrial_heat_pump_medium_temperature",
    Equipment.STEAM_METHANE_REFORMER: "smr",
}  # fmt: skip
# Equipment `other` says nothing of what it is, so it is replaced by what serves the same service: a power
# plant by a power plant, steam and heat up to 400 C by a boiler, heat above by direct firing, hydrogen by a reformer.
OTHER_BY_SERVICE = {
    Service.ELECTRICITY: "ccgt", Service.STEAM: "gas_boiler_steam", Service.HEAT_LOW: "gas_boiler_steam",
    Service.HEAT_MEDIUM: "gas_boiler_steam", Service.HEAT_HIGH: "gas_direct_firing",
    Service.HYDROGEN_FEEDSTOCK: "smr",
}  # fmt: skip
SOLID_FUELS = {"coal_bituminous", "coal_sub_bituminous", "lignite", "anthracite", "coking_coal", "petroleum_coke",
               "wood", "biomass_solid_other"}  # fmt: skip

# Capture by the stream's CO2 share (% by volume, dry), in classes set by what the catalog's datasheets were made for:
# the Danish Energy Agency's post-combustion capture on a biomass CHP's flue gas (401.a, 12-15 %) and on a cement
# kiln's (401.c, 15-30 %); a stream at least as pure as those plants deliver (96-99 % before post cleaning, DEA 401)
# needs only drying and compression, as the National Petroleum Council's ammonia case (the CO2 stripped from
# synthesis gas). Streams above 30 % and below 96 % have no datasheet: they take the cement kiln's, which overstates.
DILUTE_UP_TO, CONCENTRATED_FROM = 0.15, 0.96
DILUTE_CAPTURE, MEDIUM_CAPTURE, CONCENTRATED_CAPTURE = "biomass_chp_capture", "cement_capture", "ammonia_capture_retrofit"
# Without a given concentration: a boiler's or CHP's flue gas is the dilute class, a kiln's the cement class; process
# CO2 of sectors whose stream the catalog has (NPC retrofits) takes that, any other the dilute class (the refinery's
# FCC and the cracker's furnace flue are dilute; a concentrated stream must say so with co2_concentration).
FLUE_CAPTURE_BY_SECTOR = {"cement": MEDIUM_CAPTURE}
PROCESS_CAPTURE = {"cement": "cement_capture_retrofit", "steel": "steel_capture_retrofit",
                   "fertilizer": "ammonia_capture_retrofit"}  # fmt: skip

# 26 USC 45Q(d)(2): capture facilities other than power plants and DAC must capture at
# least 12,500 t CO2 a year; smaller point sources are left to the other levers.
MIN_CAPTURE_T_PER_YEAR = 12_500.0

# Danish Energy Agency district-heating transmission pipes (infrastructure_costs.csv): size classes
# by capacity (MW) and their heat loss per km (percent).
DH_PIPE_CLASSES = [(50, "dh_transmission_pipe_0_50MW"), (100, "dh_transmission_pipe_50_100MW"),
                   (250, "dh_transmission_pipe_100_250MW"), (math.inf, "dh_transmission_pipe_250_500MW")]
DH_HEAT_LOSS = [(20, 3.0), (100, 1.0), (math.inf, 0.5)]

# Danish Energy Agency CO2 storage datasheets (infrastructure_costs.csv): site sizes, Mt CO2 injected a year.
STORAGE_SIZES = (1, 3, 5)
# Danish Energy Agency onshore CO2 pipeline classes (infrastructure_costs.csv): t/h from, to, and the item priced.
ONSHORE_CO2_CLASSES = [(10.0, 30.0, "co2_pipeline_onshore_10_30tph"), (30.0, 120.0, "co2_pipeline_onshore_30_120tph"),
                       (120.0, 500.0, "co2_pipeline_onshore_120_500tph")]  # fmt: skip

# Builders of the levers that serve a member's services (levers.csv, column builder) -> NetworkBuilder method, in the
# order their units are added; a new physics is one method here and its builder name in the lever's row.
SERVICE_BUILDERS = {"electric": "_electric", "hub_fuel": "_hub_fuel", "biomass": "_biomass", "heat_link": "_heat_link",
                    "efficiency": "_efficiency"}  # fmt: skip

STORE_BUILDERS = {"store", "battery"}  # builders of levers that are stores, not converters

HUB_CATEGORY = "energy_industries"  # IPCC source category of what the hub burns (Vol. 2 Table 2.2)

# Waste a shared waste CHP takes, as the fraction of municipal waste whose IPCC NCV and emission factors it burns with
# (fuels.csv): plastics are fossil carbon, paper and cardboard biogenic (IPCC 2006 Vol. 5 Table 2.4: 100 % and 1 %
# fossil carbon). Other kinds lack a sourced NCV or fossil share (docs/data.md, gaps).
WASTE_FUEL = {WasteKind.PLASTIC: "municipal_waste", WasteKind.PAPER_CARDBOARD: "municipal_waste_biogenic"}
# Waste disposed of without energy recovery today; recycling and composting rank above energy recovery.
UNRECOVERED = {WasteTreatment.LANDFILL, WasteTreatment.INCINERATION}


@dataclass
class Blueprint:
    """Network tables under construction, with what each unit means to the cluster."""

    periods: list[int]
    buses: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    units: list[dict] = field(default_factory=list)
    unit_period: list[dict] = field(default_factory=list)
    ports: list[tuple[str, str, float]] = field(default_factory=list)
    stores: list[dict] = field(default_factory=list)
    store_period: list[dict] = field(default_factory=list)
    port_vintage: dict[tuple[str, str], list[float]] = field(default_factory=dict)  # (unit, bus) -> by build period
    demand: dict[str, float] = field(default_factory=dict)  # bus -> MW, the same in every period
    emission_constant: dict[str, float] = field(default_factory=dict)  # bus -> tCO2e per year
    names: set[str] = field(default_factory=set)  # units added so far

    def bus(self, node: str, carrier: str, kind: str = "balance") -> str:
        name = f"{node}|{carrier}"
        self.buses.setdefault(name, (node, carrier, kind))
        return name

    def unit(self, name: str, node: str, lever: str, technology: str, ports: list[tuple[str, float]], *,
             capex=0.0, vom=0.0, fom=0.0, lifetime=30.0, extendable=True, existing=0.0, capacity_max=math.inf,
             profile="", unlimited=False, cost_kind="variable_om", service="", unit_of_capacity="MW") -> str:  # fmt: skip
        self.names.add(name)
        self.units.append(
            {"unit": name, "node": node, "lever": lever, "technology": technology, "lifetime": float(lifetime),
             "fom": float(fom), "extendable": bool(extendable), "capacity_max": float(capacity_max),
             "profile": profile, "unlimited": bool(unlimited), "cost_kind": cost_kind, "service": service,
             "capacity_unit": unit_of_capacity}
        )  # fmt: skip
        for i, period in enumerate(self.periods):
            self.unit_period.append({"unit": name, "period": period, "capex": _at(capex, i), "vom": _at(vom, i),
                                     "existing": _at(existing, i)})  # fmt: skip
        # A coefficient given per period is the one of capacity built in that period (its catalog year);
        # repeated ports on a bus add up, as in the model.
        summed: dict[str, np.ndarray] = {}
        for bus, coefficient in ports:
            values = np.broadcast_to(np.asarray(coefficient, dtype=float), (len(self.periods),))
            summed[bus] = summed.get(bus, 0.0) + values
        for bus, values in summed.items():
            self.port(name, bus, values)
        return name

    def port(self, unit: str, bus: str, coefficient) -> None:
        values = np.broadcast_to(np.asarray(coefficient, dtype=float), (len(self.periods),))
        self.ports.append((unit, bus, float(values[0])))
        if (values != values[0]).any():
            self.port_vintage[(unit, bus)] = [float(v) for v in values]


def storage_levers() -> list[str]:
    """Levers whose captured CO2 goes to geological storage: those needing the CO2 network (levers.csv, requires)."""
    return [name for name, row in levers.table().items() if "co2_network" in row.requires]


def _at(value, i: int) -> float:
    return float(value[i]) if isinstance(value, list | tuple | np.ndarray) else float(value)


class NetworkBuilder:
    """Builds the network of a cluster under a scenario."""

    def __init__(self, cluster: Cluster, scenario: Scenario) -> None:
        self.cluster = cluster
        self.scenario = scenario
        self.periods = list(scenario.periods)
        # Every cost is money of one price year (docs/model.md, 6.8): the scenario's, else the catalog's.
        self.price_year = scenario.price_year if scenario.price_year is not None else CATALOG_MONEY_YEAR
        try:
            self.catalog = Catalog(cluster.currency, self.price_year)
        except PriceYearError as error:
            raise PlanningError(f"scenario price_year {self.price_year}: {error}") from None
        self.inventory = Inventory(cluster)
        self.bp = Blueprint(self.periods)
        self.levers = set(scenario.levers)
        # What the plan's printout says of how the scenario was read (summary "notes"), by topic.
        self.notes: dict[str, str] = {}
        if set(scenario.levers) == set(LEVERS) and not cluster.resources.co2_storage:
            # Every lever (the default) means every lever the cluster can use. The hub's levers that need storage
            # (air capture, reformers with capture) are options no member asked for: without a site they are left
            # out, said in the notes. Capture on members' own stacks stays, and stops the plan with the fix.
            hub = [lever for lever in storage_levers() if levers.lever(lever).network]
            self.levers -= set(hub)
            self.notes["co2_storage"] = (f"{listed(hub)} not offered: the cluster has no CO2 storage site "
                                         "(resources.co2_storage) for the CO2 they capture.")  # fmt: skip
        # Scenario money -> cluster money.
        self.fx = exchange_rate(cluster.currency, self.price_year) / exchange_rate(scenario.currency, self.price_year)
        self.profiles: dict[str, pd.Series] = {}
        self.annual_limits: list[AnnualLimit] = []

    # -- prices --------------------------------------------------------------------
    def _series(self, trajectory: dict[int, float] | None, what: str, fx: float = 1.0) -> list[float]:
        if not trajectory:
            raise PlanningError(what)
        return [interpolate(trajectory, year) * fx for year in self.periods]

    def fuel_price(self, fuel: str) -> list[float]:
        if fuel in FREE_FUELS:
            return [0.0] * len(self.periods)
        market = PRICE_OF.get(fuel)
        if market is None:
            raise PlanningError(f"no market price applies to fuel '{fuel}'")
        if market in self.scenario.fuel_prices:
            return self._series(self.scenario.fuel_prices[market], "", self.fx)
        defaults = prices.reference_prices_usd(self.cluster.country)
        if market not in defaults:
            raise PlanningError(f"scenario fuel_prices.{market} is needed to price {fuel}: the reference data has no "
                                f"{market} price (a trajectory per MWh in the scenario's currency, e.g. {{2025: 30}})",
                                missing="fuel_price", file="scenario", field=("fuel_prices", market),
                                fix=f"add `fuel_prices: {{{market}: {EXAMPLE_PRICES}}}` (per MWh in the scenario's "
                                "currency)", names={"market": market, "fuel": fuel})  # fmt: skip
        # Pink Sheet prices are US dollars of their year.
        return [self.catalog.convert(defaults[market], "USD", prices.REFERENCE_YEAR)] * len(self.periods)

    def electricity_price(self) -> list[float]:
        if self.scenario.electricity_price:
            return self._series(self.scenario.electricity_price, "", self.fx)
        if not self.cluster.grid.electricity_price:
            raise PlanningError("grid.electricity_price of the cluster (or electricity_price of the scenario) is "
                                "needed to plan", missing="electricity_price", file="cluster",
                                field=("grid", "electricity_price"), fix="give grid.electricity_price (per MWh in "
                                "the cluster's currency by year), or "
                                f"add `electricity_price: {EXAMPLE_PRICES}` to the scenario")  # fmt: skip
        return self._series(self.cluster.grid.electricity_price, "")

    def grid_factor(self) -> list[float]:
        return self.grid_path.factors

    @functools.cached_property
    def grid_path(self) -> GridPath:
        """The grid factor by period: the scenario's or cluster's own, else the country's published path (6.6)."""
        for owner, given in (("scenario", self.scenario.grid_emission_factor),
                             ("cluster", self.cluster.grid.emission_factor)):  # fmt: skip
            if given:
                return GridPath(self._series(given, ""), f"the {owner}'s grid_emission_factor", False)
        return default_grid_path(self.cluster.country, self.cluster.base_year, self.periods)

    def carbon_price(self) -> pd.Series | None:
        if self.scenario.carbon_price:
            return pd.Series(self._series(self.scenario.carbon_price, "", self.fx), index=self.periods)
        for selected in self.scenario.instruments():
            if selected.kind == "carbon_price":
                from clusterpath.pathway.policies import money_factor

                inst = selected.instrument
                return pd.Series(self._series(inst.prices, "", money_factor(self, inst)), index=self.periods)
        return None

    # -- levers ----------------------------------------------------------------------
    def offered(self, lever: str) -> bool:
        """The scenario allows the lever and every lever it requires (levers.csv, column requires)."""
        return lever in self.levers and all(other in self.levers for other in levers.lever(lever).requires)

    def technology(self, lever: str, service: str = "") -> str:
        """The lever's catalog technology (levers.csv, column technologies)."""
        return levers.lever(lever).technology(service)

    # -- catalog helpers -----------------------------------------------------------
    def costs(self, technology: str) -> dict:
        c = self.catalog
        return {
            "capex": [c.capex(technology, y) for y in self.periods],
            "vom": [c.vom(technology, y) for y in self.periods],
            "fom": c.fom(technology, self.periods[0]),
            "lifetime": c.lifetime(technology),
        }

    def efficiency(self, technology: str, parameter: str = "efficiency") -> float:
        return self.catalog.number(technology, parameter, self.periods[0])

    def vintage(self, technology: str, parameter: str = "efficiency", default: float | None = None) -> np.ndarray:
        """A performance parameter of capacity built in each period: the catalog's value for that year."""
        return np.array([self.catalog.number(technology, parameter, year, default) for year in self.periods])

    # -- combustion -----------------------------------------------------------------
    def combustion_ports(self, node: str, fuel: str, fuel_per_flow: float, category: str) -> list[tuple[str, float]]:
        """Fuel drawn from the node's fuel bus, fossil CO2 into its flue, CH4 and N2O straight out."""
        emissions = self.combustion_emissions(node, fuel, fuel_per_flow, category)
        return [(self.bp.bus(node, fuel), -fuel_per_flow), *emissions]

    def combustion_emissions(self, node: str, fuel: str, fuel_per_flow: float,
                             category: str) -> list[tuple[str, float]]:  # fmt: skip
        """What burning ``fuel_per_flow`` MWh of a fuel emits: fossil CO2 to the node's flue, CH4 and N2O to scope 1."""
        factors = reference.fuel_factors(fuel, category)
        gwp = reference.gwp100()
        mwh_tj = reference.TJ_PER_MWH
        biogenic = str(factors["biogenic"]).lower() == "true"
        co2 = 0.0 if biogenic else factors["co2_kg_per_tj"] * mwh_tj / 1000
        other = (factors["ch4_kg_per_tj"] * gwp["ch4_non_fossil" if biogenic else "ch4_fossil"]
                 + factors["n2o_kg_per_tj"] * gwp["n2o"]) * mwh_tj / 1000  # fmt: skip
        ports = [(self.bp.bus(node, "scope1", "emission"), other * fuel_per_flow)]
        if co2:
            ports.append((self.bp.bus(node, "co2_flue"), co2 * fuel_per_flow))
        return ports

    def market(self, node: str, fuel: str) -> None:
        name = f"{node}|buy:{fuel}"
        if name in self.bp.names:
            return
        price = self.fuel_price(fuel)
        self.bp.unit(name, node, "market", fuel, [(self.bp.bus(node, fuel), 1.0)], vom=price, extendable=False,
                     unlimited=True, cost_kind="energy_purchases")  # fmt: skip

    # -- the network --------------------------------------------------------------
    def build(self, typical: timeseries.TypicalDays | None = None) -> Network:
        self._hub_node()
        for member in self.cluster.members:
            self._member(member)
        self._renewables()
        self._wastewater_plant()
        self._waste_to_energy()
        typical = typical or self._typical_days()
        return scale_capex(self._assemble(typical), self.scenario.capex_multiplier)

    def _member(self, member) -> None:
        bp, node = self.bp, member.id
        category = "energy_industries" if member.sector in ENERGY_INDUSTRY_SECTORS else "manufacturing"
        electricity = bp.bus(node, "electricity")
        grid_factor = self.grid_factor()
        bp.unit(f"{node}|buy:electricity", node, "market", "grid",
                [(electricity, 1.0), (bp.bus(node, "scope2", "emission"), 0.0)],
                vom=self.electricity_price(), extendable=False, unlimited=True, cost_kind="energy_purchases")  # fmt: skip
        self._grid_factor_ports.append((f"{node}|buy:electricity", bp.bus(node, "scope2", "emission"), grid_factor))
        # A token charge on power from the hub, so that members buy grid power themselves and
        # their scope 2 stays theirs; the hub's own renewables still flow to them.
        bp.unit(f"{node}|from-hub:electricity", node, "shared_power", "link",
                [(bp.bus(HUB, "electricity"), -1.0), (electricity, 1.0)], vom=1e-3, extendable=False,
                unlimited=True)  # fmt: skip
        bp.unit(f"{node}|vent", node, "vent", "vent", [(bp.bus(node, "co2_flue"), -1.0),
                (bp.bus(node, "scope1", "emission"), 1.0)], extendable=False, unlimited=True)  # fmt: skip

        service_mw: dict[str, float] = {}
        incumbent_eff: dict[str, float] = {}
        for index, demand in enumerate(member.demands):
            service = demand.service.value
            mw = demand.service_mwh / HOURS_PER_YEAR
            if demand.sold:
                self._product(member, index, demand, mw, category)
                continue
            service_mw[service] = service_mw.get(service, 0.0) + mw
            target = electricity if demand.service is Service.ELECTRICITY else bp.bus(node, _service_bus(service))
            if demand.service is Service.ELECTRICITY and demand.carrier == "electricity":
                continue  # grid power used as delivered: the demand sits on the electricity bus
            self._incumbent(member, index, demand, target, mw, category)
            if demand.carrier in PRICE_OF or demand.carrier in FREE_FUELS:
                # Fuel switches keep the burner's efficiency; heat pumps and boilers on power do not apply.
                incumbent_eff.setdefault(service, demand.conversion_efficiency)
        for service, mw in service_mw.items():
            bus = electricity if service == "electricity" else bp.bus(node, _service_bus(service))
            bp.demand[bus] = bp.demand.get(bus, 0.0) + mw

        # Biogenic CO2 is outside the scopes (as in the inventory); CH4 and N2O always count.
        process = [p for p in member.process_emissions if not (p.biogenic and p.gas == "co2")]
        gwp = reference.gwp100()
        for p in process:
            if p.gas == "co2":
                bus = bp.bus(node, "co2_process")
                bp.demand[bus] = bp.demand.get(bus, 0.0) - p.amount / HOURS_PER_YEAR
            else:
                key = p.gas if p.gas == "n2o" else ("ch4_non_fossil" if p.biogenic else "ch4_fossil")
                bus = bp.bus(node, "scope1", "emission")
                bp.emission_constant[bus] = bp.emission_constant.get(bus, 0.0) + p.amount * gwp[key]
        if any(p.gas == "co2" for p in process):
            bp.unit(f"{node}|vent-process", node, "vent", "vent", [(bp.bus(node, "co2_process"), -1.0),
                    (bp.bus(node, "scope1", "emission"), 1.0)], extendable=False, unlimited=True)  # fmt: skip
        self._wastewater(member)
        self._waste(member)

        self._member_levers(member, service_mw, incumbent_eff, category)

    def _wastewater(self, member) -> None:
        """Methane of today's treatment on site (as in the inventory), and the sewer to the shared plant."""
        bp, node = self.bp, member.id
        emitting = [(s.cod, wastewater_ch4_t(s)) for s in member.wastewater if wastewater_ch4_t(s) > 0]
        if not emitting:
            return
        cod = sum(load for load, _ in emitting)
        tco2e = sum(ch4 for _, ch4 in emitting) * reference.gwp100()["ch4_non_fossil"]
        scope1 = bp.bus(node, "scope1", "emission")
        bp.emission_constant[scope1] = bp.emission_constant.get(scope1, 0.0) + tco2e
        if "wastewater_treatment" not in self.levers:
            return
        # The same share of every stream goes, so a tonne of COD sent avoids the load-weighted average.
        bp.unit(f"{node}|wastewater-connection", node, "collection", "sewer", [(bp.bus(HUB, "cod"), 1.0),
                (scope1, -tco2e / cod)], extendable=False, existing=cod / HOURS_PER_YEAR, unit_of_capacity="tCOD/h",
                service="wastewater")  # fmt: skip

    def _product(self, member, index, demand, mw: float, category: str) -> None:
        """Output sold outside the cluster: today's equipment makes it on a bus of its own, and it sells up to today's
        amount at its sale price. The plan may run the equipment less or close it and lose the sale; nothing on the
        member's own buses (bought power, levers) can be sold in its place."""
        bp, node, service = self.bp, member.id, demand.service.value
        product = bp.bus(node, f"{_service_bus(service)}_sold")
        self._incumbent(member, index, demand, product, mw, category)
        price = demand.sale_price
        revenue = [-(price if isinstance(price, float) else interpolate(price, year)) for year in self.periods]
        bp.unit(f"{node}|sell:{service}:{index}", node, "market", "sale", [(product, -1.0)], vom=revenue,
                extendable=False, existing=mw, cost_kind="sales", service=service)  # fmt: skip

    def _incumbent(self, member, index, demand, target: str, mw: float, category: str) -> None:
        node, bp = member.id, self.bp
        name = f"{node}|today:{demand.service.value}:{demand.carrier}:{index}"
        technology = incumbent_technology(demand.equipment, demand.service, demand.carrier)
        fuel_per_flow = 1 / demand.conversion_efficiency
        if demand.carrier in PURCHASED_HEAT:
            # Bought steam or heat: priced as if raised in the catalog's gas boiler.
            gas = self.fuel_price("natural_gas")
            boiler = self.efficiency("gas_boiler_steam")
            ports = [(target, 1.0), (bp.bus(node, "scope2", "emission"), demand.emission_factor)]
            bp.unit(name, node, "today", demand.carrier, ports, vom=[g / boiler for g in gas], extendable=False,
                    unlimited=True, cost_kind="energy_purchases", service=demand.service.value)  # fmt: skip
            return
        if demand.carrier == "hydrogen":
            h2 = self._merchant_hydrogen(node, demand.carrier_mwh / HOURS_PER_YEAR)
            if target != h2:
                bp.unit(name, node, "today", "hydrogen burner", [(h2, -fuel_per_flow), (target, 1.0)],
                        extendable=False, existing=mw, service=demand.service.value)  # fmt: skip
            return
        if demand.carrier == "electricity":
            ports = [(bp.bus(node, "electricity"), -fuel_per_flow), (target, 1.0)]
        else:
            ports = [*self.combustion_ports(node, demand.carrier, fuel_per_flow, category), (target, 1.0)]
            if demand.carrier in FREE_FUELS:
                # The waste is delivered whether or not the plan wants its heat: a fixed supply with no other
                # outlet (landfilling what is burnt today is not offered: docs/model.md 6.3), so it is burnt.
                fuel = bp.bus(node, demand.carrier)
                bp.demand[fuel] = bp.demand.get(fuel, 0.0) - demand.carrier_mwh / HOURS_PER_YEAR
            else:
                self.market(node, demand.carrier)
        costs = self.costs(technology) if technology else {"capex": 0.0, "vom": 0.0, "fom": 0.0, "lifetime": 100.0}
        if technology and self.catalog.capex_per_input(technology):
            # The unit is sized by its output (MW of hydrogen); the catalog prices a MW of its input (gas).
            costs["capex"] = [c * fuel_per_flow for c in costs["capex"]]
        lifetime = costs["lifetime"]
        # Today's equipment is of every age: it retires linearly over one lifetime. Direct use
        # (no equipment) does not retire.
        existing = [mw * max(0.0, 1 - (year - self.cluster.base_year) / lifetime) if technology else mw
                    for year in self.periods]  # fmt: skip
        bp.unit(name, node, "today", technology or "direct", ports, capex=costs["capex"], vom=costs["vom"],
                fom=costs["fom"], lifetime=lifetime, existing=existing, extendable=technology is not None,
                service=demand.service.value)  # fmt: skip

    def _merchant_hydrogen(self, node: str, mw: float) -> str:
        """Hydrogen bought today comes from a merchant reformer, modelled on the hub."""
        if "hydrogen_network" not in self.levers:
            raise PlanningError(f"member '{node}' buys hydrogen: the scenario must allow the 'hydrogen_network' lever",
                                missing="hydrogen_network", file="scenario", field=("levers",),
                                fix="add `hydrogen_network` to `levers`", names={"member": node})  # fmt: skip
        self._merchant_mw += mw
        self._merchant_by_member[node] = self._merchant_by_member.get(node, 0.0) + mw
        return self._hub_hydrogen_connection(node, existing=mw)

    def _waste(self, member) -> None:
        """Combustible waste disposed of without energy recovery can go to the shared waste CHP instead."""
        streams = [w for w in member.waste if w.kind in WASTE_FUEL and w.treatment in UNRECOVERED]
        if "waste_to_energy" not in self.levers or not streams:
            return
        bp, node = self.bp, member.id
        tonnes = sum(w.amount for w in streams)
        # Per tonne sent (the same share of every stream): its energy on the hub's waste bus, and what burning it
        # emits there, so the hub's flue and scope 1 see each fraction at its own factors.
        ports: dict[str, float] = {}
        for w in streams:
            fuel = WASTE_FUEL[w.kind]
            mwh = w.amount / tonnes * reference.fuel_factors(fuel, HUB_CATEGORY)["ncv_tj_per_gg"] / 3.6
            emissions = self.combustion_emissions(HUB, fuel, mwh, HUB_CATEGORY)
            for bus, coefficient in [(bp.bus(HUB, "waste"), mwh), *emissions]:
                ports[bus] = ports.get(bus, 0.0) + coefficient
        bp.unit(f"{node}|waste-connection", node, "collection", "waste collection", list(ports.items()),
                extendable=False, existing=tonnes / HOURS_PER_YEAR, unit_of_capacity="t/h",
                service="waste")  # fmt: skip

    # ... member levers
    def _member_levers(self, member, service_mw: dict[str, float], incumbent_eff: dict[str, float], category: str) -> None:
        bp, node, L = self.bp, member.id, self.levers
        electricity = bp.bus(node, "electricity")
        steam_needed = False
        for service, mw in service_mw.items():
            if service == "electricity" or service == "hydrogen_feedstock":
                continue
            bus = bp.bus(node, _service_bus(service))
            eff = incumbent_eff.get(service, self.efficiency("gas_boiler_steam"))
            # Levers serving the service, builder by builder in SERVICE_BUILDERS' order, rows in table order.
            for builder, method in SERVICE_BUILDERS.items():
                for lever in levers.with_builder(builder):
                    if self.offered(lever.name) and lever.serves(service):
                        getattr(self, method)(member, lever, service, bus, mw, eff, category)
        if "hydrogen_network" in L and "hydrogen_feedstock" in service_mw:
            self._hub_hydrogen_connection(node)

        scope1 = self.inventory.members.loc[node, "scope1_tco2e"]
        if self.offered("carbon_capture") and scope1 >= MIN_CAPTURE_T_PER_YEAR:
            captured = bp.bus(node, "co2_captured")
            for source, tech in (("co2_flue", flue_capture(member)), ("co2_process", process_capture(member))):
                if f"{node}|{source}" not in bp.buses:
                    continue
                # The catalog gives energy per tonne captured and cost per t/h captured; the
                # unit's reference flow is the CO2 it treats, of which ``rate`` is captured.
                # Per build period: each vintage captures and consumes as the catalog says for its year.
                rate = self.vintage(tech, "capture_rate")
                elec = self.vintage(tech, "electricity-input", 0.0)
                elec = elec + self.vintage(tech, "compression-electricity-input", 0.0)
                heat = self.vintage(tech, "heat-input", 0.0)
                gas = self.vintage(tech, "gas-input", 0.0)
                ports = [(bp.bus(node, source), -1.0), (captured, rate), (bp.bus(node, "scope1", "emission"), 1 - rate),
                         (electricity, -elec * rate)]  # fmt: skip
                if heat.any():
                    ports.append((bp.bus(node, "steam"), -heat * rate))
                    steam_needed = True
                if gas.any():
                    ports += self.combustion_ports(node, "natural_gas", gas * rate, category)
                    self.market(node, "natural_gas")
                costs = self.costs(tech)
                costs["capex"] = [c * r for c, r in zip(costs["capex"], rate, strict=True)]
                bp.unit(f"{node}|capture:{source}", node, "carbon_capture", tech, ports, service="co2",
                        unit_of_capacity="tCO2/h", **costs)  # fmt: skip
            distance = self._distance(member)
            pipe = self.costs(self.technology("co2_network"))
            pipe["capex"] = self._co2_link_capex(member, distance)
            bp.unit(f"{node}|co2-connection", node, "co2_network", "co2_pipeline",
                    [(captured, -1.0), (bp.bus(HUB, "co2"), 1.0)], unit_of_capacity="tCO2/h", **pipe)  # fmt: skip
        if steam_needed and "steam" not in service_mw:
            # Steam for the capture unit's solvent: a new gas boiler, or an electric one if allowed.
            steam = bp.bus(node, "steam")
            if self.offered("electric_boiler"):
                tech = self.technology("electric_boiler", "steam")
                self._converter(node, "electric_boiler", tech, electricity, steam, 1 / self.efficiency(tech), "steam")
            costs = self.costs("gas_boiler_steam")
            ports = [*self.combustion_ports(node, "natural_gas", 1 / self.efficiency("gas_boiler_steam"), category),
                     (steam, 1.0)]  # fmt: skip
            self.market(node, "natural_gas")
            bp.unit(f"{node}|gas-boiler:steam", node, "today", "gas_boiler_steam", ports, service="steam", **costs)

    # Builders of levers serving a member's service (levers.csv, column builder): (member, lever, service, service bus,
    # average MW of the service, the incumbent burner's efficiency, the member's IPCC category).
    def _electric(self, member, lever, service, bus, mw, eff, category) -> None:
        """Power to the service at the catalog efficiency (COP) of each build year, up to the lever's share of the
        service in the member's sector (levers.csv, potential)."""
        tech, share = lever.technology(service), lever.share(member.sector.value)
        if share <= 0:
            return
        self._converter(member.id, lever.name, tech, self.bp.bus(member.id, "electricity"), bus, 1 / self.vintage(tech),
                        service, capacity_max=share * mw if lever.potential else math.inf)  # fmt: skip

    def _hub_fuel(self, member, lever, service, bus, mw, eff, category) -> None:
        """Hydrogen from the hub burnt in today's burner, at its efficiency; no emissions."""
        h2 = self._hub_hydrogen_connection(member.id)
        self._converter(member.id, lever.name, lever.technology(service), h2, bus, 1 / eff, service)

    def _biomass(self, member, lever, service, bus, mw, eff, category) -> None:
        """New biomass from the cluster's supply, on a bus of its own: wood burnt today is not counted against that
        supply and keeps its own price."""
        if self._biomass_supply is None:
            return
        bp, node, tech = self.bp, member.id, lever.technology(service)
        costs = self.costs(tech)
        fuel = self._new_biomass(node)
        ports = [(fuel, -1 / eff), *self.combustion_emissions(node, BIOMASS, 1 / eff, category), (bus, 1.0)]
        bp.unit(f"{node}|{lever.name}:{service}", node, lever.name, tech, ports, service=service, **costs)

    def _heat_link(self, member, lever, service, bus, mw, eff, category) -> None:
        self._heat_connection(member, bus, mw)

    def _efficiency(self, member, lever, service, bus, mw, eff, category) -> None:
        for share, cost in self._efficiency_potentials(member.id, service):
            self.bp.unit(f"{member.id}|{lever.name}:{service}", member.id, lever.name, lever.name, [(bus, 1.0)],
                         vom=cost * self.fx, extendable=False, existing=share * mw, service=service)  # fmt: skip

    def _new_biomass(self, node: str) -> str:
        """The member's bus of new biomass, bought from the cluster's limited supply (docs/model.md 6.4)."""
        bp, supply = self.bp, self.scenario.biomass_supply
        bus, name = bp.bus(node, NEW_BIOMASS), f"{node}|buy:{NEW_BIOMASS}"
        if name in bp.names:
            return bus
        if supply is not None and supply.price:
            price = self._series(supply.price, "", self.fx)
        elif "biomass" in self.scenario.fuel_prices:
            price = self.fuel_price(BIOMASS)
        else:
            raise PlanningError("scenario biomass_supply needs a price: give biomass_supply.price or fuel_prices."
                                "biomass (per MWh in the scenario's currency, e.g. {2025: 30})",
                                missing="biomass_price", file="scenario", field=("biomass_supply", "price"),
                                fix=f"add `price: {EXAMPLE_PRICES}` under `biomass_supply`, or `fuel_prices: "
                                f"{{biomass: {EXAMPLE_PRICES}}}`,")  # fmt: skip
        bp.unit(name, node, "market", NEW_BIOMASS, [(bus, 1.0)], vom=price, extendable=False, unlimited=True,
                cost_kind="energy_purchases")  # fmt: skip
        limit = next((a for a in self.annual_limits if a.name == "biomass-supply"), None)
        if limit is None:
            mwh, basis = self._biomass_supply
            limit = AnnualLimit("biomass-supply", [], pd.Series(mwh, index=self.periods), basis)
            self.annual_limits.append(limit)
        limit.units.append(name)
        return bus

    @functools.cached_property
    def _biomass_supply(self) -> tuple[list[float], str] | None:
        """MWh a year of new biomass by period and where the figure comes from (docs/model.md 6.4); None when the
        lever has no supply: neither the scenario's biomass_supply nor a biomass price to default it from."""
        supply, country = self.scenario.biomass_supply, self.cluster.country
        if supply is not None and supply.limit:
            return [interpolate(supply.limit, y) for y in self.periods], "new biomass the cluster can source (limit)"
        if supply is None and "biomass" not in self.scenario.fuel_prices:
            return None
        lines = self.inventory.lines
        industry = lines.loc[~lines["sector"].isin({s.value for s in ENERGY_INDUSTRY_SECTORS}), "energy_mwh"].sum()
        mwh = default_supply(country, float(industry), self.periods)
        if mwh is None:
            if supply is not None:
                raise PlanningError(f"no biomass potential is shipped for {country} (biomass_potentials.csv): give "
                                    "biomass_supply.limit, MWh a year of new biomass the cluster can source, e.g. "
                                    "{2030: 200 GWh}", missing="biomass_limit", file="scenario",
                                    field=("biomass_supply", "limit"), fix="add `limit: {2030: 200 GWh}` (new biomass "
                                    "the cluster can source a year) under `biomass_supply`",
                                    names={"country": country})  # fmt: skip
            return None
        return mwh, (f"new biomass the cluster can source: {country}'s sustainable solid biomass potential "
                     f"(biomass_potentials.csv) times the members' {industry:,.0f} MWh of industrial energy use over "
                     f"{country}'s (industry_final_energy.csv)")  # fmt: skip

    def _converter(self, node, lever, tech, source_bus, target_bus, input_per_output, service,
                   capacity_max=math.inf) -> None:  # fmt: skip
        self.bp.unit(f"{node}|{lever}:{service}", node, lever, tech, [(source_bus, -input_per_output), (target_bus, 1.0)],
                     service=service, capacity_max=capacity_max, **self.costs(tech))  # fmt: skip

    def _efficiency_potentials(self, node: str, service: str):
        if "efficiency" not in self.levers:
            return []
        for potential in self.scenario.efficiency:
            if potential.member in (node, "*") and potential.service in (service, "*") and potential.max_share > 0:
                return [(potential.max_share, potential.cost_per_mwh)]
        return []

    def _distance(self, member) -> float:
        """Pipeline length from a member to the hub: great-circle distance, at least 1 km."""
        a, b = self.cluster.member_location(member), self.cluster.location
        lat1, lon1, lat2, lon2 = map(math.radians, (a.lat, a.lon, b.lat, b.lon))
        h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
        return max(1.0, 2 * 6371.0 * math.asin(math.sqrt(h)))

    # -- the hub: shared infrastructure ------------------------------------------------
    def _hub_node(self) -> None:
        bp = self.bp
        self._grid_factor_ports: list = []
        self.scale_rows: list[dict] = []
        self.flow_scale_rows: list[dict] = []
        self._merchant_mw = 0.0
        self._merchant_by_member: dict[str, float] = {}
        self._hydrogen_links: set[str] = set()
        electricity = bp.bus(HUB, "electricity")
        bp.unit(f"{HUB}|buy:electricity", HUB, "market", "grid", [(electricity, 1.0), (bp.bus(HUB, "scope2", "emission"), 0.0)],
                vom=self.electricity_price(), extendable=False, unlimited=True, cost_kind="energy_purchases")  # fmt: skip
        self._grid_factor_ports.append((f"{HUB}|buy:electricity", bp.bus(HUB, "scope2", "emission"), self.grid_factor()))

    def _hub_hydrogen_connection(self, node: str, existing: float = 0.0) -> str:
        bp = self.bp
        h2 = bp.bus(node, "hydrogen")
        name = f"{node}|h2-connection"
        if node in self._hydrogen_links:
            for row in bp.unit_period:
                if row["unit"] == name:
                    row["existing"] += existing
            return h2
        self._hydrogen_links.add(node)
        member = next(m for m in self.cluster.members if m.id == node)
        pipe = self.costs(self.technology("hydrogen_network"))
        pipe["capex"] = [c * self._distance(member) for c in pipe["capex"]]
        bp.unit(name, node, "hydrogen_network", "h2_pipeline", [(bp.bus(HUB, "hydrogen"), -1.0), (h2, 1.0)],
                existing=existing, **pipe)  # fmt: skip
        return h2

    def _heat_connection(self, member, bus: str, peak_mw: float) -> None:
        """A district-heating line from the hub to a member, priced by the size class of its peak."""
        bp, node = self.bp, member.id
        km = self._distance(member)
        pipe_class = next((c for c in DH_PIPE_CLASSES if peak_mw <= c[0]), DH_PIPE_CLASSES[-1])
        rows = reference.table("infrastructure_costs")
        row = rows.loc[rows["item"] == pipe_class[1]].iloc[0]
        per_mw_m = self._money(row["value"], row["unit"])  # per MW per trench metre (DEA, EUR2015)
        loss = next(c for c in DH_HEAT_LOSS if peak_mw <= c[0])[1] / 100
        lifetime = float(rows.loc[(rows["item"] == "dh_transmission_pipe") & (rows["parameter"] == "lifetime"), "value"].iloc[0])
        pumping = float(rows.loc[(rows["item"] == "dh_transmission_pipe") & (rows["parameter"] == "electricity-input"),
                                 "value"].iloc[0]) / 100  # fmt: skip
        ports = [(bp.bus(HUB, "heat_low"), -1.0), (bus, max(0.0, 1 - loss * km)), (bp.bus(HUB, "electricity"), -pumping)]
        bp.unit(f"{node}|heat-connection", node, "heat_network", "dh_transmission_pipe", ports,
                capex=per_mw_m * 1000 * km, lifetime=lifetime, service="heat_low")  # fmt: skip

    def _renewables(self) -> None:
        bp, c = self.bp, self.cluster
        electricity = bp.bus(HUB, "electricity")
        for potential in c.resources.renewables:
            lever = potential.type.value
            if lever not in levers.where(builder="renewable") or not self.offered(lever):
                continue
            if potential.full_load_hours is None:
                raise PlanningError(
                    f"resources.renewables ({lever}) needs full_load_hours (yearly output per MW, e.g. 950 for "
                    "PV in Belgium) to be planned; or remove the lever from the scenario",
                    **self._renewable_problem(lever, "full_load_hours"))
            self.profiles[lever] = self._profile(lever, potential.full_load_hours)
            tech = self.technology(lever, "turbine")
            costs = self.costs(tech)
            if lever == "offshore_wind":
                connection = self._offshore_connection(potential, costs)
                costs["capex"] = [c + k for c, k in zip(costs["capex"], connection, strict=True)]
            bp.unit(f"{HUB}|{lever}", HUB, lever, tech, [(electricity, 1.0)], profile=lever,
                    capacity_max=potential.potential, **costs)  # fmt: skip
        if self.offered("battery"):
            store, inverter = self.technology("battery", "energy"), self.technology("battery", "power")
            energy, power = self.costs(store), self.costs(inverter)
            # A store has one lifetime: price the inverter so its yearly cost stays that of its own life and O&M.
            ratio = self._riding(energy, power["lifetime"], power["fom"])
            power["capex"] = [c * ratio for c in power["capex"]]
            # The catalog's inverter efficiency is round trip: each direction loses its square root (as PyPSA-Eur).
            self._store(f"{HUB}|battery", electricity, "battery", store, energy, power=power,
                        eta=math.sqrt(self.efficiency(inverter)))  # fmt: skip
        self._hydrogen_supply()
        self._hub_heat()
        self._direct_air_capture()
        self._co2_storage()

    def _offshore_connection(self, site, turbine: dict) -> list[float]:
        """Grid connection per MW of an offshore wind site, which the catalog's turbine price excludes.

        As PyPSA-Eur adds it per site: offshore and onshore substations, a submarine cable to the landfall
        and an underground cable on to the grid. Each part is priced so that its yearly cost is that of its
        own lifetime and O&M while it rides on the turbine's (as the battery inverter does).
        """
        if site.distance_to_shore is None:
            raise PlanningError(
                "resources.renewables (offshore_wind) needs distance_to_shore (km of submarine cable from the site "
                "to the landfall, e.g. 45 km for Belgium's Princess Elisabeth Zone): the catalog's turbine price "
                "excludes the grid connection, which is priced per km; or remove 'offshore_wind' from the levers",
                **self._renewable_problem("offshore_wind", "distance_to_shore"))
        row = levers.lever("offshore_wind").technology
        parts = [(row("station"), 1.0), (row("submarine"), site.distance_to_shore),
                 (row("underground"), site.landfall_distance or 0.0)]  # fmt: skip
        total = [0.0] * len(self.periods)
        for tech, quantity in parts:
            part = self.costs(tech)
            ratio = self._riding(turbine, part["lifetime"], part["fom"])
            total = [t + c * quantity * ratio for t, c in zip(total, part["capex"], strict=True)]
        return total

    def _hydrogen_supply(self) -> None:
        bp = self.bp
        if f"{HUB}|hydrogen" not in bp.buses:
            return
        h2 = bp.bus(HUB, "hydrogen")
        if self.offered("electrolysis"):
            tech = self.technology("electrolysis")
            ports = [(bp.bus(HUB, "electricity"), -1.0), (h2, self.vintage(tech))]
            costs = self.costs(tech)
            bp.unit(f"{HUB}|electrolysis", HUB, "electrolysis", tech, ports, **costs)
            if self.scenario.economies_of_scale:
                self._power_law(f"{HUB}|electrolysis", tech, costs["capex"])
        category = "energy_industries"
        if self._merchant_mw > 0:
            tech = "smr"
            costs = self.costs(tech)
            eta = self.efficiency(tech)
            existing = [self._merchant_mw / eta * max(0.0, 1 - (y - self.cluster.base_year) / costs["lifetime"])
                        for y in self.periods]  # fmt: skip
            ports = [*self.combustion_ports(HUB, "natural_gas", 1.0, category), (h2, eta)]
            self.market(HUB, "natural_gas")
            bp.unit(f"{HUB}|merchant-smr", HUB, "today", tech, ports, existing=existing, **costs)
            self._hub_vent()
        if self.offered("smr_ccs"):
            tech = self.technology("smr_ccs")
            eta = self.vintage(tech)
            rate = self.vintage(tech, "capture_rate")
            ports = self.combustion_ports(HUB, "natural_gas", 1.0, category)
            co2 = next(coef for bus, coef in ports if bus.endswith("co2_flue"))
            ports = [p for p in ports if not p[0].endswith("co2_flue")]
            ports += [(h2, eta), (bp.bus(HUB, "co2"), co2 * rate), (bp.bus(HUB, "scope1", "emission"), co2 * (1 - rate))]
            self.market(HUB, "natural_gas")
            bp.unit(f"{HUB}|smr-ccs", HUB, "smr_ccs", tech, ports, **self.costs(tech))
        if self.offered("hydrogen_storage"):
            tech = self.technology("hydrogen_storage")
            self._store(f"{HUB}|h2-storage", h2, "hydrogen_storage", tech, self.costs(tech))

    def _hub_heat(self) -> None:
        """Shared low-temperature heat: geothermal, large heat pumps, electrolysis waste heat, a tank."""
        bp = self.bp
        air_capture = self.offered("direct_air_capture")
        if f"{HUB}|heat_low" not in bp.buses and not air_capture:
            return
        heat, electricity = bp.bus(HUB, "heat_low"), bp.bus(HUB, "electricity")
        geothermal = self.cluster.resources.geothermal
        if self.offered("geothermal") and geothermal:
            tech = self.technology("geothermal")
            bp.unit(f"{HUB}|geothermal", HUB, "geothermal", tech, [(heat, 1.0)], capacity_max=geothermal,
                    **self.costs(tech))  # fmt: skip
        if self.offered("large_heat_pump"):
            tech = self.technology("large_heat_pump")
            self._converter(HUB, "large_heat_pump", tech, electricity, heat, 1 / self.vintage(tech), "heat_low")
        if self.offered("heat_storage"):
            tech = self.technology("heat_storage")
            tank = self.costs(tech)
            loss = self.catalog.number(tech, "standing losses", self.periods[0], 0.0) / 100
            self._store(f"{HUB}|heat-storage", heat, "heat_storage", tech, tank, loss)
        if f"{HUB}|electrolysis" in bp.names:
            bp.port(f"{HUB}|electrolysis", heat, self.vintage(self.technology("electrolysis"), "efficiency-heat"))
        # Surplus heat (from electrolysers) may be released.
        bp.unit(f"{HUB}|heat-release", HUB, "release", "release", [(heat, -1.0)], extendable=False, unlimited=True)

    def _wastewater_plant(self) -> None:
        """Shared anaerobic treatment of the COD members send; its biogas feeds a CHP, a surplus is flared."""
        bp = self.bp
        if f"{HUB}|cod" not in bp.buses:
            return
        biogas = bp.bus(HUB, "biogas")
        mwh_per_t = self._biogas_per_t_cod()
        # The catalog prices a digester per MW of biogas; per t/h of COD that is the biogas a tonne yields.
        tech, chp = self.technology("wastewater_treatment", "plant"), self.technology("wastewater_treatment", "chp")
        plant = self.costs(tech)
        plant["capex"] = [c * mwh_per_t for c in plant["capex"]]
        bp.unit(f"{HUB}|wastewater-treatment", HUB, "wastewater_treatment", tech,
                [(bp.bus(HUB, "cod"), -1.0), (biogas, mwh_per_t)], unit_of_capacity="tCOD/h", **plant)  # fmt: skip
        eta = self.efficiency(chp)
        # Heat per MWh of electricity is 1 / c_b, the back-pressure coefficient (as PyPSA-Eur reads the catalog).
        ports = [*self.combustion_ports(HUB, "biogas", 1 / eta, HUB_CATEGORY), (bp.bus(HUB, "electricity"), 1.0),
                 *self._hub_heat_out(1 / self.efficiency(chp, "c_b"))]  # fmt: skip
        bp.unit(f"{HUB}|biogas-chp", HUB, "biogas_chp", chp, ports, **self.costs(chp))
        bp.unit(f"{HUB}|biogas-flare", HUB, "release", "flare", self.combustion_ports(HUB, "biogas", 1.0, HUB_CATEGORY),
                extendable=False, unlimited=True)  # fmt: skip

    def _waste_to_energy(self) -> None:
        """A shared waste CHP burns what members send: power to the hub, heat to its network if there is one."""
        bp, tech = self.bp, self.technology("waste_to_energy")
        waste = f"{HUB}|waste"
        if waste not in bp.buses:
            return
        eta = self.efficiency(tech)
        ports = [(waste, -1 / eta), (bp.bus(HUB, "electricity"), 1.0),
                 *self._hub_heat_out(self.efficiency(tech, "efficiency-heat") / eta)]  # fmt: skip
        bp.unit(f"{HUB}|waste-chp", HUB, "waste_to_energy", tech, ports, **self.costs(tech))
        if f"{HUB}|co2_flue" in bp.buses:
            self._hub_vent()

    def _biogas_per_t_cod(self) -> float:
        """MWh of methane (LHV) a tonne of COD yields in an anaerobic reactor: B0 x MCF x NCV of methane."""
        b0 = reference.infrastructure_value("wastewater_anaerobic_treatment", "B0_max_methane_producing_capacity")
        mcf = reference.infrastructure_value("wastewater_anaerobic_treatment", "MCF_methane_correction_factor")
        gj_per_t = reference.fuel_factors("biogas", HUB_CATEGORY)["ncv_tj_per_gg"]  # IPCC's biogas NCV is its methane's
        return b0 * mcf * gj_per_t / 3.6

    def _hub_heat_out(self, heat_per_flow: float) -> list[tuple[str, float]]:
        """Heat into the hub's heat network where there is one; without a network it goes unused."""
        heat = f"{HUB}|heat_low"
        return [(heat, heat_per_flow)] if heat in self.bp.buses else []

    def _direct_air_capture(self) -> None:
        """Removals: air capture sends CO2 to storage and takes it out of the hub's emissions."""
        bp = self.bp
        if not self.offered("direct_air_capture"):
            return
        tech = self.technology("direct_air_capture")
        elec = self.vintage(tech, "electricity-input") + self.vintage(tech, "compression-electricity-input", 0.0)
        heat = self.vintage(tech, "heat-input")
        ports = [(bp.bus(HUB, "electricity"), -elec), (bp.bus(HUB, "heat_low"), -heat), (bp.bus(HUB, "co2"), 1.0),
                 (bp.bus(HUB, "scope1", "emission"), -1.0)]  # fmt: skip
        bp.unit(f"{HUB}|direct-air-capture", HUB, "direct_air_capture", tech, ports, unit_of_capacity="tCO2/h", **self.costs(tech))

    def _store(self, name: str, bus: str, lever: str, technology: str, energy: dict, loss_per_hour: float = 0.0,
               power: dict | None = None, eta: float = 1.0) -> None:  # fmt: skip
        bp = self.bp
        bp.stores.append({"store": name, "bus": bus, "lifetime": energy["lifetime"], "fom": energy["fom"],
                          "eta_charge": eta, "eta_discharge": eta, "standing_loss": loss_per_hour,
                          "energy_max": math.inf, "max_hours": math.nan, "lever": lever, "technology": technology})  # fmt: skip
        for i, period in enumerate(self.periods):
            bp.store_period.append({"store": name, "period": period, "capex_energy": energy["capex"][i],
                                    "capex_power": power["capex"][i] if power else 0.0})  # fmt: skip

    def _hub_vent(self) -> None:
        bp = self.bp
        name = f"{HUB}|vent"
        if name not in bp.names:
            bp.unit(name, HUB, "vent", "vent", [(bp.bus(HUB, "co2_flue"), -1.0), (bp.bus(HUB, "scope1", "emission"), 1.0)],
                    extendable=False, unlimited=True)  # fmt: skip

    def _co2_storage(self) -> None:
        bp = self.bp
        if f"{HUB}|co2" not in bp.buses:
            return
        sites = self.cluster.resources.co2_storage
        if not sites:
            needing = [lever for lever in storage_levers() if self.offered(lever)]
            names = listed([f"'{lever}'" for lever in needing])
            raise PlanningError(f"carbon capture needs a CO2 storage site: add resources.co2_storage, or remove "
                                f"{names} from the scenario's levers", missing="co2_storage", file="cluster",
                                field=("resources", "co2_storage"), fix=f"add one, or remove {names} from `levers`",
                                names={"levers": needing})  # fmt: skip
        for site in sites:
            pipe = self.costs("co2_pipeline")
            ports = [(bp.bus(HUB, "co2"), -1.0)]
            if site.transport == "ship":
                classes, energy = self._ship_chain(site, pipe)
                ports += energy
            else:
                classes = self._trunk_classes(site, pipe)
            # Without economies of scale the trunk costs, per t/h, the average cost of a line sized to the site.
            size = min(site.injection_capacity / HOURS_PER_YEAR, classes[0][-1][1])
            pipe["capex"] = []
            for by_period in classes:
                fixed, slope = next((fixed, slope) for _, hi, fixed, slope in by_period if size <= hi)
                pipe["capex"].append((fixed + slope * size) / size)
            name = f"{HUB}|co2-storage:{site.id}"
            if self.scenario.economies_of_scale:
                # The site pays the price of what it injects (flow classes), not of its injection capacity.
                pipe["vom"] = 0.0
                self._storage_classes(site, name)
            else:
                pipe["vom"] = self._storage_cost(site)
            bp.unit(name, HUB, "co2_network", "co2_pipeline", ports, unit_of_capacity="tCO2/h",
                    cost_kind="co2_storage", **pipe)  # fmt: skip
            if self.scenario.economies_of_scale and (len(classes[0]) > 1 or classes[0][0][2] > 0):
                for period, by_period in zip(self.periods, classes, strict=True):
                    for segment, (lo, hi, fixed, slope) in enumerate(by_period):
                        self.scale_rows.append({"unit": name, "segment": segment, "period": period, "lo": lo,
                                                "hi": hi, "fixed": fixed, "slope": slope})  # fmt: skip
            self.annual_limits.append(AnnualLimit(f"injection-{site.id}", [name],
                                                  pd.Series(site.injection_capacity, index=self.periods),
                                                  f"injection capacity of {site.name}"))  # fmt: skip

    def _trunk_top(self, site) -> float:
        return max(ONSHORE_CO2_CLASSES[-1][1], site.injection_capacity / HOURS_PER_YEAR * 1.5)

    def _trunk_classes(self, site, pipe: dict) -> list[list[tuple[float, float, float, float]]]:
        """Size classes of the trunk line to a storage site, by period: (t/h from, to, fixed cost, cost per t/h).

        The line's DEA classes plus its booster pumping stations (``_pumping_stations``), whole line.
        """
        metres = 1000 * site.distance
        top = self._trunk_top(site)
        if site.setting == "offshore":
            classes = [(0.0, top, 0.0, self._co2_pipe_price("co2_pipeline_offshore_120_500tph") * metres)]
        else:
            classes = [(lo, hi, fixed * metres, slope * metres) for lo, hi, fixed, slope in self._onshore_co2_curve()]
            if top > classes[-1][1]:
                # Beyond the largest class, more capacity is another line at the large class's price per t/h.
                classes.append((classes[-1][1], top, 0.0, self._co2_pipe_price(ONSHORE_CO2_CLASSES[-1][2]) * metres))
        return [[(lo, hi, fixed, slope + station) for lo, hi, fixed, slope in classes]
                for station in self._pumping_stations(site, pipe)]

    def _pumping_stations(self, site, pipe: dict) -> list[float]:
        """Booster pumping stations of a trunk line per t/h, by period (DEA 421, note D).

        DEA's capture datasheets deliver the CO2 at 150 bar (compression in the capture unit); a station raises it
        from 80 back to 150 bar about every 100 km, so a line of L km has ceil(L / 100) - 1 of them. A station is
        sized for 2 Mt/yr and priced per t/h of that flow; it lives 25 years, the line 50.
        """
        item = "co2_pipeline_pumping_station_2mtpa"
        stations = max(0, math.ceil(site.distance / reference.infrastructure_value(item, "spacing")) - 1)
        flow = reference.infrastructure_value(item, "flow") * 1e6 / HOURS_PER_YEAR  # t/h
        ride = self._riding(pipe, reference.infrastructure_value(item, "lifetime"))
        return [stations * c / flow * ride for c in self._dea(item, "investment")]

    def _ship_chain(self, site, pipe: dict) -> tuple[list[list[tuple[float, float, float, float]]], list]:
        """A site reached by ship (DEA 423 and the CO2 terminal sheet; liquefaction energy from the catalog).

        Per t/h carried, the fleet holds the CO2 of one round trip at DEA's cruising speed (28 km/h), 2 L / 28 hours
        of flow, in 10,000 t ships (investment and fixed O&M per tonne of cargo, 40 years), and burns their heavy
        fuel oil all the way. A loading terminal at the cluster buffers one ship's cargo (DEA's large terminal, per
        tonne of tank, 25 years): the chain's fixed part. The site end is DEA's offshore storage datasheet, whose
        floating storage and injection unit receives the ships. Liquefaction uses the catalog's electricity per
        tonne; its investment is left out (the catalog row's unit is in doubt: docs/data.md, gaps).
        Returns the classes by period (as ``_trunk_classes``) and the chain's energy ports per tonne.
        """
        ship, terminal = "co2_ship_10000t", "co2_terminal_14000t"
        cargo = 10_000.0  # t of CO2 a ship carries (the DEA class)
        round_trip = 2 * site.distance / reference.infrastructure_value("co2_ship", "cruising_speed")  # hours
        ship_life = reference.infrastructure_value("co2_ship", "lifetime")
        terminal_life = reference.infrastructure_value("co2_terminal", "lifetime")
        ships = [round_trip * self._riding(pipe, ship_life, fom / capex) * capex for capex, fom in
                 zip(self._dea(ship, "investment"), self._dea(ship, "FOM"), strict=True)]  # fmt: skip
        tanks = [cargo * self._riding(pipe, terminal_life, fom / capex) * capex for capex, fom in
                 zip(self._dea(terminal, "investment"), self._dea(terminal, "FOM"), strict=True)]  # fmt: skip
        top = self._trunk_top(site)
        classes = [[(0.0, top, fixed, slope)] for fixed, slope in zip(tanks, ships, strict=True)]
        # Fuel per tonne: the fleet (round_trip / cargo ships per t/h) sails all the time, MWh/day each; ships built
        # in a later period burn what DEA gives for their year.
        fuel = np.array(self._dea(ship, "fuel_demand_cruising", money=False)) / 24 * round_trip / cargo
        ports = [(self.bp.bus(HUB, "electricity"), -self.vintage("co2_liquefaction", "electricity-input")),
                 *self.combustion_ports(HUB, "fuel_oil", fuel, HUB_CATEGORY)]  # fmt: skip
        self.market(HUB, "fuel_oil")
        self._hub_vent()
        return classes, ports

    def _riding(self, host: dict, lifetime: float, fom: float = 0.0) -> float:
        """Capex factor for a part riding on a host unit so that its yearly cost is that of its own life and O&M.

        A network unit has one lifetime and fixed O&M share: a part with others (a battery's inverter, an offshore
        wind farm's cable, a CO2 trunk's pumping stations) is priced at (a(r, l) + f) / (a(r, L) + F) of its cost.
        """
        rate = self.scenario.discount_rate if self.scenario.discount_rate is not None else self.cluster.discount_rate
        return (float(annuity(rate, lifetime)) + fom) / (float(annuity(rate, host["lifetime"])) + host["fom"])

    def _dea(self, item: str, parameter: str, money: bool = True) -> list[float]:
        """A DEA figure of infrastructure_costs.csv by period (linear between its years, flat beyond), in plan money."""
        rows = reference.table("infrastructure_costs")
        rows = rows[(rows["item"] == item) & (rows["parameter"] == parameter)].sort_values("year")
        if rows.empty:
            raise PlanningError(f"infrastructure_costs.csv has no '{parameter}' for '{item}'")
        values = [float(np.interp(y, rows["year"], rows["value"])) for y in self.periods]
        return [self._money(v, rows["unit"].iloc[0]) for v in values] if money else values

    def _co2_pipe_price(self, item: str) -> float:
        """DEA investment of a CO2 pipeline class per t/h per metre (infrastructure_costs.csv), in plan money."""
        rows = reference.table("infrastructure_costs")
        row = rows.loc[(rows["item"] == item) & (rows["parameter"] == "investment")].iloc[0]
        return self._money(row["value"], row["unit"])

    def _onshore_co2_curve(self) -> list[tuple[float, float, float, float]]:
        """Cost of an onshore CO2 line per metre as chords between DEA's classes, each priced at its top size.

        DEA gives one price per t/h for each class, so a line just above a class boundary would cost less
        than one just below it; a line of each class's top size costs price x size, and the chords between
        those points (from 0) make a concave cost that never falls as the line grows (docs/model.md, 4).
        """
        points = [(0.0, 0.0)] + [(hi, self._co2_pipe_price(item) * hi) for _, hi, item in ONSHORE_CO2_CLASSES]
        curve = []
        for (x0, c0), (x1, c1) in itertools.pairwise(points):
            slope = (c1 - c0) / (x1 - x0)
            curve.append((x0, x1, c0 - slope * x0, slope))
        return curve

    def _co2_link_capex(self, member, km: float) -> list[float]:
        """A member's CO2 line, per t/h: the onshore curve's average cost at the member's scope 1 flow (t/h)."""
        flow = max(float(self.inventory.members.loc[member.id, "scope1_tco2e"]) / HOURS_PER_YEAR, 1e-9)
        curve = self._onshore_co2_curve()
        _, hi, fixed, slope = next((c for c in curve if flow <= c[1]), curve[-1])
        per_t_h = (fixed + slope * min(flow, hi)) / min(flow, hi)
        return [per_t_h * 1000 * km] * len(self.periods)

    def _power_law(self, unit: str, technology: str, capex: list[float]) -> None:
        """capex * ref * (size/ref)^b up to the reference size, linear beyond it, as chords between breakpoints."""
        rows = reference.table("scale_exponents")
        row = rows[rows["technology"] == technology]
        if row.empty or not np.isfinite(row["reference_size"].iloc[0]):
            return
        b, ref = float(row["exponent"].iloc[0]), float(row["reference_size"].iloc[0])
        demand = sum(mw for bus, mw in self.bp.demand.items() if bus.endswith("|hydrogen"))
        top = max(10 * ref, 5 * demand / self.efficiency(technology))
        points = [0.0, ref / 10, ref / 4, ref / 2, ref, top]
        for i, period in enumerate(self.periods):
            def cost(size: float) -> float:
                return capex[i] * (ref * (size / ref) ** b if size <= ref else size)

            for segment, (lo, hi) in enumerate(zip(points, points[1:], strict=False)):
                slope = (cost(hi) - cost(lo)) / (hi - lo)
                self.scale_rows.append({"unit": unit, "segment": segment, "period": period, "lo": lo, "hi": hi,
                                        "fixed": cost(lo) - slope * lo, "slope": slope})  # fmt: skip

    def _storage_cost(self, site) -> list[float]:
        """Full cost per tonne stored at the site's injection capacity (the datasheet of that size), by period."""
        return self._storage_price(site, min((k for k in STORAGE_SIZES if k * 1e6 >= site.injection_capacity),
                                             default=STORAGE_SIZES[-1]))  # fmt: skip

    def _storage_price(self, site, size: int) -> list[float]:
        """Full cost per tonne stored (DEA cost items per tCO2, summed) of a site of ``size`` Mt/yr, by period."""
        rows = reference.table("infrastructure_costs")
        setting = "offshore_depleted_field" if site.setting == "offshore" else site.setting
        item = rows[rows["item"] == f"co2_storage_{setting}_{size}mtpa"]
        parts = item[item["unit"].astype(str).str.startswith("EUR")]
        if parts.empty:
            raise PlanningError(f"no storage cost for a {site.setting} site of {size} Mt/yr in infrastructure_costs.csv")
        per_year = parts.pivot_table(index="year", columns="parameter", values="value", aggfunc="first").sum(axis=1)
        unit = parts["unit"].iloc[0]  # every item of a datasheet is in the same money (EUR2020/tCO2)
        return [self._money(float(np.interp(y, per_year.index, per_year.values)), unit) for y in self.periods]

    def _money(self, value: float, unit: str) -> float:
        """A reference figure whose unit names its money ("EUR2015/MW/m") in cluster money of the price year."""
        currency, year = money_year(unit)
        return self.catalog.convert(float(value), currency, year)

    def _storage_classes(self, site, name: str) -> None:
        """Yearly storage cost by what the site injects: chords through DEA's 1, 3 and 5 Mt/yr sites at full use.

        A datasheet's cost per tonne is that of a site injecting its size; storing Q t a year costs the chord
        between the sizes around Q (the smallest size's price below it, the largest's price per tonne above it).
        """
        prices = {k: self._storage_price(site, k) for k in STORAGE_SIZES}
        reach = site.injection_capacity
        for i, period in enumerate(self.periods):
            points = [(0.0, 0.0)] + [(k * 1e6, k * 1e6 * prices[k][i]) for k in STORAGE_SIZES]
            if reach > points[-1][0]:
                points.append((reach, points[-1][1] + (reach - points[-1][0]) * prices[STORAGE_SIZES[-1]][i]))
            rows = []
            for segment, ((q0, c0), (q1, c1)) in enumerate(itertools.pairwise(points)):
                if q0 >= reach:
                    break
                slope = (c1 - c0) / (q1 - q0)
                rows.append({"unit": name, "segment": segment, "period": period, "lo": q0, "hi": q1,
                             "fixed": c0 - slope * q0, "slope": slope})  # fmt: skip
            # The injection limit binds, not the classes: a relaxed plan (diagnosis) may inject beyond it.
            rows[-1]["hi"] = max(rows[-1]["hi"], 2 * reach)
            self.flow_scale_rows += rows

    def _renewable_problem(self, lever: str, column: str, reason: str = "") -> dict:
        """What a PlanningError about a renewable site's ``column`` says as data (errors.py)."""
        index = next(i for i, r in enumerate(self.cluster.resources.renewables) if r.type.value == lever)
        return {"missing": column, "file": "cluster", "field": ("resources", "renewables", index, column),
                "fix": f"fill it in, or remove `{lever}` from `levers`", "names": {"lever": lever, "reason": reason}}

    # -- profiles and assembly -------------------------------------------------------
    def _profile(self, lever: str, full_load_hours: float) -> pd.Series:
        loc = self.cluster.location
        if lever == "solar_pv":
            shape = timeseries.solar_profile(loc.lat, loc.lon)
        else:
            shape = timeseries.wind_profile(seed=1 if lever == "onshore_wind" else 2)
        try:
            return timeseries.scale_to_full_load_hours(shape, full_load_hours)
        except ValueError as error:
            raise PlanningError(f"resources.renewables ({lever}).full_load_hours: {error}",
                                **self._renewable_problem(lever, "full_load_hours", str(error))) from None

    def _typical_days(self) -> timeseries.TypicalDays:
        frame = pd.DataFrame({k: v.to_numpy() for k, v in self.profiles.items()})
        if frame.empty:
            frame = pd.DataFrame({"flat": np.ones(int(HOURS_PER_YEAR))})
        return timeseries.typical_days(frame, self.scenario.typical_days, self.scenario.segments)

    def _assemble(self, typical: timeseries.TypicalDays) -> Network:
        bp = self.bp
        periods = pd.Index(self.periods, name="period")
        units = pd.DataFrame(bp.units).set_index("unit")
        buses = pd.DataFrame([(k, *v) for k, v in bp.buses.items()], columns=["bus", "node", "carrier", "kind"]).set_index("bus")
        buses["priced"] = buses["carrier"] == "scope1"
        ports = pd.DataFrame(bp.ports, columns=["unit", "bus", "coefficient"])
        # Grid factors differ by period: the grid's scope 2 ports get a coefficient per period.
        port_period = {(unit, bus): factors for unit, bus, factors in self._grid_factor_ports}
        days = typical.weight.indexes["day"]
        hours = typical.duration.indexes["hour"]
        balance = buses.index[buses["kind"] == "balance"]
        demand = xr.DataArray(np.zeros((len(balance), len(periods), len(days), len(hours))),
                              coords=[balance.rename("bus"), periods, days, hours])  # fmt: skip
        for bus, mw in bp.demand.items():
            demand.loc[{"bus": bus}] = mw
        emission_buses = buses.index[buses["kind"] == "emission"]
        constant = xr.DataArray(np.zeros((len(emission_buses), len(periods))), coords=[emission_buses.rename("bus"), periods])
        for bus, value in bp.emission_constant.items():
            constant.loc[{"bus": bus}] = value
        profiles = typical.profiles.rename(series="profile").transpose("profile", "day", "hour")
        stores = pd.DataFrame(bp.stores).set_index("store") if bp.stores else pd.DataFrame(
            columns=["bus", "lifetime", "fom", "eta_charge", "eta_discharge", "standing_loss", "energy_max", "max_hours"])
        store_period = pd.DataFrame(bp.store_period).set_index(["store", "period"]) if bp.store_period else pd.DataFrame(
            columns=["capex_energy", "capex_power"])
        times = self._lead_times(units, stores)
        from clusterpath.pathway.policies import PolicyBuilder

        policy = PolicyBuilder(self, units, ports).terms() if self.scenario.policies else None
        return Network(
            policy=policy,
            periods=periods,
            period_years=pd.Series(self.scenario.period_years()),
            discount_rate=self.scenario.discount_rate if self.scenario.discount_rate is not None else self.cluster.discount_rate,
            base_year=self.periods[0],
            day_weight=typical.weight.astype(float),
            day_order=typical.order,
            step_hours=typical.duration,
            buses=buses,
            units=units,
            unit_period=pd.DataFrame(bp.unit_period).set_index(["unit", "period"]),
            ports=ports,
            port_period=port_period,
            port_vintage=dict(bp.port_vintage),
            demand=demand,
            profiles=profiles,
            stores=stores,
            store_period=store_period,
            emission_constant=constant,
            caps=self._caps(buses),
            carbon_price=self.carbon_price(),
            annual_limits=self.annual_limits,
            build_limits=self._build_limits(units),
            scale=pd.DataFrame(self.scale_rows).set_index(["unit", "segment", "period"]) if self.scale_rows else None,
            flow_scale=pd.DataFrame(self.flow_scale_rows).set_index(["unit", "segment", "period"])
            if self.flow_scale_rows else None,
            meta={"incumbent": self._incumbent_table(), "grid_factor": dict(zip(self.periods, self.grid_factor(), strict=True)),
                  "grid_path": {"basis": self.grid_path.basis},
                  "cap_baseline": self.cap_baselines(), "merchant_mw": dict(self._merchant_by_member),
                  "lead_times": times, "byproduct_value": self._byproduct_values(),
                  "money": {"currency": self.cluster.currency, "price_year": self.price_year}, "notes": self.notes},
        )

    def _byproduct_values(self) -> pd.DataFrame:
        """What a MWh of by-product heat on the hub is worth, by period: the gas-boiler heat members buy today (6.3)."""
        heat = f"{HUB}|heat_low"
        if heat not in self.bp.buses:
            return pd.DataFrame(columns=self.periods, dtype=float)
        boiler = self.efficiency("gas_boiler_steam")
        return pd.DataFrame([[g / boiler for g in self.fuel_price("natural_gas")]], index=[heat], columns=self.periods)

    def _lead_times(self, units: pd.DataFrame, stores: pd.DataFrame) -> pd.DataFrame:
        """Set each asset's first operating year (``earliest_operation``, -inf if unrestricted); return the lead times.

        New capacity built in a period operates from the period's first year, so the model allows it
        only in periods starting at or after that year (network.py masks the rest).
        """
        c, s = self.cluster, self.scenario
        if s.decision_year is not None and s.decision_year < c.base_year:
            raise PlanningError(f"scenario decision_year {s.decision_year} is before the cluster's base year "
                                f"{c.base_year}: projects decided earlier belong in the cluster's project register; "
                                "give a year from "
                                f"{c.base_year} to {self.periods[-1]}")  # fmt: skip
        times = lead_times.lead_time_table(c, s)
        if not s.lead_times:
            times = times.iloc[:0]
        # With lead times off, nothing holds a lever back, the register's dates included.
        projects = lead_times.committed_projects(c) if s.lead_times else []
        units["earliest_operation"] = lead_times.earliest_operation(units, times, projects, HUB)
        if len(stores):
            nodes = stores.assign(node=stores["bus"].str.split("|").str[0])
            stores["earliest_operation"] = lead_times.earliest_operation(nodes, times, projects, HUB)
        return times

    def _incumbent_table(self) -> pd.DataFrame:
        """Per member, service and period: useful MWh, scope 1 tCO2e and fuel cost of today's supply."""
        lines = self.inventory.lines
        # The inventory's first lines are the demands, in order: a product sold outside is no service of the member.
        sold = np.zeros(len(lines), dtype=bool)
        sold[: sum(len(m.demands) for m in self.cluster.members)] = [d.sold for m in self.cluster.members
                                                                     for d in m.demands]  # fmt: skip
        scope1 = lines[(lines["scope"] == "1") & ~sold].groupby(["member", "service"])["tco2e"].sum()
        rows = []
        for member in self.cluster.members:
            for demand in member.demands:
                if demand.sold:
                    continue  # a product sold outside serves no service of the member
                fuel = demand.carrier
                if fuel in PRICE_OF or fuel in FREE_FUELS:
                    price = self.fuel_price(fuel)
                elif fuel == "electricity":
                    price = self.electricity_price()
                else:
                    price = [0.0] * len(self.periods)
                for period, unit_price in zip(self.periods, price, strict=True):
                    rows.append({"member": member.id, "service": demand.service.value, "period": period,
                                 "useful_mwh": demand.service_mwh, "fuel_cost": unit_price * demand.carrier_mwh})  # fmt: skip
        if not rows:
            return pd.DataFrame(columns=["useful_mwh", "fuel_cost", "scope1_tco2e"])
        table = pd.DataFrame(rows).groupby(["member", "service", "period"]).sum()
        keys = pd.MultiIndex.from_arrays([table.index.get_level_values(0), table.index.get_level_values(1)])
        table["scope1_tco2e"] = scope1.reindex(keys).fillna(0.0).to_numpy()
        return table

    def cap_baselines(self) -> pd.Series:
        """Each node's base-year emissions on the capped scopes, where its share of a cap path starts.

        Hydrogen bought today is made by a merchant reformer on the hub: its emissions are
        today's too, though the inventory books them outside the members' scopes.
        """
        columns = [f"scope{k}_tco2e" for k in self.scenario.cap_scopes]
        baseline = self.inventory.members[columns].sum(axis=1).astype(float)
        baseline[HUB] = self._merchant_emissions() if 1 in self.scenario.cap_scopes else 0.0
        return baseline

    def _caps(self, buses: pd.DataFrame) -> list[EmissionCap]:
        s = self.scenario
        if s.target == "carbon_price_only":
            return []
        scopes = {f"scope{k}" for k in s.cap_scopes}
        capped = buses[(buses["kind"] == "emission") & buses["carrier"].isin(scopes)]
        baseline = self.cap_baselines()

        start, end = self._cap_line()

        def path(start_value: float) -> pd.Series:
            return pd.Series([start_value * min(1.0, max(0.0, (end - y) / (end - start))) if end > start else 0.0
                              for y in self.periods], index=self.periods)  # fmt: skip

        if s.target == "cluster_cap":
            return [EmissionCap("cluster", list(capped.index), path(float(baseline.sum())))]
        return [EmissionCap("shared infrastructure" if node == HUB else node, list(rows.index), path(baseline.get(node, 0.0)))
                for node, rows in capped.groupby("node")]  # fmt: skip

    def _cap_line(self) -> tuple[int, int]:
        """Years the cap's straight line runs between: from base-year emissions (held before its start) to zero."""
        base, start = self.cluster.base_year, self.scenario.cap_start_year
        if start is not None and start < base:
            raise PlanningError(f"scenario cap_start_year {start} is before the cluster's base year {base}: give "
                                f"a year from {base} on (or leave it out to start the line at the base year)")  # fmt: skip
        return (base if start is None else start), self.scenario.target_year

    def _merchant_emissions(self) -> float:
        if not self._merchant_mw:
            return 0.0
        ports = self.combustion_ports(HUB, "natural_gas", 1.0, "energy_industries")
        per_mwh_gas = sum(coef for bus, coef in ports if bus.endswith(("co2_flue", "scope1")))
        return self._merchant_mw / self.efficiency("smr") * per_mwh_gas * HOURS_PER_YEAR

    def _build_limits(self, units: pd.DataFrame) -> list[BuildLimit]:
        limits = []
        years = self.scenario.period_years()
        for lever, mw_per_year in self.scenario.max_build_per_year.items():
            if levers.lever(lever).builder in STORE_BUILDERS:
                raise PlanningError(f"max_build_per_year.{lever}: build limits apply to converters, not to storage")
            members = list(units.index[units["lever"] == lever])
            if members:
                limits.append(BuildLimit(lever, members, pd.Series({p: mw_per_year * years[p] for p in self.periods})))
        return limits


def capture_class(concentration: float) -> str:
    """The catalog capture technology for a stream of this CO2 share (by volume, dry)."""
    if concentration <= DILUTE_UP_TO:
        return DILUTE_CAPTURE
    return CONCENTRATED_CAPTURE if concentration >= CONCENTRATED_FROM else MEDIUM_CAPTURE


def flue_capture(member) -> str:
    if member.flue_co2_concentration is not None:
        return capture_class(member.flue_co2_concentration)
    return FLUE_CAPTURE_BY_SECTOR.get(member.sector.value, DILUTE_CAPTURE)


def process_capture(member) -> str:
    """One capture unit takes all of a member's process CO2: the most dilute stream it is told of sets its class."""
    given = [p.co2_concentration for p in member.process_emissions
             if p.gas == "co2" and not p.biogenic and p.co2_concentration is not None]  # fmt: skip
    if given:
        return capture_class(min(given))
    return PROCESS_CAPTURE.get(member.sector.value, DILUTE_CAPTURE)


def incumbent_technology(equipment: Equipment, service: Service, carrier: str) -> str | None:
    """The catalog technology replacing today's equipment like for like; None for direct use."""
    if equipment is Equipment.DIRECT:
        return None
    technology = OTHER_BY_SERVICE[service] if equipment is Equipment.OTHER else INCUMBENT_TECHNOLOGY[equipment]
    if technology == "gas_direct_firing" and carrier in SOLID_FUELS:
        return "solid_fuel_direct_firing"
    if technology == "gas_boiler_steam" and carrier in ("wood", "biomass_solid_other"):
        return "biomass_boiler_steam"
    if technology == "ccgt" and carrier in SOLID_FUELS:
        return "coal_chp"  # the catalog's only solid-fuel power plant
    return technology


def _service_bus(service: str) -> str:
    return "hydrogen" if service == "hydrogen_feedstock" else service


def build_network(cluster: Cluster, scenario: Scenario, typical: timeseries.TypicalDays | None = None) -> Network:
    return NetworkBuilder(cluster, scenario).build(typical)
