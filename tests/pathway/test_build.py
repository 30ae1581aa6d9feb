"""From a cluster and a scenario to the network: every lever and shared asset, built on small cases.

Each test builds a tiny cluster (dicts validated by ``clusterpath.schema.Cluster``), offers only the
levers it is about, and checks the units, ports and catalog parameters the user relies on, and that
leaving the lever out of the scenario leaves it out of the network. Expected numbers are the
catalog's (PyPSA technology-data v0.14.0) or plain arithmetic written out in the test.
"""

from __future__ import annotations

import copy
import math

import numpy as np
import pytest

from clusterpath import reference
from clusterpath.inventory import Inventory
from clusterpath.pathway.build import NetworkBuilder
from clusterpath.pathway.catalog import Catalog
from clusterpath.pathway.errors import PlanningError
from clusterpath.pathway.hub import HUB
from clusterpath.schema import Cluster
from clusterpath.schema.scenario import Scenario

KM_PER_DEGREE = 6371.0 * math.pi / 180  # along a meridian, haversine with R = 6371 km
# Eurostat HICP (EEA) annual average rates of change, deflators.csv: 2016-2025 0.3, 1.7, 1.9, 1.5, 0.7, 2.9, 9.2, 6.4,
# 2.6, 2.5 %.
EUR_2020_TO_2025 = 1.029 * 1.092 * 1.064 * 1.026 * 1.025
EUR_2015_TO_2025 = 1.003 * 1.017 * 1.019 * 1.015 * 1.007 * EUR_2020_TO_2025
LAT, LON = 51.3, 4.3
BASE_YEAR = 2023


def member(mid: str, demands=(), *, sector: str = "chemicals", km_north: float = 0.0, process=()) -> dict:
    return {"id": mid, "name": mid.title(), "sector": sector, "value_added": 1e7, "jobs": 10,
            "location": {"lat": LAT + km_north / KM_PER_DEGREE, "lon": LON},
            "demands": list(demands), "process_emissions": list(process)}  # fmt: skip


def gas(service: str, mwh: float, equipment: str = "boiler", efficiency: float = 0.9) -> dict:
    return {"service": service, "carrier": "natural_gas", "equipment": equipment, "efficiency": efficiency,
            "useful_energy": f"{mwh} MWh"}  # fmt: skip


def power(mwh: float) -> dict:
    return {"service": "electricity", "carrier": "electricity", "final_energy": f"{mwh} MWh"}


def hydrogen_feedstock(mwh: float) -> dict:
    return {"service": "hydrogen_feedstock", "carrier": "hydrogen", "final_energy": f"{mwh} MWh"}


def cluster(*members: dict, **resources) -> Cluster:
    data = {
        "id": "tiny", "name": "Tiny cluster", "country": "BE", "location": {"lat": LAT, "lon": LON}, "kind": "port",
        "currency": "EUR", "base_year": BASE_YEAR, "discount_rate": 0.05,
        "grid": {"emission_factor": {BASE_YEAR: "0.2 tCO2e/MWh"}, "electricity_price": {BASE_YEAR: 80}},
        "resources": resources, "members": list(members) or [member("chem", [power(1000), gas("steam", 8760)])],
    }  # fmt: skip
    return Cluster.model_validate(copy.deepcopy(data))


def scenario(levers=(), **kw) -> Scenario:
    return Scenario(**{"name": "test", "periods": [2025, 2035], "typical_days": 1, "levers": list(levers), **kw})


def build(c: Cluster, levers=(), **kw):
    return NetworkBuilder(c, scenario(levers, **kw)).build()


def ports_of(network, unit: str) -> dict[str, float]:
    """bus -> coefficient of one unit (repeated ports on a bus add up, as in the model)."""
    rows = network.ports[network.ports["unit"] == unit]
    assert len(rows), f"{unit} has no ports"
    return rows.groupby("bus")["coefficient"].sum().to_dict()


def units_of(network, lever: str) -> list[str]:
    return sorted(network.units.index[network.units["lever"] == lever])


def capex(network, unit: str, period: int = 2025) -> float:
    return float(network.unit_period.loc[(unit, period), "capex"])


CATALOG = Catalog("EUR")


def eff(technology: str, parameter: str = "efficiency") -> float:
    return CATALOG.number(technology, parameter, 2025)


# -- member levers -----------------------------------------------------------------------------------------


def test_heat_pump_cop_from_catalog_for_heat_low_and_steam_only():
    c = cluster(member("chem", [power(1000), gas("heat_low", 8760), gas("steam", 8760), gas("heat_high", 8760)]))
    n = build(c, ["heat_pump"])
    assert units_of(n, "heat_pump") == ["chem|heat_pump:heat_low", "chem|heat_pump:steam"]
    # DEA 302.a (up to 125 C) COP 2.625 for heat_low, 302.b (up to 150 C) COP 3.0 for steam.
    assert ports_of(n, "chem|heat_pump:heat_low") == pytest.approx({"chem|electricity": -1 / 2.625, "chem|heat_low": 1.0})
    assert ports_of(n, "chem|heat_pump:steam") == pytest.approx({"chem|electricity": -1 / 3.0, "chem|steam": 1.0})
    assert n.units.loc["chem|heat_pump:steam", "technology"] == "industrial_heat_pump_high_temperature"
    assert capex(n, "chem|heat_pump:heat_low") == pytest.approx(CATALOG.capex("industrial_heat_pump_medium_temperature", 2025))
    assert n.units.loc["chem|heat_pump:heat_low", "lifetime"] == 20
    assert units_of(build(c, []), "heat_pump") == []


def test_electric_boiler_for_every_service_but_heat_high():
    c = cluster(member("chem", [power(1000), gas("heat_low", 8760), gas("steam", 8760), gas("heat_high", 8760)]))
    n = build(c, ["electric_boiler"])
    assert units_of(n, "electric_boiler") == ["chem|electric_boiler:heat_low", "chem|electric_boiler:steam"]
    assert ports_of(n, "chem|electric_boiler:steam") == pytest.approx({"chem|electricity": -1 / 0.99, "chem|steam": 1.0})
    assert units_of(build(c, ["heat_pump"]), "electric_boiler") == []


