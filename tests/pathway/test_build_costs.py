"""How the builder prices and sizes the cost-side levers: battery losses, CO2 trunks and storage, policy eligibility.

Clusters are built as in test_build.py; expected numbers are the reference data's, worked out by hand in the test.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from clusterpath.pathway.build import HUB
from clusterpath.pathway.catalog import exchange_rate

from .test_build import BASE_YEAR, CATALOG, build, cluster, gas, hydrogen_feedstock, member


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
    # 26 USC 45Q(a)(3)-(4) and (b)(1)(A): $17/t into geologic storage, x5 with the wage rules: $85/t, in EUR.
    usd = point.rate.iloc[0] / 85.0
    assert usd == pytest.approx(eur_per_usd(), rel=1e-9)
    # 45Q(d)(2)(C): an industrial facility (not power, not air capture) must capture 12,500 t a year;
    # the reformer is its own facility, apart from any air capture on the hub.
    assert point.facility[smr] == smr and point.threshold[smr] == pytest.approx(12_500)
    # 45V(d)(2): a facility with capture equipment claiming 45Q is not a clean hydrogen production facility.
    assert production and all(smr not in cr.per_flow.index for cr in production)
    assert any(f"{HUB}|electrolysis" in cr.per_flow.index for cr in production)


def eur_per_usd() -> float:
    """EUR per USD at the test cluster's base year, as the policy builder converts instrument money."""
    return exchange_rate("EUR", BASE_YEAR) / exchange_rate("USD", BASE_YEAR)


def test_a_unit_earning_45q_is_left_out_of_45v():
    from clusterpath.pathway.policies import _without_stacking
    from clusterpath.pathway.policy_terms import OutputCredit

    rate = pd.Series({2025: 1.0})
    production = [OutputCredit("v", per_flow=pd.Series({"a": 30.0, "b": 20.0}), rate=rate),
                  OutputCredit("v2", per_flow=pd.Series({"b": 20.0}), rate=rate)]  # fmt: skip
    sequestration = [OutputCredit("q", per_flow=pd.Series({"b": 0.2}), rate=rate, facility=pd.Series({"b": "b"}))]
    kept = _without_stacking(production, sequestration)
    assert [c.name for c in kept] == ["v"] and kept[0].per_flow.to_dict() == {"a": 30.0}
