"""How the builder prices and sizes the cost-side levers: battery losses, CO2 trunks and storage, policy eligibility.

Clusters are built as in test_build.py; expected numbers are the reference data's, worked out by hand in the test.
"""

from __future__ import annotations

import math

import pytest

from clusterpath.pathway.build import HUB

from .test_build import CATALOG, build, cluster


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