def test_biomass_only_with_a_supply_of_new_biomass():
    c = cluster(member("chem", [power(1000), gas("steam", 8760, efficiency=0.8), gas("heat_high", 8760)]))
    assert units_of(build(c, ["biomass"]), "biomass") == []  # no price, no supply: no lever
    supply = {"limit": {2025: "10 GWh", 2035: "30 GWh"}}
    n = build(c, ["biomass"], fuel_prices={"biomass": {2025: 30, 2035: 40}}, biomass_supply=supply)
    assert units_of(n, "biomass") == ["chem|biomass:heat_high", "chem|biomass:steam"]
    assert n.units.loc["chem|biomass:steam", "technology"] == "biomass_boiler_steam"
    assert n.units.loc["chem|biomass:heat_high", "technology"] == "solid_fuel_direct_firing"
    ports = ports_of(n, "chem|biomass:steam")
    assert ports["chem|new_biomass"] == pytest.approx(-1 / 0.8)  # at the incumbent's efficiency
    assert "chem|co2_flue" not in ports  # biogenic CO2 is outside the accounts
    assert 0 < ports["chem|scope1"] < 0.01  # CH4 and N2O of wood still count
    assert list(n.unit_period.loc["chem|buy:new_biomass", "vom"]) == pytest.approx([30.0, 40.0])
    limit = next(a for a in n.annual_limits if a.name == "biomass-supply")
    assert limit.units == ["chem|buy:new_biomass"] and list(limit.limit) == pytest.approx([10_000.0, 30_000.0])
    # Its own price, if given, is the new biomass's; without any price the build says what to add.
    own = build(c, ["biomass"], biomass_supply={**supply, "price": {2025: 50}})
    assert list(own.unit_period.loc["chem|buy:new_biomass", "vom"]) == pytest.approx([50.0, 50.0])
    assert units_of(build(c, [], biomass_supply=supply), "biomass") == []


def test_a_biomass_price_alone_offers_the_clusters_share_of_the_national_potential():
    """Belgium (biomass_potentials.csv, medium): 2020 18.5 + 6.9 + 13.4 + 6.6 + 7.2 = 52.6 PJ, 2030 43.4 PJ,
    2040 15.5 + 7.0 + 10.7 + 5.3 + 5.7 = 44.2 PJ: 48.0 PJ in 2025 and 43.8 in 2035 (the test's periods). Industry
    used 9,846.714 ktoe in 2024 (industry_final_energy.csv, x 11,630 MWh/ktoe). The chemicals member uses 1,000 MWh
    of power and 8,760 / 0.8 + 8,760 / 0.9 MWh of gas; a refinery is an energy industry, outside Eurostat's
    industry, and does not count."""
    chem = member("chem", [power(1000), gas("steam", 8760, efficiency=0.8), gas("heat_high", 8760)])
    refinery = member("refinery", [gas("steam", 50_000)], sector="refining")
    n = build(cluster(chem, refinery), ["biomass"], fuel_prices={"biomass": {2025: 30}})
    assert units_of(n, "biomass") == ["chem|biomass:heat_high", "chem|biomass:steam", "refinery|biomass:steam"]
    share = (1000 + 8760 / 0.8 + 8760 / 0.9) / (9_846.714 * 11_630)
    limit = next(a for a in n.annual_limits if a.name == "biomass-supply")
    assert list(limit.limit) == pytest.approx([48.0e9 / 3600 * share, 43.8e9 / 3600 * share])
    assert "biomass_potentials.csv" in limit.description
    # A supply without a limit takes the same default; the scenario's own limit replaces it.
    price_only = build(cluster(chem), ["biomass"], biomass_supply={"price": {2025: 30}})
    assert list(next(a for a in price_only.annual_limits if a.name == "biomass-supply").limit) == pytest.approx(
        list(limit.limit))


def test_a_country_without_a_shipped_potential_needs_the_scenarios_limit():
    c = cluster().model_copy(update={"country": "US"})  # no European potential to share
    assert units_of(build(c, ["biomass"], fuel_prices={"biomass": {2025: 30}}), "biomass") == []
    with pytest.raises(PlanningError, match="no biomass potential is shipped for US.*biomass_supply.limit"):
        build(c, ["biomass"], biomass_supply={"price": {2025: 30}})
    n = build(c, ["biomass"], biomass_supply={"price": {2025: 30}, "limit": {2025: "1 GWh"}})
    assert list(next(a for a in n.annual_limits if a.name == "biomass-supply").limit) == pytest.approx([1000.0] * 2)


def test_biomass_supply_without_a_price_says_what_to_add():
    c = cluster(member("chem", [power(1000), gas("steam", 8760)]))
    with pytest.raises(PlanningError, match="biomass_supply needs a price"):
        build(c, ["biomass"], biomass_supply={"limit": {2025: "1000 MWh"}})


def test_wood_burnt_today_keeps_its_market_apart_from_new_biomass():
    wood = {"service": "steam", "carrier": "wood", "equipment": "boiler", "efficiency": 0.8,
            "useful_energy": "8760 MWh"}
    c = cluster(member("mill", [power(1000), wood, gas("heat_low", 8760)]))
    n = build(c, ["biomass"], fuel_prices={"biomass": {2025: 30}}, biomass_supply={"limit": {2025: "1000 MWh"}})
    assert "mill|wood" in ports_of(n, "mill|today:steam:wood:1")
    limit = next(a for a in n.annual_limits if a.name == "biomass-supply")
    assert limit.units == ["mill|buy:new_biomass"]  # today's wood does not use up the new supply


