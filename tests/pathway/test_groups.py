"""Grouping alike members: the same optimum as solving each member, and each member's share back.

The proof that grouping is exact (docs/model.md, "Grouping members"): with linear costs and
every unit serving one service, a member's least cost is linear in its demand of each
service, so members with the same units and prices but different sizes and mixes behave as
their sum. Members here sit at the same distance from the hub, so even their connections
cost the same per MW and the grouped plan must match the full one to solver precision.
"""

from __future__ import annotations

import numpy as np
import pytest

from clusterpath.pathway.build import NetworkBuilder
from clusterpath.pathway.groups import group, member_groups
from clusterpath.pathway.hub import HUB
from clusterpath.pathway.plan import plan

from .test_build import cluster, gas, member, power, scenario

pytestmark = pytest.mark.filterwarnings("ignore::linopy.LinopySemanticsWarning")

LEVERS = ["heat_pump", "electric_boiler", "hydrogen_network", "hydrogen_fuel"]


def alike():
    """Three gas users of different size and mix, two power-only users, one of another kind."""
    return cluster(
        member("a1", [power(2000), gas("heat_low", 8760), gas("steam", 4000)]),
        member("a2", [power(500), gas("heat_low", 3000), gas("steam", 9000)]),
        member("a3", [power(9000), gas("heat_low", 1000), gas("steam", 1500)]),
        member("b1", [power(1000)]),
        member("b2", [power(4000)]),
        member("c", [gas("heat_low", 5000, efficiency=0.8)]),
    )


def capped():
    return scenario(LEVERS, periods=[2025, 2030, 2035], target_year=2035, economies_of_scale=False)


def test_members_with_the_same_equipment_and_options_form_groups():
    network = NetworkBuilder(alike(), capped()).build()
    # c burns gas at another efficiency: different ports, so it stays on its own.
    assert member_groups(network) == {"a1": ["a1", "a2", "a3"], "b1": ["b1", "b2"]}


def test_distance_does_not_split_a_group_but_its_connection_cost_is_the_weighted_mean():
    c = cluster(member("near", [gas("heat_low", 8760)]), member("far", [gas("heat_low", 3 * 8760)], km_north=9))
    network = NetworkBuilder(c, capped()).build()
    groups = member_groups(network)
    assert groups == {"near": ["near", "far"]}
    grouped = group(network, groups)
    capex = network.unit_period["capex"].xs(2025, level="period")
    # Weights are the members' mean demand: 1 MW and 3 MW.
    expected = (1 * capex["near|h2-connection"] + 3 * capex["far|h2-connection"]) / 4
    assert grouped.unit_period.loc[("near|h2-connection", 2025), "capex"] == pytest.approx(expected)
    assert "far|h2-connection" not in grouped.units.index
    assert float(grouped.demand.sel(bus="near|heat_low").isel(period=0, day=0, hour=0)) == pytest.approx(4.0)


@pytest.fixture(scope="module")
def both():
    c, s = alike(), capped()
    return plan(c, s, baseline=False, group_members=True), plan(c, s, baseline=False, group_members=False)


def test_grouped_plan_has_the_optimum_of_the_full_one(both):
    grouped, full = both
    assert grouped.summary()["member_groups"] == {"a1": ["a1", "a2", "a3"], "b1": ["b1", "b2"]}
    assert full.summary()["member_groups"] == {}
    assert grouped.objective == pytest.approx(full.objective, rel=1e-7)
    for period, value in full.summary()["emissions_tco2e"].items():
        assert grouped.summary()["emissions_tco2e"][period] == pytest.approx(value, rel=1e-6, abs=1e-3)
    a = grouped.capacity_by_technology()
    b = full.capacity_by_technology()
    assert a.index.equals(b.index)
    np.testing.assert_allclose(a.to_numpy(), b.to_numpy(), rtol=1e-5, atol=1e-6)


