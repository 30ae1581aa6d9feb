"""How the builder prices and sizes the cost-side levers: battery losses, CO2 trunks and storage, policy eligibility.

Clusters are built as in test_build.py; expected numbers are the reference data's, worked out by hand in the test.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from helpers.networks import make_network

from clusterpath import reference
from clusterpath.pathway.build import NetworkBuilder
from clusterpath.pathway.hub import HUB
from clusterpath.pathway.network import PathwayModel
from clusterpath.pathway.result import PathwayResult

from .test_build import CATALOG, EUR_2020_TO_2025, build, cluster, gas, hydrogen_feedstock, member, scenario

pytestmark = pytest.mark.filterwarnings("ignore::linopy.LinopySemanticsWarning")

def test_battery_round_trip_efficiency_is_split_between_charge_and_discharge():
    # DEA gives the inverter's round-trip efficiency (technology-data: "Round trip efficiency DC"); PyPSA-Eur takes
    # its square root for the charger and again for the discharger, so a MWh in comes back as 0.955 MWh.
    n = build(cluster(), ["battery"])
    store = n.stores.loc[f"{HUB}|battery"]
    round_trip = CATALOG.number("battery_inverter", "efficiency", 2025)
    assert round_trip == pytest.approx(0.955)
    assert store["eta_charge"] == pytest.approx(math.sqrt(0.955))
    assert store["eta_discharge"] == pytest.approx(math.sqrt(0.955))
    assert store["eta_charge"] * store["eta_discharge"] == pytest.approx(0.955)


def test_hub_waste_heat_is_valued_as_heat_from_a_gas_boiler():
    c = cluster(member("h2user", [hydrogen_feedstock(8760)]), member("warm", [gas("heat_low", 8760)]))
    prices = {"natural_gas": {2025: 30, 2035: 45}}
    n = build(c, ["hydrogen_network", "electrolysis", "heat_network"], fuel_prices=prices)
    value = n.meta["byproduct_value"].loc[f"{HUB}|heat_low"]
    boiler = CATALOG.number("gas_boiler_steam", "efficiency", 2025)
    assert value[2025] == pytest.approx(30 / boiler)
    assert value[2035] == pytest.approx(45 / boiler)
    assert build(cluster(), []).meta["byproduct_value"].empty


def test_blue_hydrogen_earns_45q_on_the_co2_it_stores_and_never_45v_as_well():
    site = {"id": "s", "name": "S", "distance": "50 km", "injection_capacity": "1 Mt"}
    c = cluster(member("h2user", [hydrogen_feedstock(8760)]), co2_storage=[site])
    n = build(c, ["hydrogen_network", "smr_ccs", "electrolysis", "co2_network"], policies=["us.45v", "us.45q"])
    smr = f"{HUB}|smr-ccs"
    stored = n.ports[(n.ports["unit"] == smr) & (n.ports["bus"] == f"{HUB}|co2")]["coefficient"].item()
    # Natural gas, energy industries: 56,100 kg CO2/TJ x 0.0036 TJ/MWh, 90 % captured (smr_cc capture_rate).
    assert stored == pytest.approx(56_100 * 0.0036 / 1000 * CATALOG.number("smr_cc", "capture_rate", 2025))
    sequestration = [cr for cr in n.policy.credits if cr.kind == "credit_us_45q"]
    production = [cr for cr in n.policy.credits if cr.kind == "credit_us_45v"]
    (point,) = [cr for cr in sequestration if smr in cr.per_flow.index]
    assert point.per_flow[smr] == pytest.approx(stored)
    # 26 USC 45Q(a)(3)-(4) and (b)(1)(A): $17/t into geologic storage, x5 with the wage rules: $85/t, dollars of
    # 2025 (data/policies/us.yaml), in EUR of 2025 at 1.1300 USD per EUR (exchange_rates.csv).
    assert point.rate.iloc[0] == pytest.approx(85.0 / 1.13, rel=1e-9)
    # 45Q(a)(3)(A): for the 12 years from each unit's placed-in-service year (its build period), 45V for 10.
    assert point.credit_years == 12 and all(cr.credit_years == 10 for cr in production)
    # 45Q(d)(2)(C): an industrial facility (not power, not air capture) must capture 12,500 t a year;
    # the reformer is its own facility, apart from any air capture on the hub.
    assert point.facility[smr] == smr and point.threshold[smr] == pytest.approx(12_500)
    # 45V(d)(2): a facility with capture equipment claiming 45Q is not a clean hydrogen production facility.
    assert production and all(smr not in cr.per_flow.index for cr in production)
    assert any(f"{HUB}|electrolysis" in cr.per_flow.index for cr in production)


def test_a_unit_earning_45q_is_left_out_of_45v():
    from clusterpath.pathway.policies import _without_stacking
    from clusterpath.pathway.policy_terms import OutputCredit

    rate = pd.Series({2025: 1.0})
    production = [OutputCredit("v", per_flow=pd.Series({"a": 30.0, "b": 20.0}), rate=rate),
                  OutputCredit("v2", per_flow=pd.Series({"b": 20.0}), rate=rate)]  # fmt: skip
    sequestration = [OutputCredit("q", per_flow=pd.Series({"b": 0.2}), rate=rate, facility=pd.Series({"b": "b"}))]
    kept = _without_stacking(production, sequestration)
    assert [c.name for c in kept] == ["v"] and kept[0].per_flow.to_dict() == {"a": 30.0}


# -- CO2 pipelines: DEA size classes as a cost that never falls with size -------------------------------

# DEA, Technology Data for Carbon Capture, Transport and Storage, datasheet 421 (EUR2020 per t/h per metre, the plan
# converts them to EUR2025 with deflators.csv):
# onshore lines of 10-30, 30-120 and 120-500 t/h at 15, 8 and 2.3. A line of each class's top size costs
# 15 x 30 = 450, 8 x 120 = 960 and 2.3 x 500 = 1150 per metre; chords join them.
CURVE_PER_M = [(0.0, 30.0, 0.0, 15.0), (30.0, 120.0, 450 - 30 * (960 - 450) / 90, (960 - 450) / 90),
               (120.0, 500.0, 960 - 120 * (1150 - 960) / 380, (1150 - 960) / 380)]  # fmt: skip


def onshore_site(distance_km: float = 100.0, injection: str = "1 Mt") -> dict:
    return {"id": "s", "name": "S", "setting": "onshore", "distance": f"{distance_km} km",
            "injection_capacity": injection}


def kiln(mwh: float = 200_000) -> dict:
    return member("cem", [gas("heat_high", mwh, equipment="kiln")], sector="cement", km_north=20)


def test_co2_trunk_size_classes_have_a_fixed_part_so_cost_never_falls_with_size():
    n = build(cluster(kiln(), co2_storage=[onshore_site()]), ["carbon_capture", "co2_network"])
    rows = n.scale.xs((f"{HUB}|co2-storage:s", 2025), level=("unit", "period"))
    per_m = 1000 * 100.0 * EUR_2020_TO_2025  # metres of a 100 km trunk
    got = [tuple(r) for r in rows[["lo", "hi", "fixed", "slope"]].itertuples(index=False)]
    expected = [(lo, hi, fixed * per_m, slope * per_m) for lo, hi, fixed, slope in CURVE_PER_M]
    assert np.asarray(got) == pytest.approx(np.asarray(expected))

    def cost(flow: float) -> float:
        return min(f + s * flow for lo, hi, f, s in got if lo <= flow <= hi)

    # The case: 39.6 t/h over 100 km must not cost more than a 120 t/h trunk (it did: 39.6 x 8 > 120 x 2.3).
    assert cost(39.6) == pytest.approx((CURVE_PER_M[1][2] + CURVE_PER_M[1][3] * 39.6) * per_m)
    assert cost(39.6) < cost(120.0)
    flows = np.linspace(0.0, 500.0, 2001)
    assert (np.diff([cost(f) for f in flows]) >= -1e-6).all()


def test_member_co2_connection_is_priced_as_a_small_pipe():
    # The kiln emits about 40 kt a year (4.6 t/h): its line is in DEA's smallest class, 15 EUR2020 per t/h per metre,
    # about 5.6 times the catalog's large-pipe rate it used to pay (2,671.6 EUR2025 per t/h per km).
    c = cluster(kiln(), co2_storage=[onshore_site()])
    n = build(c, ["carbon_capture", "co2_network"])
    km = 20.0
    assert float(n.unit_period.loc[("cem|co2-connection", 2025), "capex"]) == pytest.approx(
        15 * 1000 * km * EUR_2020_TO_2025, rel=1e-3)


# -- CO2 storage: the price per tonne of what a site injects ---------------------------------------------


def flow_classed_store(supply_t_per_year: float):
    """A fixed CO2 supply that must be stored; storing Q t a year costs 10 Q up to 100 t, 600 + 4 Q up to 300 t."""
    classes = pd.DataFrame([("store", 0, 2025, 0.0, 100.0, 0.0, 10.0), ("store", 1, 2025, 100.0, 300.0, 600.0, 4.0)],
                           columns=["unit", "segment", "period", "lo", "hi", "fixed", "slope"])  # fmt: skip
    return make_network(buses={"co2": "balance", "stored": "emission"},
                        units=[dict(unit="store", unlimited=True, extendable=False)],
                        ports=[("store", "co2", -1.0), ("store", "stored", 1.0)],
                        demand={"co2": -supply_t_per_year / 8760},
                        flow_scale=classes.set_index(["unit", "segment", "period"]))  # fmt: skip


@pytest.mark.parametrize(("stored", "yearly_cost"), [(50.0, 10 * 50.0), (200.0, 600 + 4 * 200.0), (100.0, 1000.0)])
def test_storage_pays_the_class_of_what_it_injects(stored, yearly_cost):
    network = flow_classed_store(stored)
    network.units["lever"] = "co2_network"  # what a result reads; the hand network has no levers
    model = PathwayModel(network)
    assert model.solve() == ("ok", "optimal")
    assert model.objective_value == pytest.approx(yearly_cost, rel=1e-6)
    result = PathwayResult.from_model(model, "EUR", "ok")
    assert float(result.data["unit_cost"].sel(unit="store", period=2025)) == pytest.approx(yearly_cost, rel=1e-6)
    assert float(result.data["variable_cost"].sel(unit="store", period=2025)) == pytest.approx(yearly_cost, rel=1e-6)


def _storage_cost(item: str, year: int) -> float:
    """DEA's full cost per tonne of a storage datasheet: the sum of its EUR/t items in that year."""
    rows = reference.table("infrastructure_costs")
    rows = rows[(rows["item"] == item) & rows["unit"].astype(str).str.startswith("EUR") & (rows["year"] == year)]
    return float(rows["value"].sum())