def test_hydrogen_fuel_needs_the_network_and_pipeline_capex_scales_with_distance():
    near = member("near", [gas("steam", 8760)], km_north=10)
    far = member("far", [gas("heat_high", 8760, equipment="furnace", efficiency=0.8)], km_north=20)
    c = cluster(near, far)
    assert units_of(build(c, ["hydrogen_fuel"]), "hydrogen_fuel") == []
    n = build(c, ["hydrogen_fuel", "hydrogen_network"])
    assert units_of(n, "hydrogen_fuel") == ["far|hydrogen_fuel:heat_high", "near|hydrogen_fuel:steam"]
    assert ports_of(n, "near|hydrogen_fuel:steam") == pytest.approx({"near|hydrogen": -1 / 0.9, "near|steam": 1.0})
    assert ports_of(n, "far|hydrogen_fuel:heat_high") == pytest.approx({"far|hydrogen": -1 / 0.8, "far|heat_high": 1.0})
    assert n.units.loc["far|hydrogen_fuel:heat_high", "technology"] == "gas_direct_firing"
    assert ports_of(n, "near|h2-connection") == {f"{HUB}|hydrogen": -1.0, "near|hydrogen": 1.0}
    # Great-circle length: 20 km costs twice 10 km, each = catalog EUR/MW/km x km.
    assert capex(n, "far|h2-connection") == pytest.approx(2 * capex(n, "near|h2-connection"), rel=1e-9)
    assert capex(n, "near|h2-connection") == pytest.approx(10 * CATALOG.capex("h2_pipeline", 2025), rel=1e-6)


def test_member_at_the_hub_gets_a_pipeline_of_at_least_1_km():
    n = build(cluster(member("here", [gas("steam", 8760)])), ["hydrogen_fuel", "hydrogen_network"])
    assert capex(n, "here|h2-connection") == pytest.approx(CATALOG.capex("h2_pipeline", 2025))


def _emitters():
    # 200 GWh of heat from gas at 90 %: ~45 kt CO2 a year; plus 50 kt of process CO2.
    cement = member("cem", [gas("heat_high", 200_000, equipment="kiln")], sector="cement",
                    process=[{"source": "clinker", "amount": "50 kt"}])  # fmt: skip
    steel = member("steel", [gas("heat_high", 100_000, equipment="furnace")], sector="steel",
                   process=[{"source": "blast furnace", "amount": "30 kt"}])  # fmt: skip
    chem = member("chem", [gas("steam", 100_000)],
                  process=[{"source": "ammonia", "amount": "20 kt", "co2_concentration": "99 %"}])  # fmt: skip
    small = member("small", [gas("heat_low", 20_000)])  # ~4.5 kt scope 1: below the 12,500 t threshold
    site = {"id": "north", "name": "North Sea", "setting": "offshore", "distance": "100 km", "injection_capacity": "1 Mt"}
    return cluster(cement, steel, chem, small, co2_storage=[site])


def test_carbon_capture_only_for_large_emitters_with_the_sectors_retrofit_technology():
    c = _emitters()
    scope1 = Inventory(c).members["scope1_tco2e"]
    assert scope1["small"] < 12_500 <= scope1[["cem", "steel", "chem"]].min()
    assert units_of(build(c, ["carbon_capture"]), "carbon_capture") == []  # needs the CO2 network
    n = build(c, ["carbon_capture", "co2_network"])
    capture = n.units[n.units["lever"] == "carbon_capture"]["technology"].to_dict()
    # By the stream's CO2 share (docs/model.md 6.4): a kiln's flue is the cement class, a furnace's or boiler's the
    # dilute one (DEA 401.a); process CO2 by sector, or by the concentration given (ammonia's at 99 %).
    assert capture == {
        "cem|capture:co2_flue": "cement_capture", "cem|capture:co2_process": "cement_capture_retrofit",
        "steel|capture:co2_flue": "biomass_chp_capture", "steel|capture:co2_process": "steel_capture_retrofit",
        "chem|capture:co2_flue": "biomass_chp_capture", "chem|capture:co2_process": "ammonia_capture_retrofit",
    }  # fmt: skip
    assert not [u for u in n.units.index if u.startswith("small|") and ("capture" in u or "co2-connection" in u)]
    assert units_of(n, "co2_network") == sorted(["cem|co2-connection", "chem|co2-connection", "steel|co2-connection",
                                                 f"{HUB}|co2-storage:north"])  # fmt: skip


@pytest.mark.parametrize("unit, technology", [("cem|capture:co2_flue", "cement_capture"),
                                              ("steel|capture:co2_process", "steel_capture_retrofit")])  # fmt: skip
def test_capture_energy_is_per_tonne_captured(unit, technology):
    n = build(_emitters(), ["carbon_capture", "co2_network"])
    node, source = unit.split("|")[0], unit.split(":")[1]
    ports = ports_of(n, unit)
    rate = eff(technology, "capture_rate")
    assert ports[f"{node}|{source}"] == -1.0
    assert ports[f"{node}|co2_captured"] == pytest.approx(rate)
    electricity = eff(technology, "electricity-input") + (
        eff(technology, "compression-electricity-input") if CATALOG.has(technology, "compression-electricity-input") else 0)
    assert -ports[f"{node}|electricity"] / ports[f"{node}|co2_captured"] == pytest.approx(electricity)
    if CATALOG.has(technology, "heat-input"):
        assert -ports[f"{node}|steam"] / rate == pytest.approx(eff(technology, "heat-input"))
    # What is not captured is emitted (plus CH4/N2O of any gas the capture burns).
    assert ports[f"{node}|scope1"] >= 1 - rate - 1e-12
    # Capex per t/h treated = catalog per t/h captured x capture rate.
    assert capex(n, unit) == pytest.approx(CATALOG.capex(technology, 2025) * rate)


def test_capture_steam_for_a_member_without_steam_comes_from_a_new_boiler():
    n = build(_emitters(), ["carbon_capture", "co2_network", "electric_boiler"])
    assert "cem|steam" in n.buses.index and "cem|gas-boiler:steam" in n.units.index
    assert "cem|electric_boiler:steam" in n.units.index
    assert n.units.loc["cem|gas-boiler:steam", "extendable"]
    assert n.unit_period.loc["cem|gas-boiler:steam", "existing"].eq(0).all()


def _storage_cost(item: str, year: int) -> float:
    rows = reference.table("infrastructure_costs")
    rows = rows[(rows["item"] == item) & rows["unit"].astype(str).str.startswith("EUR")]
    parameters = {"investment", "FOM", "VOM_excl_energy", "VOM_energy", "pre_FID_cost", "decommissioning",
                  "post_closure_monitoring_20y"}  # fmt: skip
    assert parameters <= set(rows["parameter"]), f"DEA items of {item}: {sorted(set(rows['parameter']))}"
    per_year = rows.groupby("year")["value"].sum()
    return float(np.interp(year, per_year.index, per_year.values))