def test_each_member_of_a_group_balances_its_own_energy(both):
    """Shares follow flows: every member's units meet its own demand on every bus, every period."""
    grouped, _ = both
    network = NetworkBuilder(alike(), capped()).build()
    energy = grouped.data["energy"].to_pandas()  # (unit, period) MWh a year
    ports = grouped.ports
    # Each period's coefficients: a heat pump's power per MWh of heat is its vintages' mix (docs/model.md, 4).
    coefficient = grouped.coefficients()
    demand = network.demand.mean(["day", "hour"]).to_pandas() * 8760
    member_buses = [b for b in network.buses.index[network.buses["kind"] == "balance"] if not b.startswith(HUB)]
    for bus in member_buses:
        rows = ports[ports["bus"] == bus]
        supplied = sum(coefficient.loc[i] * energy.loc[u] for i, u in zip(rows.index, rows["unit"], strict=True))
        np.testing.assert_allclose(supplied.to_numpy(), demand.loc[bus].to_numpy(), rtol=1e-6, atol=1e-3, err_msg=bus)


def test_member_emissions_add_up_to_the_cluster_and_scale_with_the_member(both):
    grouped, _ = both
    members = grouped.member_emissions()
    totals = grouped.emissions_by("node").sum()
    np.testing.assert_allclose(members.sum().to_numpy(), totals.to_numpy(), rtol=1e-9)
    # b1 and b2 only buy power: their scope 2 is in proportion to their demand (1,000 and 4,000 MWh).
    assert members.loc["b2"].to_numpy() == pytest.approx(4 * members.loc["b1"].to_numpy(), rel=1e-6)


def test_small_clusters_are_solved_member_by_member_unless_asked():
    result = plan(cluster(member("a1", [power(100)]), member("a2", [power(200)])), scenario(), baseline=False)
    assert result.summary()["member_groups"] == {}


def _sewered(mid: str, power_mwh: float, cod_t: float, recovered: str) -> dict:
    m = member(mid, [power(power_mwh)], km_north=2)
    m["wastewater"] = [{"amount": "0.5 Mm3", "cod": f"{cod_t} t", "treatment": "anaerobic",
                        "methane_recovered": recovered}]  # fmt: skip
    return m


def test_grouped_stream_connection_averages_by_the_stream_not_by_demand():
    """Two members differ in power use and in how much methane a tonne of their COD emits today.

    x: 1,000 t COD, nothing recovered, 1,000 MWh of power; y: 3,000 t COD, 75 % recovered, 9,000 MWh.
    Each tonne x sends avoids e = 0.25 x 0.8 x 27.0 = 5.4 tCO2e; each tonne y sends a quarter of that.
    The group sends one stream of 4,000 t: a tonne of it avoids (1,000 e + 3,000 e/4) / 4,000 = 0.4375 e,
    the COD-weighted mean; weighting by power (1:9) gives (e + 9 e/4) / 10 = 0.325 e and leaves methane
    unaccounted for once everything is sent.
    """
    e = 0.25 * 0.8 * 27.0
    c = cluster(_sewered("x", 1000, 1000, "0 %"), _sewered("y", 9000, 3000, "75 %"))
    s = scenario(["wastewater_treatment"], periods=[2025, 2030], target="carbon_price_only",
                 carbon_price={2025: 1000, 2030: 1000}, economies_of_scale=False)  # fmt: skip
    network = NetworkBuilder(c, s).build()
    groups = member_groups(network)
    assert groups == {"x": ["x", "y"]}
    grouped = group(network, groups)
    ports = grouped.ports[(grouped.ports["unit"] == "x|wastewater-connection") & (grouped.ports["bus"] == "x|scope1")]
    assert float(ports["coefficient"].iloc[0]) == pytest.approx(-(1000 * e + 3000 * e / 4) / 4000)
    # At 1,000 EUR/t every tonne of COD is sent, so no methane is left in either model: scope 1 is the
    # biogas CHP's and flare's small CH4 and N2O on the hub, the same in both.
    results = [plan(c, s, baseline=False, group_members=g) for g in (True, False)]
    for result in results:
        sent = result.data["energy"].sel(unit=["x|wastewater-connection", "y|wastewater-connection"], period=2030)
        assert float(sent.sum()) == pytest.approx(4000, rel=1e-6)
        scope1 = result.data["emissions"].sel(bus=["x|scope1", "y|scope1"], period=2030).to_pandas()
        assert scope1.to_dict() == pytest.approx({"x|scope1": 0.0, "y|scope1": 0.0}, abs=1e-3)
    together, alone = (r.emissions_by("scope").loc["scope1"].to_dict() for r in results)
    assert together == pytest.approx(alone, abs=1e-3)
