"""Catalog fidelity of the network builder (issue 15): units, bases and years of the catalog's figures.

Each expected number is written out from the catalog row it comes from (PyPSA technology-data v0.14.0 in
technologies.csv, EUR of 2025) and plain arithmetic, so that a regression in how the builder reads a row shows.
"""

from __future__ import annotations

import copy

import pytest

from clusterpath.pathway.build import NetworkBuilder
from clusterpath.pathway.errors import PlanningError
from clusterpath.pathway.hub import HUB
from clusterpath.pathway.money import PriceYearError, price_level
from clusterpath.schema import Cluster
from clusterpath.schema.scenario import Scenario

LAT, LON = 51.3, 4.3
BASE_YEAR = 2023


def cluster(*members: dict, **resources) -> Cluster:
    data = {
        "id": "tiny", "name": "Tiny cluster", "country": "BE", "location": {"lat": LAT, "lon": LON}, "kind": "port",
        "currency": "EUR", "base_year": BASE_YEAR, "discount_rate": 0.05,
        "grid": {"emission_factor": {BASE_YEAR: "0.2 tCO2e/MWh"}, "electricity_price": {BASE_YEAR: 80}},
        "resources": resources, "members": list(members),
    }  # fmt: skip
    return Cluster.model_validate(copy.deepcopy(data))


def member(mid: str, demands, sector: str = "chemicals") -> dict:
    return {"id": mid, "name": mid.title(), "sector": sector, "value_added": 1e7, "jobs": 10,
            "location": {"lat": LAT, "lon": LON}, "demands": list(demands)}  # fmt: skip


def build(c: Cluster, levers=(), periods=(2025, 2035), **kw):
    s = Scenario(**{"name": "test", "periods": list(periods), "typical_days": 1, "levers": list(levers), **kw})
    return NetworkBuilder(c, s).build()


def capex(network, unit: str, period: int = 2025) -> float:
    return float(network.unit_period.loc[(unit, period), "capex"])


# -- item 5: a member's steam reformer is sized per MW of hydrogen, the catalog prices it per MW of gas --------------
def test_member_reformer_is_priced_per_mw_of_hydrogen():
    reformer = {"service": "hydrogen_feedstock", "carrier": "natural_gas", "equipment": "steam_methane_reformer",
                "efficiency": 0.72, "useful_energy": "100000 MWh"}  # fmt: skip
    n = build(cluster(member("ammonia", [reformer])))
    unit = "ammonia|today:hydrogen_feedstock:natural_gas:0"
    # technologies.csv: smr investment 659,179.2942 EUR/MW_CH4 (2025); per MW of hydrogen at 0.72: / 0.72.
    assert capex(n, unit) == pytest.approx(659_179.2942 / 0.72)  # 915,526 EUR per MW of hydrogen
    # The hub's merchant reformer keeps gas as its reference flow, so its capex stays per MW of gas.
    bought = {"service": "hydrogen_feedstock", "carrier": "hydrogen", "final_energy": "100000 MWh"}
    hub = build(cluster(member("refinery", [bought])), levers=["hydrogen_network"])
    assert capex(hub, f"{HUB}|merchant-smr") == pytest.approx(659_179.2942)


# -- item 6: equipment `other` is replaced by what serves the same service -------------------------------------------
@pytest.mark.parametrize(
    ("service", "carrier", "technology", "capex_per_mw", "lifetime"),
    [
        # technologies.csv 2025: CCGT 1142.1117 EUR/kW, 25 years; gas boiler steam 63.3068 EUR/kW, 25 years;
        # direct firing gas 18.992 EUR/kW, 15 years; coal CHP 2511.6271 EUR/kW.
        ("electricity", "natural_gas", "ccgt", 1_142_111.7, 25.0),
        ("steam", "natural_gas", "gas_boiler_steam", 63_306.8, 25.0),
        ("heat_high", "natural_gas", "gas_direct_firing", 18_992.0, 15.0),
        ("electricity", "coal_bituminous", "coal_chp", 2_511_627.1, None),
    ],
)
def test_other_equipment_is_replaced_by_what_serves_its_service(service, carrier, technology, capex_per_mw, lifetime):
    plant = {"service": service, "carrier": carrier, "equipment": "other", "efficiency": 0.56,
             "final_energy": "5.5 TWh"}  # fmt: skip
    n = build(cluster(member("power", [plant], sector="power")))
    unit = f"power|today:{service}:{carrier}:0"
    assert n.units.loc[unit, "technology"] == technology
    assert capex(n, unit) == pytest.approx(capex_per_mw)
    if lifetime is not None:
        assert n.units.loc[unit, "lifetime"] == lifetime