@pytest.mark.parametrize("setting, injection, item", [
    ("offshore", "1 Mt", "co2_storage_offshore_depleted_field_1mtpa"),
    ("onshore", "2 Mt", "co2_storage_onshore_3mtpa"),
    ("onshore", "8 Mt", "co2_storage_onshore_5mtpa"),
])  # fmt: skip
def test_co2_storage_site_cost_per_tonne_and_injection_limit(setting, injection, item):
    cem = member("cem", [gas("heat_high", 200_000, equipment="kiln")], sector="cement")
    site = {"id": "s", "name": "Site S", "setting": setting, "distance": "50 km", "injection_capacity": injection}
    # Linear plans (no economies of scale) price a tonne at the site's injection capacity; otherwise the price
    # follows what the site injects (test_build_costs.py).
    n = build(cluster(cem, co2_storage=[site]), ["carbon_capture", "co2_network"], periods=[2025, 2040],
              economies_of_scale=False)
    unit = f"{HUB}|co2-storage:s"
    assert ports_of(n, unit) == {f"{HUB}|co2": -1.0}
    assert n.units.loc[unit, "cost_kind"] == "co2_storage"
    vom = n.unit_period.loc[unit, "vom"]
    # The DEA prices storage in EUR of 2020; the plan is in EUR of 2025 (the catalog's price year).
    assert vom[2025] == pytest.approx(_storage_cost(item, 2025) * EUR_2020_TO_2025, rel=1e-9)
    assert vom[2040] == pytest.approx(_storage_cost(item, 2040) * EUR_2020_TO_2025, rel=1e-9)
    (limit,) = n.annual_limits
    tonnes = float(injection.split()[0]) * 1e6
    assert limit.units == [unit] and list(limit.limit) == [tonnes, tonnes]
    assert "Site S" in limit.description


def test_co2_network_without_a_storage_site_is_a_planning_error():
    cem = member("cem", [gas("heat_high", 200_000, equipment="kiln")], sector="cement")
    with pytest.raises(PlanningError, match="co2_storage"):
        build(cluster(cem), ["carbon_capture", "co2_network"])
    assert not build(cluster(cem), ["carbon_capture"]).annual_limits


# -- shared infrastructure on the hub -----------------------------------------------------------------------


def test_electrolysis_on_the_hub_with_waste_heat_only_with_a_heat_network():
    h2 = member("h2user", [hydrogen_feedstock(8760), gas("heat_low", 8760)])
    c = cluster(h2)
    n = build(c, ["hydrogen_network", "electrolysis"])
    assert ports_of(n, f"{HUB}|electrolysis") == pytest.approx({f"{HUB}|electricity": -1.0, f"{HUB}|hydrogen": 0.5874})
    n = build(c, ["hydrogen_network", "electrolysis", "heat_network"])
    assert ports_of(n, f"{HUB}|electrolysis") == pytest.approx(
        {f"{HUB}|electricity": -1.0, f"{HUB}|hydrogen": 0.5874, f"{HUB}|heat_low": 0.264})
    assert f"{HUB}|heat-release" in n.units.index  # surplus waste heat may be dumped
    assert f"{HUB}|electrolysis" not in build(c, ["hydrogen_network"]).units.index
    # Without any hydrogen user the hub has no hydrogen bus, and no electrolyser.
    assert f"{HUB}|electrolysis" not in build(cluster(member("x", [gas("heat_low", 8760)])), ["electrolysis"]).units.index


def test_smr_with_capture_on_the_hub():
    site = {"id": "s", "name": "S", "distance": "50 km", "injection_capacity": "1 Mt"}
    c = cluster(member("h2user", [hydrogen_feedstock(8760)]), co2_storage=[site])
    assert f"{HUB}|smr-ccs" not in build(c, ["hydrogen_network", "smr_ccs"]).units.index
    n = build(c, ["hydrogen_network", "smr_ccs", "co2_network"])
    factors = reference.fuel_factors("natural_gas", "energy_industries")
    gwp = reference.gwp100()
    co2 = factors["co2_kg_per_tj"] * 0.0036 / 1000
    other = (factors["ch4_kg_per_tj"] * gwp["ch4_fossil"] + factors["n2o_kg_per_tj"] * gwp["n2o"]) * 0.0036 / 1000
    assert ports_of(n, f"{HUB}|smr-ccs") == pytest.approx({
        f"{HUB}|natural_gas": -1.0, f"{HUB}|hydrogen": 0.69, f"{HUB}|co2": 0.9 * co2,
        f"{HUB}|scope1": 0.1 * co2 + other,
    })  # fmt: skip


def test_hydrogen_storage_tank():
    c = cluster(member("h2user", [hydrogen_feedstock(8760)]))
    n = build(c, ["hydrogen_network", "hydrogen_storage"])
    store = n.stores.loc[f"{HUB}|h2-storage"]
    assert store["bus"] == f"{HUB}|hydrogen"
    assert (store["eta_charge"], store["eta_discharge"], store["standing_loss"]) == (1.0, 1.0, 0.0)
    period = n.store_period.loc[(f"{HUB}|h2-storage", 2025)]
    assert period["capex_energy"] == pytest.approx(CATALOG.capex("h2_storage_tank", 2025))
    assert period["capex_power"] == 0
    assert build(c, ["hydrogen_network"]).stores.empty