def test_storage_site_cost_follows_what_it_injects_on_deas_size_classes():
    # A 2 Mt/yr onshore site: DEA's 1, 3 and 5 Mt/yr datasheets cost c1, c3, c5 per tonne at full use, so storing
    # Q costs c1 Q up to 1 Mt and the chord to 3 c3 Mt beyond (classes from 3 Mt up are out of the site's reach).
    n = build(cluster(kiln(), co2_storage=[onshore_site(injection="2 Mt")]), ["carbon_capture", "co2_network"])
    unit = f"{HUB}|co2-storage:s"
    c1, c3 = (_storage_cost(f"co2_storage_onshore_{k}mtpa", 2025) * EUR_2020_TO_2025 for k in (1, 3))
    rows = n.flow_scale.xs((unit, 2025), level=("unit", "period"))
    slope = (3e6 * c3 - 1e6 * c1) / 2e6
    # The last class runs on to twice the injection capacity, so a relaxed plan can show what exceeds the limit.
    expected = [(0.0, 1e6, 0.0, c1), (1e6, 4e6, 1e6 * c1 - slope * 1e6, slope)]
    assert np.asarray(rows[["lo", "hi", "fixed", "slope"]]) == pytest.approx(np.asarray(expected))
    # The per-tonne price is in the classes now, not in the unit's variable cost.
    assert float(n.unit_period.loc[(unit, 2025), "vom"]) == 0.0


