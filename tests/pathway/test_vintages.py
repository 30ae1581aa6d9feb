"""Capacity built in different periods keeps its own build year's performance (issue 15, item 3).

Hand-solved cases on the network model (zero discount rate, one-year periods: annuity = 1 / lifetime and every
period counts once), then the cluster builder's vintage coefficients against the catalog rows.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest
from helpers.networks import make_network

from clusterpath.pathway.build import NetworkBuilder
from clusterpath.pathway.hub import HUB
from clusterpath.pathway.network import PathwayModel
from clusterpath.pathway.result import _vintage_coefficients
from clusterpath.schema import Cluster
from clusterpath.schema.scenario import Scenario

pytestmark = pytest.mark.filterwarnings("ignore::linopy.LinopySemanticsWarning")


def heat_pump_network(existing: float) -> object:
    # 10 MW of heat; a heat pump (capex 1000 per MW, lifetime 20) whose COP is 2 if built in 2025 and 4 if built
    # in 2030; grid power at 100 per MWh. Existing capacity has the ports table's COP of 2.
    return make_network(
        buses={"el": "balance", "heat": "balance"},
        units=[dict(unit="hp", capex=1000.0, lifetime=20, existing=existing),
               dict(unit="grid", unlimited=True, extendable=False, vom=100.0)],
        ports=[("hp", "heat", 1.0), ("hp", "el", -0.5), ("grid", "el", 1.0)],
        demand={"heat": 10.0}, periods=(2025, 2030), port_vintage={("hp", "el"): [-0.5, -0.25]},
    )  # fmt: skip


@pytest.mark.parametrize(
    ("existing", "built", "objective"),
    [
        # No heat pump today. 2025: build 10 MW at COP 2, power 10 / 2 x 8760 x 100 = 4,380,000; capex 10 x 1000 / 20
        # = 500 a year while it stands (2025 and 2030: 1,000). 2030: 10 MW more at COP 4 (500) halve the power bill to
        # 2,190,000 and the 2025 vintage idles. Total 1,000 + 500 + 4,380,000 + 2,190,000 = 6,571,500.
        (0.0, [10.0, 10.0], 6_571_500.0),
        # 10 MW today at COP 2 (no capex): 2025 power 4,380,000; 2030 a new 10 MW at COP 4 (500) and 2,190,000.
        (10.0, [0.0, 10.0], 6_570_500.0),
    ],
)
def test_each_vintage_runs_at_its_build_year_cop(existing, built, objective):
    model = PathwayModel(heat_pump_network(existing))
    assert model.solve() == ("ok", "optimal")
    assert model.new.solution.sel(unit="hp").values == pytest.approx(built)
    assert model.objective_value == pytest.approx(objective, rel=1e-9)
    # In 2030 all heat comes from the 2030 vintage: 5 MW of power, not 10.
    power = model.flow.solution.sel(unit="grid", period=2030).mean().item()
    assert power == pytest.approx(10 / 4)


def test_an_old_vintage_cannot_borrow_the_new_cop():
    # Building in 2030 is made pointless (capex 10^9): the 2025 vintage must keep COP 2 in 2030.
    network = heat_pump_network(0.0)
    network.unit_period.loc[("hp", 2030), "capex"] = 1e9
    model = PathwayModel(network)
    assert model.solve() == ("ok", "optimal")
    assert model.new.solution.sel(unit="hp").values == pytest.approx([10.0, 0.0])
    # 1,000 capex + 2 x 4,380,000 of power.
    assert model.objective_value == pytest.approx(8_761_000.0, rel=1e-9)


def test_a_vintage_at_the_flows_coefficients_has_no_flow_of_its_own_and_no_capacity_limit_is_repeated():
    # No heat pump today: the unit's flow runs at the first buildable vintage's COP (2025's), so only the 2030
    # vintage has a flow of its own (24 hours of 2030); the vintage rows bound the flow, capacity-limit does not.
    model = PathwayModel(heat_pump_network(0.0))
    flows = model.vintage_flow.labels
    assert int((flows >= 0).sum()) == 24
    assert bool((flows.sel(build=2030, period=2030) >= 0).all())
    assert bool((model.model.constraints["capacity-limit"].labels.sel(unit="hp") == -1).all())


def test_new_capacity_at_todays_cop_runs_with_the_existing_and_within_both():
    # 10 MW today at COP 2 and 15 MW of heat: 2025 builds 5 MW more at COP 2 (250 a year, 2025 and 2030: 500) and buys
    # 15 / 2 x 8760 x 100 = 6,570,000 of power; 2030 builds 15 MW at COP 4 (750) for 3,285,000.
    network = heat_pump_network(10.0)
    network.demand.loc[{"bus": "heat"}] = 15.0
    model = PathwayModel(network)
    assert model.solve() == ("ok", "optimal")
    assert model.new.solution.sel(unit="hp").values == pytest.approx([5.0, 15.0])
    assert model.objective_value == pytest.approx(500 + 6_570_000 + 750 + 3_285_000, rel=1e-9)


def test_a_unit_first_buildable_later_runs_each_vintage_at_its_cop():
    # Nothing today and no heat pump before 2030 (COP 2 in 2025, 4 in 2030, 5 in 2035); a boiler at 300 per MWh of
    # heat. 2025: the boiler, 10 x 8760 x 300 = 26,280,000. 2030: 10 MW at COP 4 (500 a year in 2030 and 2035) and
    # 2,190,000 of power. 2035: 10 MW at COP 5 (500) save 438,000 of power: 1,752,000. The 2030 vintage idles.
    network = make_network(
        buses={"el": "balance", "heat": "balance"},
        units=[dict(unit="hp", capex=1000.0, lifetime=20), dict(unit="boiler", unlimited=True, extendable=False,
               vom=300.0), dict(unit="grid", unlimited=True, extendable=False, vom=100.0)],
        ports=[("hp", "heat", 1.0), ("hp", "el", -0.5), ("boiler", "heat", 1.0), ("grid", "el", 1.0)],
        demand={"heat": 10.0}, periods=(2025, 2030, 2035), port_vintage={("hp", "el"): [-0.5, -0.25, -0.2]},
    )  # fmt: skip
    network.units["earliest_operation"] = [2030.0, np.nan, np.nan]
    model = PathwayModel(network)
    assert model.solve() == ("ok", "optimal")
    assert model.new.solution.sel(unit="hp").fillna(0.0).values == pytest.approx([0.0, 10.0, 10.0])
    assert model.objective_value == pytest.approx(26_280_000 + 1_000 + 2_190_000 + 500 + 1_752_000, rel=1e-9)
    # The plan reports each period's COP mix (the ports table's coefficient where the unit ran not at all).
    energy = (model.flow.solution * network.day_weight).sum(["day", "hour"])
    assert _vintage_coefficients(model, energy).loc[("hp", "el")].to_list() == pytest.approx([-0.5, -0.25, -0.2])


# -- the cluster builder: vintage coefficients are the catalog's values of each build year ----------------------------
LAT, LON = 51.3, 4.3


def _cluster(demands, sector="chemicals") -> Cluster:
    data = {
        "id": "tiny", "name": "Tiny", "country": "BE", "location": {"lat": LAT, "lon": LON}, "kind": "port",
        "currency": "EUR", "base_year": 2023, "discount_rate": 0.05,
        "grid": {"emission_factor": {2023: "0.2 tCO2e/MWh"}, "electricity_price": {2023: 80}},
        "resources": {"co2_storage": [{"id": "s", "name": "S", "setting": "offshore", "distance": "100 km",
                                       "injection_capacity": "5 Mt"}]},
        "members": [{"id": "chem", "name": "Chem", "sector": sector, "value_added": 1e7, "jobs": 10,
                     "location": {"lat": LAT, "lon": LON}, "demands": demands, "flue_co2_concentration": "20 %"}],
    }  # fmt: skip
    return Cluster.model_validate(copy.deepcopy(data))


PERIODS = [2025, 2030, 2040, 2050]


def test_builder_gives_each_vintage_its_catalog_year():
    demands = [{"service": "steam", "carrier": "natural_gas", "equipment": "boiler", "efficiency": 0.9,
                "useful_energy": "200000 MWh"},
               {"service": "hydrogen_feedstock", "carrier": "hydrogen", "final_energy": "100000 MWh"}]  # fmt: skip
    scenario = Scenario(name="t", periods=PERIODS, typical_days=1,
                        levers=["heat_pump", "carbon_capture", "co2_network", "hydrogen_network", "electrolysis"])
    n = NetworkBuilder(_cluster(demands), scenario).build()
    vintage = n.port_vintage
    # technologies.csv, electrolysis_aec efficiency 0.5874 (2025), 0.6217 (2030), 0.6532 (2040), 0.6994 (2050).
    assert vintage[(f"{HUB}|electrolysis", f"{HUB}|hydrogen")] == pytest.approx([0.5874, 0.6217, 0.6532, 0.6994])
    # Industrial heat pump up to 150 C: COP 3.0, 3.05, 3.15, 3.2.
    assert vintage[("chem|heat_pump:steam", "chem|electricity")] == pytest.approx([-1 / 3.0, -1 / 3.05, -1 / 3.15, -1 / 3.2])
    # Flue capture at 20 % CO2 (cement_capture, DEA 401.c): capture rate 0.9, 0.9, 0.95, 0.95.
    assert vintage[("chem|capture:co2_flue", "chem|co2_captured")] == pytest.approx([0.9, 0.9, 0.95, 0.95])
    assert vintage[("chem|capture:co2_flue", "chem|scope1")] == pytest.approx([0.1, 0.1, 0.05, 0.05])
    # Its capex per t/h treated follows the build year's rate: 2050's 2,263,202.2821 EUR per t/h captured x 0.95.
    capex_2050 = float(n.unit_period.loc[("chem|capture:co2_flue", 2050), "capex"])
    assert capex_2050 == pytest.approx(2_263_202.2821 * 0.95)