@pytest.mark.parametrize("mw, km, per_mw_m, loss_per_km", [
    (10, 10, 25, 0.03),  # <= 20 MW: smallest pipe, 3 %/km
    (30, 10, 25, 0.01),  # <= 50 MW pipe class, 20-100 MW loss class
    (60, 10, 12, 0.01),  # 50-100 MW pipe
    (150, 20, 9, 0.005),  # 100-250 MW pipe, 0.5 %/km
])  # fmt: skip
def test_heat_network_pipe_class_and_loss_by_peak(mw, km, per_mw_m, loss_per_km):
    c = cluster(member("m", [gas("heat_low", mw * 8760)], km_north=km))
    n = build(c, ["heat_network"])
    unit = "m|heat-connection"
    assert ports_of(n, unit) == pytest.approx({f"{HUB}|heat_low": -1.0, "m|heat_low": 1 - loss_per_km * km,
                                               f"{HUB}|electricity": -0.02})  # fmt: skip
    # EUR2015 per MW per metre, brought to EUR of 2025 (the plan's price year) by the HICP.
    assert capex(n, unit) == pytest.approx(per_mw_m * 1000 * km * EUR_2015_TO_2025, rel=1e-6)
    assert n.units.loc[unit, "lifetime"] == 40
    assert unit not in build(c, []).units.index


def test_heat_network_only_for_heat_low():
    n = build(cluster(member("m", [gas("steam", 8760)])), ["heat_network", "geothermal"], )
    assert units_of(n, "heat_network") == [] and f"{HUB}|heat_low" not in n.buses.index


def test_geothermal_large_heat_pump_and_heat_storage_on_the_hub_heat():
    c = cluster(member("m", [gas("heat_low", 8760)], km_north=2), geothermal="15 MW")
    n = build(c, ["heat_network", "geothermal", "large_heat_pump", "heat_storage"])
    assert ports_of(n, f"{HUB}|geothermal") == {f"{HUB}|heat_low": 1.0}
    assert n.units.loc[f"{HUB}|geothermal", "capacity_max"] == 15.0
    assert ports_of(n, f"{HUB}|large_heat_pump:heat_low") == pytest.approx(
        {f"{HUB}|electricity": -1 / 3.15, f"{HUB}|heat_low": 1.0})
    tank = n.stores.loc[f"{HUB}|heat-storage"]
    assert tank["bus"] == f"{HUB}|heat_low"
    assert tank["standing_loss"] == pytest.approx(0.0077 / 100)
    # Without the heat network nothing sits on the hub heat bus.
    bare = build(c, ["geothermal", "large_heat_pump", "heat_storage"])
    assert f"{HUB}|heat_low" not in bare.buses.index and bare.stores.empty
    assert not [u for u in bare.units.index if u.startswith(f"{HUB}|") and "heat" in u or "geothermal" in u]
    # Without a geothermal resource, no geothermal unit.
    no_resource = cluster(member("m", [gas("heat_low", 8760)], km_north=2))
    assert f"{HUB}|geothermal" not in build(no_resource, ["heat_network", "geothermal"]).units.index


@pytest.mark.parametrize("lever, technology, flh", [("solar_pv", "solar_utility", 950),
                                                    ("onshore_wind", "onshore_wind", 2500),
                                                    ("offshore_wind", "offshore_wind", 4000)])  # fmt: skip
@pytest.mark.parametrize("days", [1, 3])
def test_renewable_profile_is_scaled_to_full_load_hours(lever, technology, flh, days):
    # Offshore wind needs its cable length to be planned (its grid connection is priced per km).
    site = {"distance_to_shore": "30 km"} if lever == "offshore_wind" else {}
    c = cluster(renewables=[{"type": lever, "potential": "40 MW", "full_load_hours": flh, **site}])
    n = build(c, [lever], typical_days=days)
    unit = f"{HUB}|{lever}"
    assert ports_of(n, unit) == {f"{HUB}|electricity": 1.0}
    assert n.units.loc[unit, "technology"] == technology
    assert n.units.loc[unit, "capacity_max"] == 40.0
    profile = n.profiles.sel(profile=n.units.loc[unit, "profile"])
    weighted_mean = float((profile * n.day_weight).sum()) / 8760
    assert weighted_mean == pytest.approx(flh / 8760, rel=1e-6)
    assert float(profile.max()) <= 1 + 1e-9 and float(profile.min()) >= 0
    assert unit not in build(c, []).units.index


def test_renewable_without_full_load_hours_is_a_planning_error():
    c = cluster(renewables=[{"type": "solar_pv", "potential": "40 MW"}])
    with pytest.raises(PlanningError, match="full_load_hours"):
        build(c, ["solar_pv"])
    build(c, [])  # not offered: no need for it


def test_battery_store_with_inverter_efficiency_both_ways():
    c = cluster()
    n = build(c, ["battery"])
    store = n.stores.loc[f"{HUB}|battery"]
    assert store["bus"] == f"{HUB}|electricity"
    assert store["eta_charge"] == store["eta_discharge"] == pytest.approx(math.sqrt(0.955))  # round trip 0.955
    assert store["standing_loss"] == 0 and store["lifetime"] == CATALOG.lifetime("battery_storage")
    period = n.store_period.loc[(f"{HUB}|battery", 2025)]
    assert period["capex_energy"] == pytest.approx(CATALOG.capex("battery_storage", 2025))
    assert period["capex_power"] > 0
    assert build(c, []).stores.empty


def test_direct_air_capture_is_a_removal_on_the_hub():
    site = {"id": "s", "name": "S", "distance": "50 km", "injection_capacity": "1 Mt"}
    c = cluster(co2_storage=[site])
    n = build(c, ["direct_air_capture", "co2_network"])
    assert ports_of(n, f"{HUB}|direct-air-capture") == pytest.approx({
        f"{HUB}|electricity": -(0.4 + 0.15), f"{HUB}|heat_low": -1.6, f"{HUB}|co2": 1.0, f"{HUB}|scope1": -1.0,
    })  # fmt: skip
    assert n.units.loc[f"{HUB}|direct-air-capture", "capacity_unit"] == "tCO2/h"
    # Its heat comes from the hub heat bus, which exists for it.
    assert f"{HUB}|heat-release" in n.units.index
    assert f"{HUB}|direct-air-capture" not in build(c, ["direct_air_capture"]).units.index


# -- members' wastewater and waste, and the hub plants that take them --------------------------------------