# -- item 4: offshore wind pays its grid connection, per site --------------------------------------------------------
def _crf(rate: float, years: float) -> float:
    return rate / (1 - (1 + rate) ** -years)


def test_offshore_wind_adds_its_grid_connection_per_site():
    site = {"type": "offshore_wind", "potential": "2 GW", "full_load_hours": 3800, "distance_to_shore": "45 km",
            "landfall_distance": "10 km"}  # fmt: skip
    n = build(cluster(member("chem", [{"service": "electricity", "carrier": "electricity", "final_energy": "1000 MWh"}]),
                      renewables=[site]), levers=["offshore_wind"])  # fmt: skip
    # technologies.csv 2025 (EUR2025): offwind 2224.3721 EUR/kW_e (grid connection subtracted), 30 years, FOM 2.3741 %;
    # offwind-ac-station 850 EUR/kWel, 40 years, FOM 1.5 %; AC submarine and underground cable 4510 EUR/MW/km each,
    # 40 years, FOM 2.5 %. A part's yearly cost (annuity at 5 % + FOM) is kept while it rides on the turbine's life.
    turbine = _crf(0.05, 30) + 0.023741
    station = 850_000 * (_crf(0.05, 40) + 0.015) / turbine
    cables = 4510 * (45 + 10) * (_crf(0.05, 40) + 0.025) / turbine
    assert capex(n, f"{HUB}|offshore_wind") == pytest.approx(2_224_372.1 + station + cables)
    # 850,000 x 0.0733 / 0.0888 + 248,050 x 0.0833 / 0.0888: about 0.93 M EUR per MW on top of the turbine's 2.22 M.
    assert station + cables == pytest.approx(0.934e6, rel=0.005)


def test_offshore_wind_without_distance_to_shore_is_refused_with_the_field_named():
    site = {"type": "offshore_wind", "potential": "2 GW", "full_load_hours": 3800}
    c = cluster(member("chem", [{"service": "electricity", "carrier": "electricity", "final_energy": "1000 MWh"}]),
                renewables=[site])  # fmt: skip
    with pytest.raises(PlanningError, match=r"resources.renewables \(offshore_wind\) needs distance_to_shore"):
        build(c, levers=["offshore_wind"])


# -- item 15: money of one price year ------------------------------------------------------------------------------
# Eurostat HICP (EEA), annual average rates of change (deflators.csv): 2021 2.9, 2022 9.2, 2023 6.4, 2024 2.6,
# 2025 2.5 %.
EUR_2020_TO_2025 = 1.029 * 1.092 * 1.064 * 1.026 * 1.025  # 1.2573


def test_price_level_chains_the_hicp_rates():
    assert price_level(2020, 2025) == pytest.approx(EUR_2020_TO_2025)
    assert price_level(2025, 2024) == pytest.approx(1 / 1.025)
    assert price_level(2025, 2025) == 1.0
    with pytest.raises(PriceYearError, match="no rate for 2026"):
        price_level(2025, 2026)


def test_a_scenario_price_year_converts_catalog_and_reference_money():
    heat = {"service": "steam", "carrier": "natural_gas", "equipment": "boiler", "efficiency": 0.9,
            "useful_energy": "100000 MWh"}  # fmt: skip
    c = cluster(member("chem", [heat]))
    in_2025 = build(c)
    in_2024 = build(c, price_year=2024)
    unit = "chem|today:steam:natural_gas:0"
    # The catalog's EUR of 2025 are EUR of 2024 / 1.025 (HICP 2025: 2.5 %).
    assert capex(in_2024, unit) == pytest.approx(63_306.8 / 1.025)
    assert capex(in_2025, unit) == pytest.approx(63_306.8)
    # Gas for Belgium: Pink Sheet TTF 2024, 10.96 US dollars of 2024 per MMBtu (0.29307107 MWh), into EUR at the
    # ECB's 2024 average 1.0824 USD per EUR, then to 2025 money with the HICP's 2.5 %.
    gas_2024 = 10.96 / 0.29307107 / 1.0824
    vom = in_2025.unit_period.loc[("chem|buy:natural_gas", 2025), "vom"]
    assert vom == pytest.approx(gas_2024 * 1.025, rel=1e-6)
    assert in_2024.unit_period.loc[("chem|buy:natural_gas", 2025), "vom"] == pytest.approx(gas_2024, rel=1e-6)
    assert in_2025.meta["money"] == {"currency": "EUR", "price_year": 2025}
    assert in_2024.meta["money"] == {"currency": "EUR", "price_year": 2024}