def test_carbon_price_is_paid_on_fixed_emissions_too():
    # 100 t a year of process N2O-equivalent outside any flow, and 50 t from burning fuel, at 80 per t for one year:
    # the carbon cost is 80 x 150 = 12,000 (docs/model.md, section 5), and it changes no decision.
    periods = pd.Index([2025], name="period")
    constant = xr.DataArray([[100.0]], coords=[pd.Index(["em"], name="bus"), periods])
    n = make_network(buses={"heat": "balance", "em": "emission"},
                     units=[dict(unit="boiler", unlimited=True, extendable=False, vom=10.0)],
                     ports=[("boiler", "heat", 1.0), ("boiler", "em", 50 / 8760)], demand={"heat": 1.0},
                     emission_constant=constant, carbon_price=pd.Series({2025: 80.0}))  # fmt: skip
    model = PathwayModel(n)
    assert model.solve() == ("ok", "optimal")
    assert float(model.cost_terms["carbon"].solution.sum()) == pytest.approx(80 * 150)
    assert model.objective_constant == pytest.approx(80 * 100)  # kept out of what the solver minimizes
    assert model.objective_value == pytest.approx(8760 * 10 + 80 * 150)


def test_a_plan_sizes_the_co2_trunk_to_its_flow_not_to_a_cheaper_larger_class():
    # 347 kt/yr of process CO2 (39.6 t/h), captured at the retrofit's rate and sent 100 km onshore. Priced per t/h
    # by class, a 120 t/h trunk (120 x 2.3 per metre) was cheaper than one for the flow (about 36-40 t/h x 8).
    cement = member("cem", [gas("heat_high", 1000, equipment="kiln")], sector="cement",
                    process=[{"source": "clinker", "amount": "347 kt"}])  # fmt: skip
    c = cluster(cement, co2_storage=[onshore_site(injection="1 Mt")])
    s = scenario(["carbon_capture", "co2_network"], target="carbon_price_only", carbon_price={2025: 400})
    model = PathwayModel(NetworkBuilder(c, s).build())
    assert model.solve(mip_gap=1e-6)[0] == "ok"
    trunk = float(model.capacity.solution.sel(unit=f"{HUB}|co2-storage:s", period=2035))
    flow = float((model.flow.solution.sel(unit=f"{HUB}|co2-storage:s", period=2035)).max())
    # What is stored (the process CO2 captured, plus the flue CO2 of the gas the capture burns) is a mid-class flow.
    assert 34.5 < flow < 100  # where 8 per t/h x flow > 2.3 x 120
    assert trunk == pytest.approx(flow, rel=1e-3)