# IPCC 2006 Vol. 5 Ch. 6: B0 = 0.25 t CH4/t COD, MCF 0.8 for an anaerobic reactor; AR6 non-fossil CH4 GWP100 27.0.
CH4_TCO2E_PER_T_COD = 0.25 * 0.8 * 27.0
# Methane a tonne of COD yields in the shared reactor, MWh: B0 x MCF x 50.4 GJ/t (IPCC biogas NCV) / 3.6 GJ/MWh.
BIOGAS_MWH_PER_T_COD = 0.25 * 0.8 * 50.4 / 3.6


def wastewater(cod_t: float, treatment: str = "anaerobic", recovered: str = "0 %") -> dict:
    return {"amount": "0.5 Mm3", "cod": f"{cod_t} t", "treatment": treatment, "methane_recovered": recovered}


def food_member(*streams: dict, demands=None) -> dict:
    food = member("food", demands or [power(1000)], sector="food", km_north=2)
    food["wastewater"] = list(streams)
    return food


def test_wastewater_methane_is_a_constant_of_the_member_as_in_the_inventory():
    c = cluster(food_member(wastewater(1000), wastewater(400, recovered="75 %"), wastewater(500, "aerobic")))
    n = build(c, [])
    constant = float(n.emission_constant.sel(bus="food|scope1", period=2035))
    assert constant == pytest.approx((1000 + 400 * 0.25) * CH4_TCO2E_PER_T_COD)
    assert constant == pytest.approx(Inventory(c).members.loc["food", "scope1_tco2e"])
    assert units_of(n, "collection") == [] and units_of(n, "wastewater_treatment") == []


def test_wastewater_connection_avoids_the_methane_of_what_it_sends():
    c = cluster(food_member(wastewater(1000), wastewater(400, recovered="75 %"), wastewater(500, "aerobic")))
    n = build(c, ["wastewater_treatment"])
    # Only streams whose treatment emits go; each sends the same share, so a tonne avoids the load-weighted average.
    assert ports_of(n, "food|wastewater-connection") == pytest.approx(
        {f"{HUB}|cod": 1.0, "food|scope1": -(1000 + 100) * CH4_TCO2E_PER_T_COD / 1400})
    assert not n.units.loc["food|wastewater-connection", "extendable"]
    assert n.unit_period.loc[("food|wastewater-connection", 2025), "existing"] == pytest.approx(1400 / 8760)
    assert n.units.loc["food|wastewater-connection", "capacity_unit"] == "tCOD/h"


def test_shared_wastewater_plant_turns_cod_into_biogas_for_a_chp():
    n = build(cluster(food_member(wastewater(1000))), ["wastewater_treatment"])
    plant = f"{HUB}|wastewater-treatment"
    assert ports_of(n, plant) == pytest.approx({f"{HUB}|cod": -1.0, f"{HUB}|biogas": BIOGAS_MWH_PER_T_COD})
    assert n.units.loc[plant, "capacity_unit"] == "tCOD/h"
    # The catalog's digester costs per MW of biogas; per t/h of COD it costs the biogas a tonne yields.
    assert capex(n, plant) == pytest.approx(CATALOG.capex("biogas_plant", 2025) * BIOGAS_MWH_PER_T_COD)
    assert n.units.loc[plant, "lifetime"] == 20
    # Biogas is biogenic: the CHP and the flare emit only its CH4 and N2O (IPCC other biogas, energy industries).
    other = (1 * 27.0 + 0.1 * 273) * 0.0036 / 1000
    assert ports_of(n, f"{HUB}|biogas-chp") == pytest.approx({
        f"{HUB}|biogas": -1 / eff("gas_chp"), f"{HUB}|electricity": 1.0, f"{HUB}|scope1": other / eff("gas_chp")})
    assert capex(n, f"{HUB}|biogas-chp") == pytest.approx(CATALOG.capex("gas_chp", 2025))
    assert ports_of(n, f"{HUB}|biogas-flare") == pytest.approx({f"{HUB}|biogas": -1.0, f"{HUB}|scope1": other})
    assert n.units.loc[f"{HUB}|biogas-flare", "unlimited"]


def test_biogas_chp_heat_goes_to_the_hub_heat_network_when_there_is_one():
    c = cluster(food_member(wastewater(1000), demands=[power(1000), gas("heat_low", 8760)]))
    n = build(c, ["wastewater_treatment", "heat_network"])
    # Heat per MWh of electricity 1 / c_b, the catalog's back-pressure coefficient (0.98 in 2025).
    assert ports_of(n, f"{HUB}|biogas-chp")[f"{HUB}|heat_low"] == pytest.approx(1 / 0.98)
    assert f"{HUB}|heat_low" not in ports_of(build(c, ["wastewater_treatment"]), f"{HUB}|biogas-chp")


# IPCC 2006 Vol. 2 (fuels.csv, energy industries): municipal waste, non-biomass fraction NCV 10 GJ/t and 91.7 t CO2/TJ;
# biomass fraction NCV 11.6 GJ/t, CO2 biogenic; both CH4 30 and N2O 4 kg/TJ. AR6 GWP100 CH4 29.8 fossil, 27.0 not.
PLASTIC_MWH_PER_T, PAPER_MWH_PER_T = 10 / 3.6, 11.6 / 3.6


def waste(kind: str, tonnes: float, treatment: str = "landfill") -> dict:
    return {"kind": kind, "amount": f"{tonnes} t", "treatment": treatment}


def packer(*streams: dict, demands=None) -> dict:
    pack = member("pack", demands or [power(20_000)], km_north=3)
    pack["waste"] = list(streams)
    return pack


def test_waste_connection_sends_plastic_and_paper_at_their_ipcc_fractions():
    c = cluster(packer(waste("plastic", 4380), waste("paper_cardboard", 4380, "incineration"),
                       waste("plastic", 1000, "recycling"), waste("metal", 500), waste("organic", 800)))  # fmt: skip
    n = build(c, ["waste_to_energy"])
    # Half a tonne of each per tonne sent; recycled plastic, metal and organic waste stay where they go today.
    plastic, paper = PLASTIC_MWH_PER_T / 2, PAPER_MWH_PER_T / 2
    tj = 0.0036
    assert ports_of(n, "pack|waste-connection") == pytest.approx({
        f"{HUB}|waste": plastic + paper,
        f"{HUB}|co2_flue": plastic * tj * 91.7,
        f"{HUB}|scope1": plastic * tj * (0.030 * 29.8 + 0.004 * 273) + paper * tj * (0.030 * 27.0 + 0.004 * 273),
    })  # fmt: skip
    assert n.unit_period.loc[("pack|waste-connection", 2025), "existing"] == pytest.approx(1.0)  # 8,760 t/yr
    assert not n.units.loc["pack|waste-connection", "extendable"]
    # Fossil CO2 at the hub is vented to its scope 1 (no capture on the hub's flue).
    assert ports_of(n, f"{HUB}|vent") == {f"{HUB}|co2_flue": -1.0, f"{HUB}|scope1": 1.0}
    assert units_of(build(c, []), "collection") == []