def test_price_year_outside_the_index_is_refused():
    c = cluster(member("chem", [{"service": "electricity", "carrier": "electricity", "final_energy": "1000 MWh"}]))
    with pytest.raises(PlanningError, match="scenario price_year 2026: .* no rate for 2026"):
        build(c, price_year=2026)


# -- item 7: capture by the stream's CO2 concentration ----------------------------------------------------------------
SITE = {"id": "s", "name": "S", "setting": "offshore", "distance": "100 km", "injection_capacity": "5 Mt"}


def _refinery(**process) -> Cluster:
    heat = {"service": "heat_high", "carrier": "natural_gas", "equipment": "furnace", "efficiency": 0.9,
            "useful_energy": "200000 MWh"}  # fmt: skip
    refinery = member("refinery", [heat], sector="refining")
    refinery["process_emissions"] = [{"source": "FCC regenerator", "amount": "300 kt", **process}]
    return cluster(refinery, co2_storage=[SITE])


@pytest.mark.parametrize(
    ("process", "technology"),
    [
        ({}, "biomass_chp_capture"),  # a refinery's process CO2 is dilute unless told otherwise
        ({"co2_concentration": "12 %"}, "biomass_chp_capture"),  # DEA 401.a: 12-15 %
        ({"co2_concentration": "25 %"}, "cement_capture"),  # DEA 401.c: 15-30 %
        ({"co2_concentration": "99 %"}, "ammonia_capture_retrofit"),  # as pure as a capture plant's product
    ],
)
def test_process_capture_follows_the_streams_concentration(process, technology):
    n = build(_refinery(**process), levers=["carbon_capture", "co2_network"])
    assert n.units.loc["refinery|capture:co2_process", "technology"] == technology


def test_dilute_fcc_flue_gas_is_not_priced_as_an_ammonia_stream():
    n = build(_refinery(), levers=["carbon_capture", "co2_network"])
    unit = "refinery|capture:co2_process"
    ports = n.ports[n.ports["unit"] == unit].set_index("bus")["coefficient"]
    # technologies.csv 2025, biomass CHP capture (DEA 401.a, flue gas 12-15 % CO2): rate 0.9, electricity 0.03 +
    # compression 0.1 MWh/t, heat 0.833 MWh/t, 3,772,003.8 EUR per t/h captured; the ammonia retrofit would be
    # 0.1 MWh/t, no heat, 99 %, 1.17 M USD per t/h.
    assert ports["refinery|co2_captured"] == pytest.approx(0.9)
    assert ports["refinery|electricity"] == pytest.approx(-(0.03 + 0.1) * 0.9)
    assert ports["refinery|steam"] == pytest.approx(-0.833 * 0.9)
    assert capex(n, unit) == pytest.approx(3_772_003.8034 * 0.9)


def test_a_gas_turbines_flue_gas_takes_the_dilute_class():
    plant = {"service": "electricity", "carrier": "natural_gas", "equipment": "other", "efficiency": 0.56,
             "final_energy": "5.5 TWh"}  # fmt: skip
    power = member("power", [plant], sector="power")
    power["flue_co2_concentration"] = "4 %"
    n = build(cluster(power, co2_storage=[SITE]), levers=["carbon_capture", "co2_network"])
    assert n.units.loc["power|capture:co2_flue", "technology"] == "biomass_chp_capture"


def test_outputs_say_the_price_year(tmp_path):
    from clusterpath.pathway.plan import plan

    heat = {"service": "steam", "carrier": "natural_gas", "equipment": "boiler", "efficiency": 0.9,
            "useful_energy": "8760 MWh"}  # fmt: skip
    s = Scenario(name="t", periods=[2025], typical_days=1, levers=[], price_year=2024, target="carbon_price_only",
                 carbon_price={2025: 80})
    result = plan(cluster(member("chem", [heat])), s, baseline=False)
    assert result.summary()["price_year"] == 2024
    written = result.to_csv(tmp_path)
    costs = next(p for p in written if p.name.startswith("costs"))
    assert "net present cost (EUR of 2024)" in costs.read_text()


def test_report_tables_say_the_price_year():
    from clusterpath.report import content

    summary = {"currency": "EUR", "price_year": 2025, "cost_breakdown": {"capex": 2e6}, "objective": 2e6,
               "investment_by_period": {"2025": 1e6}, "macc": []}  # fmt: skip
    assert content.cost_table(summary).columns[1] == "net present cost, million EUR of 2025"
    assert content.investment_table(summary).columns[1] == "investment, million EUR of 2025"
    assert content.macc_table(summary).columns[-1] == "cost, EUR of 2025 per tCO2e"
