"""Solved plans of small clusters: what a user relies on in a plan's numbers.

Caps hold, prices steer, storage balances, costs add up, impossible targets are explained.
Clusters are built as in test_build.py; scenarios have two or three periods and one or two
typical days, and offer only the levers each test is about.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from clusterpath.pathway.build import NetworkBuilder
from clusterpath.pathway.hub import HUB
from clusterpath.pathway.network import PathwayModel
from clusterpath.pathway.plan import InfeasiblePlan, plan

from .test_build import (
    BIOGAS_MWH_PER_T_COD,
    CATALOG,
    CH4_TCO2E_PER_T_COD,
    PAPER_MWH_PER_T,
    cluster,
    food_member,
    gas,
    hydrogen_feedstock,
    member,
    packer,
    power,
    scenario,
    waste,
    wastewater,
)

pytestmark = pytest.mark.filterwarnings("ignore::linopy.LinopySemanticsWarning")

SITE = {"id": "north", "name": "North Sea site", "distance": "100 km", "injection_capacity": "1 Mt"}


def boilers():
    """Two gas users: about 2,000 and 4,500 tCO2e of scope 1 a year."""
    return cluster(member("chem", [power(2000), gas("steam", 8760)]),
                   member("food", [gas("heat_low", 2 * 8760)], km_north=3))  # fmt: skip


def capped_emissions(result, network, cap) -> dict[int, float]:
    emissions = result.data["emissions"].sel(bus=cap.buses).sum("bus").to_series()
    return {int(p): float(v) for p, v in emissions.items()}


@pytest.mark.parametrize("target", ["cluster_cap", "member_caps"])
def test_emission_caps_hold_in_every_period(target):
    c = boilers()
    s = scenario(["heat_pump", "electric_boiler"], periods=[2025, 2030, 2035], target_year=2035, target=target)
    result = plan(c, s, baseline=False)
    network = NetworkBuilder(c, s).build()
    assert result.status == "optimal" and network.caps
    for cap in network.caps:
        emissions = capped_emissions(result, network, cap)
        for period, limit in cap.limit.items():
            assert emissions[period] <= limit + 1e-6 * max(1.0, abs(limit)), (cap.name, period)
    # Net zero in the target year: scope 1 is gone, and it was not gone before.
    total = result.summary()["emissions_by_scope_tco2e"]["scope1"]
    assert total["2035"] == pytest.approx(0, abs=1e-3)
    assert total["2025"] > 1000


def test_a_higher_carbon_price_abates_more():
    c = boilers()
    levers = ["heat_pump", "electric_boiler"]

    def scope1(price: float) -> float:
        s = scenario(levers, target="carbon_price_only", carbon_price={2025: price}, periods=[2025, 2035])
        summary = plan(c, s, baseline=False).summary()
        return sum(summary["emissions_by_scope_tco2e"]["scope1"].values())

    low, high = scope1(1.0), scope1(1000.0)
    assert high < low - 1000  # at 1000 EUR/t the heat pumps take over
    assert high == pytest.approx(0, abs=1.0)


def test_battery_energy_balances_over_the_year():
    c = cluster(member("chem", [power(8760 * 5)]),
                renewables=[{"type": "solar_pv", "potential": "100 MW", "full_load_hours": 1000}])  # fmt: skip
    s = scenario(["solar_pv", "battery"], typical_days=2, electricity_price={2025: 400},
                 target="carbon_price_only", carbon_price={2025: 0}, economies_of_scale=False)  # fmt: skip
    network = NetworkBuilder(c, s).build()
    model = PathwayModel(network)
    _, condition = model.solve()
    assert condition == "optimal"
    battery = f"{HUB}|battery"
    charge = model.charge.solution.sel(store=battery)
    discharge = model.discharge.solution.sel(store=battery)
    eta_c, eta_d = network.stores.loc[battery, ["eta_charge", "eta_discharge"]]
    weight = network.day_weight
    stored = (eta_c * charge * weight).sum(["day", "hour"])
    released = (discharge / eta_d * weight).sum(["day", "hour"])
    assert float(released.max()) > 100  # the battery is used (MWh a year), so the check means something
    np.testing.assert_allclose((stored - released).values, 0.0, atol=1e-6 * float(stored.max()))
    # And what it delivers is less than what it took: losses, no free energy.
    assert float((discharge * weight).sum()) < float((charge * weight).sum())


def test_objective_is_the_sum_of_the_cost_breakdown():
    c = boilers()
    s = scenario(["heat_pump", "electric_boiler"], target_year=2040, carbon_price={2025: 50, 2035: 100})
    result = plan(c, s, baseline=False)
    summary = result.summary()
    assert summary["objective"] == pytest.approx(sum(summary["cost_breakdown"].values()), rel=1e-9)
    assert {"capex", "fixed_om", "energy_purchases", "carbon", "credits"} <= set(summary["cost_breakdown"])
    assert summary["cost_breakdown"]["capex"] > 0  # heat pumps were built


def test_with_no_levers_the_plan_is_the_baseline():
    c = boilers()
    s = scenario([], target="carbon_price_only", carbon_price={2025: 80})
    result = plan(c, s)
    assert result.baseline_cost == pytest.approx(result.objective, rel=1e-9)


def test_the_baseline_is_not_cheaper_to_reach_with_levers():
    """Offering levers without a cap can only lower the cost below carrying on as today."""
    c = boilers()
    s = scenario(["heat_pump", "electric_boiler"], target="carbon_price_only", carbon_price={2025: 80})
    result = plan(c, s)
    assert result.objective <= result.baseline_cost * (1 + 1e-9)


def _no_false_demand_shortfall(message: str) -> None:
    # Today's equipment can always be rebuilt in kind: every demand can be supplied, only the targets cannot.
    assert "cannot be supplied" not in message, message


def test_net_zero_in_the_first_period_without_levers_is_infeasible_and_explained():
    from clusterpath.inventory import Inventory

    c = boilers()
    s = scenario([], periods=[2025, 2030], target_year=2025)
    with pytest.raises(InfeasiblePlan) as raised:
        plan(c, s)
    message = str(raised.value)
    assert "emission cap of the cluster in 2025" in message
    assert "allows 0 tCO2e/yr" in message
    # The shortfall is the whole of today's scope 1: no lever can cut it.
    scope1 = Inventory(c).members["scope1_tco2e"].sum()
    assert f"short by {scope1:,.0f} tCO2e/yr" in message
    _no_false_demand_shortfall(message)


def test_net_zero_in_the_first_period_without_levers_raises():
    with pytest.raises(InfeasiblePlan, match="the targets cannot be met"):
        plan(boilers(), scenario([], periods=[2025], target_year=2025))


def test_member_cap_shortfall_names_the_member_without_a_lever():
    # chem's steam can go to a heat pump; food's high-temperature heat has none.
    c = cluster(member("chem", [gas("steam", 8760)]), member("food", [gas("heat_high", 8760, equipment="furnace")]))
    s = scenario(["heat_pump"], periods=[2025], target_year=2025, target="member_caps")
    with pytest.raises(InfeasiblePlan) as raised:
        plan(c, s)
    message = str(raised.value)
    assert "food" in message and "chem" not in message.split("largest remaining emitters")[0]


def _cement(injection: str):
    cement = member("cem", [gas("heat_high", 200_000, equipment="kiln")], sector="cement",
                    process=[{"source": "clinker", "amount": "50 kt"}])  # fmt: skip
    return cluster(cement, co2_storage=[{**SITE, "injection_capacity": injection}])


def test_injection_capacity_too_small_raises():
    # Lead times off: the EU's CO2 network row (6.67 years from 2024) would keep it out of 2030; not what is tested.
    s = scenario(["carbon_capture", "co2_network"], periods=[2030], target_year=2035, economies_of_scale=False,
                 lead_times=False)  # fmt: skip
    with pytest.raises(InfeasiblePlan, match=r"needs [\d,]+ t/yr through the injection capacity of North Sea site, "
                                             r"which allows 1,000 t/yr"):  # fmt: skip
        plan(_cement("1 kt"), s)
    plan(_cement("1 Mt"), s, baseline=False)  # the same plan with room to inject is feasible


def test_injection_capacity_too_small_is_explained_by_the_site_or_cap():
    # Lead times off: the EU's CO2 network row (6.67 years from 2024) would keep it out of 2030; not what is tested.
    s = scenario(["carbon_capture", "co2_network"], periods=[2030], target_year=2035, economies_of_scale=False,
                 lead_times=False)  # fmt: skip
    with pytest.raises(InfeasiblePlan) as raised:
        plan(_cement("1 kt"), s)
    message = str(raised.value)
    assert "North Sea site" in message or "emission cap of the cluster in 2030" in message
    _no_false_demand_shortfall(message)


def test_summary_json_has_the_documented_keys():
    c = cluster(member("chem", [power(2000), gas("steam", 8760 * 3)], km_north=2),
                member("h2user", [hydrogen_feedstock(8760)], km_north=4))  # fmt: skip
    s = scenario(["heat_pump", "hydrogen_network", "electrolysis"], target_year=2040, economies_of_scale=False)
    result = plan(c, s)
    summary = json.loads(json.dumps(result.summary()))  # it is JSON as written
    assert {"status", "objective", "currency", "periods", "emissions_tco2e", "member_emissions_tco2e", "capacity",
            "shared_assets", "cost_breakdown", "baseline_cost"} <= set(summary)  # fmt: skip
    assert summary["status"] == "optimal" and summary["currency"] == "EUR"
    assert summary["periods"] == [2025, 2035]
    assert set(summary["emissions_tco2e"]) == {"2025", "2035"}
    assert set(summary["member_emissions_tco2e"]) == {"chem", "h2user"}
    assert set(summary["member_emissions_tco2e"]["chem"]) == {"2025", "2035"}
    for technology, by_year in summary["capacity"].items():
        assert set(by_year) == {"2025", "2035"}, technology
        assert {"value", "unit"} == set(by_year["2025"])
    assert "industrial_heat_pump_high_temperature" in summary["capacity"]
    for asset, by_year in summary["shared_assets"].items():
        assert {"capacity", "unit", "members"} == set(by_year["2035"]), asset
    assert "electrolysis" in summary["shared_assets"] or "merchant-smr" not in summary["shared_assets"]
    costs = summary["cost_breakdown"]
    assert {"capex", "fixed_om", "variable_om", "energy_purchases", "credits"} <= set(costs)
    assert summary["objective"] == pytest.approx(sum(costs.values()), rel=1e-9)
    # Emissions per year add up from the members and the hub.
    hub = result.emissions_by("node").loc[HUB] if HUB in result.emissions_by("node").index else 0
    for year in ("2025", "2035"):
        members = sum(m[year] for m in summary["member_emissions_tco2e"].values())
        hub_year = float(hub[int(year)]) if not isinstance(hub, int) else 0.0
        assert summary["emissions_tco2e"][year] == pytest.approx(members + hub_year)


def test_co2_connections_capacity_counts_member_connections_only():
    cement = member("cem", [gas("heat_high", 200_000, equipment="kiln")], sector="cement",
                    process=[{"source": "clinker", "amount": "50 kt"}])  # fmt: skip
    c = cluster(cement, co2_storage=[SITE])
    # Lead times off: the EU's CO2 network row (6.67 years from 2024) would keep it out of 2030; not what is tested.
    s = scenario(["carbon_capture", "co2_network"], periods=[2030], target_year=2035, economies_of_scale=False,
                 lead_times=False)  # fmt: skip
    result = plan(c, s, baseline=False)
    shared = result.summary()["shared_assets"]
    connection = float(result.data["capacity"].sel(unit="cem|co2-connection", period=2030))
    assert connection > 1
    assert shared["co2-connections"]["2030"]["members"] == ["cem"]
    assert shared["co2-connections"]["2030"]["capacity"] == pytest.approx(connection)


def test_a_build_limit_that_falls_short_is_named_with_what_the_plan_needs():
    # Net zero in 2030 needs about 3 MW of heat pumps; the scenario allows 0.01 MW a year.
    s = scenario(["heat_pump"], periods=[2030], target_year=2030, max_build_per_year={"heat_pump": 0.01},
                 economies_of_scale=False)  # fmt: skip
    with pytest.raises(InfeasiblePlan, match=r"building 'heat_pump' in 2030 needs [\d.,]+ MW, above the scenario's "
                                             r"limit of 0 MW"):  # fmt: skip
        plan(boilers(), s)


def test_a_cap_sends_wastewater_to_the_shared_plant_and_its_biogas_makes_power():
    c = cluster(food_member(wastewater(1000)))
    s = scenario(["wastewater_treatment"], periods=[2025, 2030], target_year=2035, economies_of_scale=False)
    result = plan(c, s, baseline=False)
    energy = result.data["energy"].sel(period=2030).to_series()
    # The 2030 cap is 5/12 of today's 5,400 tCO2e (2023 to 2035): at least 7/12 of the COD must go.
    sent = energy["food|wastewater-connection"]
    assert sent >= 1000 * 7 / 12 - 1e-6
    assert energy[f"{HUB}|wastewater-treatment"] == pytest.approx(sent)
    biogas = sent * BIOGAS_MWH_PER_T_COD
    chp_fuel = energy[f"{HUB}|biogas-chp"] / CATALOG.number("gas_chp", "efficiency", 2025)
    assert chp_fuel + energy[f"{HUB}|biogas-flare"] == pytest.approx(biogas)
    summary = result.summary()
    assert summary["member_emissions_tco2e"]["food"]["2030"] == pytest.approx(
        (1000 - sent) * CH4_TCO2E_PER_T_COD, abs=1e-6)
    assert summary["shared_assets"]["wastewater-treatment"]["2030"]["members"] == ["food"]
    assert summary["shared_assets"]["wastewater-treatment"]["2030"]["unit"] == "tCOD/h"
    assert "wastewater_treatment" in {row["lever"] for row in summary["macc"]}


def test_without_the_lever_wastewater_methane_stays_and_the_cap_cannot_be_met():
    c = cluster(food_member(wastewater(1000)))
    s = scenario([], periods=[2030], target_year=2035)
    with pytest.raises(InfeasiblePlan, match="emission cap of the cluster in 2030"):
        plan(c, s, baseline=False)


def test_waste_chp_power_is_the_waste_energy_times_its_efficiency():
    # Dear grid power makes the shared waste CHP worth building for 8,760 t of landfilled paper a year.
    c = cluster(packer(waste("paper_cardboard", 8760)))
    s = scenario(["waste_to_energy"], periods=[2025], target="carbon_price_only", carbon_price={2025: 0},
                 electricity_price={2025: 1000}, economies_of_scale=False)  # fmt: skip
    result = plan(c, s, baseline=False)
    energy = result.data["energy"].sel(period=2025).to_series()
    efficiency = CATALOG.number("waste_chp", "efficiency", 2025)  # 0.2051
    assert energy["pack|waste-connection"] == pytest.approx(8760)
    assert energy[f"{HUB}|waste-chp"] == pytest.approx(8760 * PAPER_MWH_PER_T * efficiency)
    asset = result.summary()["shared_assets"]["waste-chp"]["2025"]
    assert asset["members"] == ["pack"] and asset["unit"] == "MW"
    assert asset["capacity"] == pytest.approx(PAPER_MWH_PER_T * efficiency)  # 1 t/h of waste, flat


def test_a_waste_plant_keeps_burning_the_waste_it_receives():
    """A waste-to-energy member raises steam from 8,760 MWh of fossil waste a year (1 MW of fuel).

    A heat pump and a carbon price of 500 EUR/t make its steam cheaper from power, but the waste
    still arrives and must be treated: it is burnt on site every period (landfill is not an outlet),
    so scope 1 stays at its combustion emissions, IPCC energy industries: 8,760 MWh x 0.0036 TJ/MWh x
    (91.7 t CO2 + 30 kg CH4 x 29.8 + 4 kg N2O x 273) per TJ = 2,954.5 tCO2e a year.
    """
    burnt = {"service": "steam", "carrier": "municipal_waste", "equipment": "boiler", "efficiency": 0.8,
             "final_energy": "8760 MWh"}  # fmt: skip
    c = cluster(member("wte", [burnt, power(100)], sector="waste"))
    s = scenario(["heat_pump"], periods=[2025, 2035], target="carbon_price_only",
                 carbon_price={2025: 500, 2035: 500}, economies_of_scale=False)  # fmt: skip
    result = plan(c, s, baseline=False)
    energy = result.data["energy"].to_pandas()
    scope1 = result.data["emissions"].sel(bus="wte|scope1").to_series()
    for period in (2025, 2035):
        assert energy.loc["wte|today:steam:municipal_waste:0", period] == pytest.approx(8760 * 0.8, rel=1e-6)
        assert energy.loc["wte|heat_pump:steam", period] == pytest.approx(0.0, abs=1e-3)
        assert scope1[period] == pytest.approx(8760 * 0.0036 * (91.7 + 0.030 * 29.8 + 0.004 * 273), rel=1e-6)


def ccgt(sale_price=None) -> dict:
    """A gas power plant selling 8,760 MWh a year to the grid (2 MW of gas at 50 %), and nothing else."""
    made = {"service": "electricity", "carrier": "natural_gas", "equipment": "other", "efficiency": 0.5,
            "final_energy": "17520 MWh"}  # fmt: skip
    if sale_price is not None:
        made |= {"sold": True, "sale_price": sale_price}
    return member("plant", [made], sector="power")


def test_a_closing_power_plant_loses_its_sales_and_buys_nothing():
    """At 1,000 EUR/t a tonne of CO2 costs more than the power sells for, so the plant closes in both periods.

    Its output was sold to the grid, so closing it costs the margin it no longer earns and buys no power:
    no grid purchase, no scope 2, and (today's equipment carrying no capex or fixed O&M) a net present
    cost of exactly 0. Given as its own demand, closing it bought 8,760 MWh a year from the grid.
    """
    c = cluster(ccgt(sale_price={2023: 60}))
    s = scenario([], periods=[2025, 2035], target="carbon_price_only", carbon_price={2025: 1000, 2035: 1000},
                 fuel_prices={"natural_gas": {2025: 30}}, economies_of_scale=False)  # fmt: skip
    result = plan(c, s, baseline=False)
    energy = result.data["energy"].to_pandas()
    assert energy.loc["plant|buy:electricity"].to_numpy() == pytest.approx([0.0, 0.0], abs=1e-6)
    assert energy.loc["plant|today:electricity:natural_gas:0"].to_numpy() == pytest.approx([0.0, 0.0], abs=1e-6)
    assert result.emissions_by("scope").loc["scope2"].to_numpy() == pytest.approx([0.0, 0.0], abs=1e-6)
    assert result.objective == pytest.approx(0.0, abs=1e-3)


def test_a_power_plant_that_pays_sells_its_output_at_the_sale_price():
    """Without a carbon price the 60 EUR/MWh sale beats 2 x 20 EUR/MWh of gas: it runs while it stands.

    In 2025 its capacity is today's 1 MW less what has retired since 2023, 1 - 2/L (L the catalog lifetime of
    the direct firing it is replaced with); the sale is that output times 60 EUR/MWh.
    """
    c = cluster(ccgt(sale_price="2023: 60; 2035: 60"))
    s = scenario([], periods=[2025], target="carbon_price_only", carbon_price={2025: 0},
                 fuel_prices={"natural_gas": {2025: 20}}, economies_of_scale=False)  # fmt: skip
    result = plan(c, s, baseline=False)
    life = CATALOG.lifetime("gas_direct_firing")
    standing = 8760 * (1 - 2 / life)
    energy = result.data["energy"].sel(period=2025).to_series()
    assert energy["plant|sell:electricity:0"] >= standing * (1 - 1e-6)
    assert energy["plant|buy:electricity"] == pytest.approx(0.0, abs=1e-6)
    sales = float(result.data["variable_cost"].sel(unit="plant|sell:electricity:0", period=2025))
    assert sales == pytest.approx(-60 * energy["plant|sell:electricity:0"], rel=1e-9)


def glass() -> dict:
    """A glass furnace burning 17,520 MWh of gas a year for 8,760 MWh of heat above 400 C (efficiency 0.5)."""
    return member("glass", [gas("heat_high", 8760, equipment="furnace", efficiency=0.5)], sector="glass")


def wood_bought(result) -> dict[int, float]:
    energy = result.data["energy"].to_pandas()
    rows = energy.loc[[u for u in energy.index if u.startswith("glass|buy:") and "gas" not in u]]
    return {int(p): float(v) for p, v in rows.sum().items()}


def test_a_biomass_price_puts_a_furnace_on_wood_only_within_its_share_of_the_national_potential():
    """A cheap biomass price and a carbon price, no supply given: the supply defaults to the cluster's share of
    Belgium's sustainable solid biomass.

    Belgium, medium scenario, 2030 (biomass_potentials.csv): 14.8 + 6.9 + 10.7 + 5.3 + 5.7 = 43.4 PJ
    = 43.4e9 / 3600 = 12,055,555.6 MWh. Belgian industry used 9,846.714 ktoe in 2024 (industry_final_energy.csv)
    = 9,846.714 x 11,630 = 114,517,283.8 MWh; the furnace burns 17,520 MWh, a share of 1.529897e-4, so 1,844.4 MWh
    of new biomass in 2030, about a tenth of its gas: the rest stays gas though wood is cheaper.
    """
    s = scenario(["biomass"], periods=[2025, 2030], target="carbon_price_only", carbon_price={2025: 200, 2030: 200},
                 fuel_prices={"biomass": {2025: 10}}, decision_year=2025)  # fmt: skip
    result = plan(cluster(glass()), s, baseline=False)
    limit_2030 = 43.4e9 / 3600 * 17_520 / (9_846.714 * 11_630)
    assert limit_2030 == pytest.approx(1844.4, abs=0.1)
    assert wood_bought(result) == pytest.approx({2025: 0.0, 2030: limit_2030}, rel=1e-6, abs=1e-6)
    gas_left = float(result.data["energy"].sel(unit="glass|buy:natural_gas", period=2030))
    assert gas_left == pytest.approx(17_520 - limit_2030, rel=1e-6)


def test_new_biomass_comes_after_its_lead_time_and_within_its_supply():
    """The same furnace with 5,000 MWh a year of new biomass on offer.

    Decided in 2025, a wood-fired plant takes a year to build (DEA Technology Data for Industrial
    Process Heat, 311.1e): nothing in 2025. In 2030 at 10 EUR/MWh and 200 EUR/t the furnace takes all
    5,000 MWh it may: the supply binds, and the rest of its 17,520 MWh stays gas.
    """
    s = scenario(["biomass"], periods=[2025, 2030], target="carbon_price_only", carbon_price={2025: 200, 2030: 200},
                 fuel_prices={"biomass": {2025: 10}}, decision_year=2025,
                 biomass_supply={"limit": {2025: "5 GWh"}})  # fmt: skip
    result = plan(cluster(glass()), s, baseline=False)
    assert wood_bought(result) == pytest.approx({2025: 0.0, 2030: 5000.0}, rel=1e-6, abs=1e-6)
    gas_left = float(result.data["energy"].sel(unit="glass|buy:natural_gas", period=2030))
    assert gas_left == pytest.approx(17520 - 5000, rel=1e-6)


def test_the_cap_line_can_start_after_the_base_year():
    """Base year 2023, target 2050: the line from 2023 caps 2025 at 25/27 of today's scope 1; from 2030 it caps
    2025 and 2030 at today's and 2040 at 10/20 of it."""
    c = boilers()
    periods = [2025, 2030, 2040]
    network = NetworkBuilder(c, scenario([], periods=periods)).build()
    baseline, default = network.meta["cap_baseline"].sum(), network.caps[0].limit
    assert list(default) == pytest.approx([baseline * 25 / 27, baseline * 20 / 27, baseline * 10 / 27])
    later = NetworkBuilder(c, scenario([], periods=periods, cap_start_year=2030)).build().caps[0].limit
    assert list(later) == pytest.approx([baseline, baseline, baseline * 10 / 20])


def test_a_cap_line_from_2030_plans_what_lead_times_keep_out_of_2025():
    """Heat pumps and electric boilers can run from 2030 at the earliest (decided in 2025, built in half a year):
    a line from the base year asks a 2025 cut nothing delivers; a line from 2030 does not."""
    c = boilers()
    levers = ["heat_pump", "electric_boiler"]
    with pytest.raises(InfeasiblePlan):
        plan(c, scenario(levers, periods=[2025, 2030, 2050], decision_year=2025), baseline=False)
    result = plan(c, scenario(levers, periods=[2025, 2030, 2050], decision_year=2025, cap_start_year=2030),
                  baseline=False)  # fmt: skip
    scope1 = result.summary()["emissions_by_scope_tco2e"]["scope1"]
    assert scope1["2050"] == pytest.approx(0, abs=1e-3) and scope1["2025"] > 5000  # nothing cut before 2030