def test_waste_chp_on_the_hub_from_the_catalog():
    c = cluster(packer(waste("paper_cardboard", 8760), demands=[power(20_000), gas("heat_low", 8760)]))
    n = build(c, ["waste_to_energy"])
    chp = f"{HUB}|waste-chp"
    # DEA "08 WtE CHP, large" via technology-data: electric efficiency 0.2051, heat 0.7627 per MWh of waste.
    assert ports_of(n, chp) == pytest.approx({f"{HUB}|waste": -1 / 0.2051, f"{HUB}|electricity": 1.0})
    assert capex(n, chp) == pytest.approx(CATALOG.capex("waste_chp", 2025))
    assert float(n.unit_period.loc[(chp, 2025), "vom"]) == pytest.approx(CATALOG.vom("waste_chp", 2025))
    assert n.units.loc[chp, "lifetime"] == 25 and n.units.loc[chp, "lever"] == "waste_to_energy"
    with_network = build(c, ["waste_to_energy", "heat_network"])
    assert ports_of(with_network, chp)[f"{HUB}|heat_low"] == pytest.approx(0.7627 / 0.2051)
    assert f"{HUB}|co2_flue" not in with_network.buses.index  # paper's CO2 is biogenic


def test_waste_without_a_sourced_ncv_or_already_recovered_is_not_sent():
    c = cluster(packer(waste("municipal_solid_waste", 5000), waste("hazardous", 500, "incineration"),
                       waste("plastic", 800, "energy_recovery"),
                       waste("paper_cardboard", 800, "recycling")))  # fmt: skip
    n = build(c, ["waste_to_energy"])
    assert units_of(n, "collection") == [] and units_of(n, "waste_to_energy") == []


# -- today's equipment, merchant hydrogen, economies of scale, caps --------------------------------------------


def test_todays_equipment_retires_linearly_over_its_lifetime():
    c = cluster(member("chem", [gas("steam", 8760 * 4)]))
    n = build(c, [], periods=[2023, 2030, 2040, 2050])
    life = CATALOG.lifetime("gas_boiler_steam")
    assert life == 25
    existing = n.unit_period.loc["chem|today:steam:natural_gas:0", "existing"]
    expected = [4 * max(0.0, 1 - (y - BASE_YEAR) / life) for y in (2023, 2030, 2040, 2050)]
    assert list(existing) == pytest.approx(expected)
    assert existing[2050] == 0 and n.units.loc["chem|today:steam:natural_gas:0", "extendable"]


def test_direct_use_does_not_retire_and_cannot_be_rebuilt():
    direct = {"service": "heat_high", "carrier": "natural_gas", "final_energy": "8760 MWh"}
    n = build(cluster(member("chem", [direct])), [], periods=[2025, 2050])
    unit = "chem|today:heat_high:natural_gas:0"
    assert list(n.unit_period.loc[unit, "existing"]) == pytest.approx([1.0, 1.0])
    assert not n.units.loc[unit, "extendable"]


def test_merchant_hydrogen_for_a_member_buying_hydrogen():
    c = cluster(member("h2user", [hydrogen_feedstock(8760 * 2)]))
    with pytest.raises(PlanningError, match="hydrogen_network"):
        build(c, [])
    n = build(c, ["hydrogen_network"], periods=[2025, 2035])
    smr = f"{HUB}|merchant-smr"
    eta, life = 0.76, CATALOG.lifetime("smr")
    assert ports_of(n, smr)[f"{HUB}|hydrogen"] == pytest.approx(eta)
    expected = [2 / eta * (1 - (y - BASE_YEAR) / life) for y in (2025, 2035)]
    assert list(n.unit_period.loc[smr, "existing"]) == pytest.approx(expected)
    assert list(n.unit_period.loc["h2user|h2-connection", "existing"]) == pytest.approx([2.0, 2.0])
    assert ports_of(n, f"{HUB}|vent") == {f"{HUB}|co2_flue": -1.0, f"{HUB}|scope1": 1.0}
    # The cap's baseline includes the merchant reformer's emissions, booked outside the members' scopes.
    ports = ports_of(n, smr)
    per_mwh_gas = ports[f"{HUB}|co2_flue"] + ports[f"{HUB}|scope1"]
    merchant = 2 / eta * per_mwh_gas * 8760
    inventory = float(Inventory(c).members["scope1_tco2e"].sum())
    (cap,) = n.caps
    assert cap.limit[2025] == pytest.approx((inventory + merchant) * (2050 - 2025) / (2050 - BASE_YEAR))


def test_economies_of_scale_switch_fills_the_size_classes():
    c = cluster(member("h2user", [hydrogen_feedstock(8760)]))
    levers = ["hydrogen_network", "electrolysis"]
    scaled = build(c, levers, economies_of_scale=True)
    assert scaled.scale is not None
    assert set(scaled.scale.index.get_level_values("unit")) == {f"{HUB}|electrolysis"}
    assert set(scaled.scale.index.get_level_values("period")) == {2025, 2035}
    assert build(c, levers, economies_of_scale=False).scale is None


def test_economies_of_scale_for_an_onshore_co2_trunk():
    cem = member("cem", [gas("heat_high", 200_000, equipment="kiln")], sector="cement")
    site = {"id": "s", "name": "S", "setting": "onshore", "distance": "50 km", "injection_capacity": "1 Mt"}
    c = cluster(cem, co2_storage=[site])
    scaled = build(c, ["carbon_capture", "co2_network"], economies_of_scale=True)
    assert set(scaled.scale.index.get_level_values("unit")) == {f"{HUB}|co2-storage:s"}
    assert build(c, ["carbon_capture", "co2_network"], economies_of_scale=False).scale is None


