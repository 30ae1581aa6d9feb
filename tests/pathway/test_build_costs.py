"""How the builder prices and sizes the cost-side levers: battery losses, CO2 trunks and storage, policy eligibility.

Clusters are built as in test_build.py; expected numbers are the reference data's, worked out by hand in the test.
"""

from __future__ import annotations

import math

import pytest

from clusterpath.pathway.build import HUB

from .test_build import CATALOG, build, cluster, gas, hydrogen_feedstock, member


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
    n = build(c, ["hydrogen_network", "electrolysis", "heat_network"], fuel_prices={"natural_gas": {2025: 30, 2035: 45}})
    value = n.meta["byproduct_value"].loc[f"{HUB}|heat_low"]
    boiler = CATALOG.number("gas_boiler_steam", "efficiency", 2025)
    assert value[2025] == pytest.approx(30 / boiler)
    assert value[2035] == pytest.approx(45 / boiler)
    assert build(cluster(), []).meta["byproduct_value"].empty