def _two_members():
    return cluster(member("chem", [power(1000), gas("steam", 20_000)], process=[{"source": "nitric acid", "gas": "n2o",
                                                                                   "amount": "2 t"}]),
                   member("boil", [gas("heat_low", 10_000)]))  # fmt: skip


@pytest.mark.parametrize("target_year", [2040, 2050])
def test_cluster_cap_falls_linearly_from_the_inventory_to_zero(target_year):
    c = _two_members()
    periods = [2025, 2030, 2035, 2040, 2045, 2050]
    n = build(c, [], periods=periods, target_year=target_year)
    (cap,) = n.caps
    baseline = float(Inventory(c).members["scope1_tco2e"].sum())
    assert baseline > 0
    expected = [baseline * max(0.0, (target_year - y) / (target_year - BASE_YEAR)) for y in periods]
    assert list(cap.limit) == pytest.approx(expected)
    assert cap.limit[target_year] == 0
    assert sorted(cap.buses) == ["boil|scope1", "chem|scope1"]


def test_scope_1_and_2_cap_baseline_adds_scope_2():
    c = _two_members()
    n = build(c, [], cap_scopes=[1, 2], periods=[2030])
    inventory = Inventory(c).members
    baseline = float(inventory["scope1_tco2e"].sum() + inventory["scope2_tco2e"].sum())
    (cap,) = n.caps
    assert cap.limit[2030] == pytest.approx(baseline * 20 / 27)
    assert {"chem|scope2", "chem|scope1", "boil|scope1"} <= set(cap.buses)


def test_member_caps_one_per_node_with_its_own_baseline():
    c = _two_members()
    n = build(c, [], target="member_caps", periods=[2025, 2035])
    caps = {cap.name: cap for cap in n.caps}
    assert set(caps) == {"chem", "boil"}
    scope1 = Inventory(c).members["scope1_tco2e"]
    for name, cap in caps.items():
        assert cap.buses == [f"{name}|scope1"]
        assert cap.limit[2025] == pytest.approx(scope1[name] * 25 / 27)
        assert cap.limit[2035] == pytest.approx(scope1[name] * 15 / 27)


def test_member_caps_give_the_hub_its_own_cap_of_zero():
    site = {"id": "s", "name": "S", "distance": "50 km", "injection_capacity": "1 Mt"}
    c = cluster(member("chem", [gas("steam", 20_000)]), co2_storage=[site])
    n = build(c, ["direct_air_capture", "co2_network"], target="member_caps")
    caps = {cap.name: cap for cap in n.caps}
    assert set(caps) == {"chem", "shared infrastructure"}
    assert caps["shared infrastructure"].buses == [f"{HUB}|scope1"]
    assert list(caps["shared infrastructure"].limit) == [0.0, 0.0]


def test_carbon_price_only_has_no_cap_and_prices_scope_1():
    n = build(_two_members(), [], target="carbon_price_only", carbon_price={2025: 100, 2035: 200})
    assert n.caps == []
    assert list(n.carbon_price) == pytest.approx([100.0, 200.0])
    priced = n.buses.index[n.buses["priced"]]
    assert set(priced) == set(n.buses.index[n.buses["carrier"] == "scope1"])


def test_scenario_money_is_converted_to_the_cluster_currency():
    usd = _two_members().model_copy(update={"currency": "USD"})
    eur_net = build(_two_members(), [], electricity_price={2025: 100})
    usd_net = build(usd, [], electricity_price={2025: 100})
    eur_price = eur_net.unit_period.loc[("chem|buy:electricity", 2025), "vom"]
    usd_price = usd_net.unit_period.loc[("chem|buy:electricity", 2025), "vom"]
    assert eur_price == pytest.approx(100)
    assert usd_price > 100  # 100 EUR buys more than 100 USD


def test_a_product_sold_outside_has_its_own_bus_and_a_sale_up_to_todays_amount():
    made = {"service": "electricity", "carrier": "natural_gas", "equipment": "other", "efficiency": 0.5,
            "final_energy": "17520 MWh", "sold": True, "sale_price": {2025: 60, 2035: 80}}  # fmt: skip
    engine = {"service": "electricity", "carrier": "diesel", "equipment": "engine", "efficiency": 0.4,
              "final_energy": "1000 MWh"}  # fmt: skip
    n = build(cluster(member("plant", [made, engine], sector="power")), [])
    assert ports_of(n, "plant|sell:electricity:0") == {"plant|electricity_sold": -1.0}
    assert ports_of(n, "plant|today:electricity:natural_gas:0")["plant|electricity_sold"] == 1.0
    assert list(n.unit_period.loc["plant|sell:electricity:0", "vom"]) == pytest.approx([-60.0, -80.0])
    assert list(n.unit_period.loc["plant|sell:electricity:0", "existing"]) == pytest.approx([1.0, 1.0])
    assert n.units.loc["plant|sell:electricity:0", "cost_kind"] == "sales"
    assert not n.units.loc["plant|sell:electricity:0", "extendable"]
    # Only the engine's 400 MWh are the member's own electricity, and only its diesel is today's scope 1 of it.
    assert n.demand.sel(bus="plant|electricity").isel(period=0, day=0, hour=0) == pytest.approx(400 / 8760)
    assert "plant|electricity_sold" not in [b for b, v in zip(n.demand.indexes["bus"], n.demand.max(
        ["period", "day", "hour"]).values, strict=True) if v != 0]  # fmt: skip
    incumbent = n.meta["incumbent"].xs(2025, level="period")
    diesel = 1000 * 0.0036 * (74.1 + 0.003 * 29.8 + 0.0006 * 273)  # IPCC energy industries, gas/diesel oil
    assert incumbent.loc[("plant", "electricity"), "scope1_tco2e"] == pytest.approx(diesel)
    assert incumbent.loc[("plant", "electricity"), "useful_mwh"] == pytest.approx(400)
