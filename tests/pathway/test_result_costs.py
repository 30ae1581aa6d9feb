"""The cost curve (MACC) and levelized costs of a plan, on results written by hand.

Each test sets a plan's yearly flows and unit costs directly (no solve), so the expected
figures are arithmetic on those numbers, written out in the test.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from clusterpath.pathway.hub import HUB
from clusterpath.pathway.result import PathwayResult

PERIOD = 2050


def hand_result(units: list[tuple], ports: list[tuple[str, str, float]], flows: dict[str, float],
                costs: dict[str, float], prices: dict[str, float], meta: dict | None = None) -> PathwayResult:
    """A one-period plan: ``units`` (name, node, lever, service, cost_kind), yearly reference flows and costs."""
    table = pd.DataFrame(units, columns=["unit", "node", "lever", "service", "cost_kind"]).set_index("unit")
    names = pd.Index(table.index, name="unit")
    period = pd.Index([PERIOD], name="period")

    def column(values: dict[str, float]) -> xr.DataArray:
        return xr.DataArray([[values.get(u, 0.0)] for u in names], coords=[names, period])

    data = xr.Dataset({"energy": column(flows), "unit_cost": column(costs)})
    price_table = pd.DataFrame({PERIOD: prices}, dtype=float) if prices else pd.DataFrame(columns=[PERIOD])
    return PathwayResult(status="ok", objective=0.0, currency="EUR", data=data, units=table, costs={},
                         buses=pd.DataFrame(), ports=pd.DataFrame(ports, columns=["unit", "bus", "coefficient"]),
                         stores=pd.DataFrame(), prices=price_table, discount=pd.Series({PERIOD: 1.0}),
                         meta=meta or {})  # fmt: skip


CAPTURE, LINK = "cem|capture:co2_flue", "cem|co2-connection"
STORE, DAC = f"{HUB}|co2-storage:s", f"{HUB}|direct-air-capture"


def co2_chain() -> PathwayResult:
    """A member captures 90 of 100 t, its link carries them to the hub, air capture adds 10 t; 100 t stored."""
    units = [(CAPTURE, "cem", "carbon_capture", "co2", "variable_om"),
             (LINK, "cem", "co2_network", "", "variable_om"),
             (STORE, HUB, "co2_network", "", "co2_storage"),
             (DAC, HUB, "direct_air_capture", "", "variable_om")]  # fmt: skip
    ports = [(CAPTURE, "cem|co2_flue", -1.0), (CAPTURE, "cem|co2_captured", 0.9), (CAPTURE, "cem|scope1", 0.1),
             (CAPTURE, "cem|electricity", -0.3),
             (LINK, "cem|co2_captured", -1.0), (LINK, f"{HUB}|co2", 1.0),
             (STORE, f"{HUB}|co2", -1.0),
             (DAC, f"{HUB}|electricity", -0.5), (DAC, f"{HUB}|co2", 1.0), (DAC, f"{HUB}|scope1", -1.0)]  # fmt: skip
    flows = {CAPTURE: 100.0, LINK: 90.0, STORE: 100.0, DAC: 10.0}
    costs = {CAPTURE: 1800.0, LINK: 270.0, STORE: 1000.0, DAC: 3000.0}
    return hand_result(units, ports, flows, costs, {"cem|electricity": 100.0, f"{HUB}|electricity": 100.0})


def test_cost_curve_counts_the_co2_network_and_storage_once():
    macc = co2_chain().macc()
    # The trunk and storage (1000 a year) are paid once, per tonne stored: 1000 / 100 t = 10 a tonne.
    # Capture: its own 1800 + power 0.3 x 100 t x 100 = 3000, its link 270, and 90 t x 10 stored: 5970 / 90 t.
    assert macc.loc["carbon_capture", "abatement_tco2e"] == pytest.approx(90.0)
    assert macc.loc["carbon_capture", "cost_per_tco2e"] == pytest.approx((1800 + 3000 + 270 + 90 * 10) / 90)
    # Air capture: 3000 + power 0.5 x 10 t x 100 = 500, and 10 t x 10 stored; it uses no member's link.
    assert macc.loc["direct_air_capture", "cost_per_tco2e"] == pytest.approx((3000 + 500 + 10 * 10) / 10)
    # Everything the CO2 chain costs is in the curve exactly once.
    spend = (macc["abatement_tco2e"] * macc["cost_per_tco2e"]).sum()
    assert spend == pytest.approx(1800 + 3000 + 270 + 1000 + 3000 + 500)
    assert np.isfinite(macc["cost_per_tco2e"]).all()


ELY, SMR = f"{HUB}|electrolysis", f"{HUB}|smr-ccs"
HP, RELEASE = f"{HUB}|large_heat_pump:heat_low", f"{HUB}|heat-release"
HEAT_VALUE = 40.0  # by-product heat is credited at what heat costs from a gas boiler (builder's meta)


def hydrogen_and_heat(heat_pump: bool = True) -> PathwayResult:
    """Electrolysis (power in: 0.7 hydrogen, 0.2 heat), SMR with capture (gas in: 0.69 hydrogen, 0.18 t CO2 stored),
    a heat pump (COP 3), air capture using 16 MWh of heat, and 50 MWh of heat released."""
    units = [(ELY, HUB, "electrolysis", "", "variable_om"), (SMR, HUB, "smr_ccs", "", "variable_om"),
             (HP, HUB, "large_heat_pump", "heat_low", "variable_om"), (RELEASE, HUB, "release", "", "variable_om"),
             (STORE, HUB, "co2_network", "", "co2_storage"),
             (DAC, HUB, "direct_air_capture", "", "variable_om")]  # fmt: skip
    h2, heat, power, gas, co2 = (f"{HUB}|{c}" for c in ("hydrogen", "heat_low", "electricity", "natural_gas", "co2"))
    ports = [(ELY, power, -1.0), (ELY, h2, 0.7), (ELY, heat, 0.2),
             (SMR, gas, -1.0), (SMR, h2, 0.69), (SMR, co2, 0.18), (SMR, f"{HUB}|scope1", 0.02),
             (HP, power, -1 / 3), (HP, heat, 1.0), (RELEASE, heat, -1.0), (STORE, co2, -1.0),
             (DAC, power, -0.5), (DAC, heat, -1.6), (DAC, co2, 1.0), (DAC, f"{HUB}|scope1", -1.0)]  # fmt: skip
    flows = {ELY: 1000.0, SMR: 1000.0, HP: 300.0 if heat_pump else 0.0, RELEASE: 50.0, STORE: 190.0, DAC: 10.0}
    costs = {ELY: 20_000.0, SMR: 10_000.0, HP: 3000.0 if heat_pump else 0.0, STORE: 1900.0, DAC: 3000.0}
    meta = {"byproduct_value": pd.DataFrame({PERIOD: {heat: HEAT_VALUE}})}
    return hand_result(units, ports, flows, costs, {power: 50.0, gas: 30.0}, meta)


def test_electrolysis_waste_heat_is_a_by_product_credited_at_its_value():
    result = hydrogen_and_heat()
    # 190 t stored for 1900 a year: 10 a tonne. Electrolysis: 20,000 + 1000 MWh x 50 = 70,000 for 700 MWh of
    # hydrogen and 200 MWh of heat, of which the 50 MWh released first: 150 MWh used, credited 150 x 40 = 6,000.
    # SMR with capture: 10,000 + 1000 MWh of gas x 30 + 180 t x 10 stored = 41,800 for 690 MWh.
    hydrogen = (70_000 - 150 * HEAT_VALUE + 41_800) / (700 + 690)
    assert result.levelized_cost(f"{HUB}|hydrogen")[PERIOD] == pytest.approx(hydrogen)
    # Heat: the heat pump's 3,000 + 100 MWh x 50 for 300 MWh, and the 150 MWh of waste heat used at its value.
    heat = (3000 + 100 * 50 + 150 * HEAT_VALUE) / (300 + 150)
    assert result.levelized_cost(f"{HUB}|heat_low")[PERIOD] == pytest.approx(heat)
    # Air capture pays for its heat at that cost: 3,000 + 5 MWh x 50 + 16 MWh x heat + 10 t x 10 stored.
    assert result.macc().loc["direct_air_capture", "cost_per_tco2e"] == pytest.approx(
        (3000 + 250 + 16 * heat + 100) / 10)


def test_waste_heat_alone_costs_its_value_and_released_heat_earns_no_credit():
    result = hydrogen_and_heat(heat_pump=False)
    assert result.levelized_cost(f"{HUB}|heat_low")[PERIOD] == pytest.approx(HEAT_VALUE)
    # Each output pays its share once: the credited heat plus the hydrogen add up to what both units cost.
    hydrogen = result.levelized_cost(f"{HUB}|hydrogen")[PERIOD]
    assert hydrogen * 1390 + HEAT_VALUE * 150 == pytest.approx(70_000 + 41_800)


H2_LINK, H2_FUEL = "ref|h2-connection", "ref|hydrogen_fuel:heat_high"


def hydrogen_link_for_feedstock_and_fuel() -> PathwayResult:
    """Electrolysis makes 700 MWh (power in, 0.7 out) that a refinery's link carries: 200 MWh replace today's
    feedstock (0.25 t and 40 a MWh), 500 MWh fire 400 MWh of high-temperature heat (0.2 t and 30 a MWh today)."""
    h2, power = f"{HUB}|hydrogen", f"{HUB}|electricity"
    units = [(ELY, HUB, "electrolysis", "", "variable_om"), (H2_LINK, "ref", "hydrogen_network", "", "variable_om"),
             (H2_FUEL, "ref", "hydrogen_fuel", "heat_high", "variable_om")]  # fmt: skip
    ports = [(ELY, power, -1.0), (ELY, h2, 0.7), (H2_LINK, h2, -1.0), (H2_LINK, "ref|hydrogen", 1.0),
             (H2_FUEL, "ref|hydrogen", -1.25), (H2_FUEL, "ref|heat_high", 1.0)]  # fmt: skip
    flows = {ELY: 1000.0, H2_LINK: 700.0, H2_FUEL: 400.0}
    costs = {ELY: 20_000.0, H2_LINK: 700.0, H2_FUEL: 400.0}
    today = pd.DataFrame({"useful_mwh": [200.0, 400.0], "fuel_cost": [200 * 40.0, 400 * 30.0],
                          "scope1_tco2e": [200 * 0.25, 400 * 0.2]},
                         index=pd.MultiIndex.from_tuples([("ref", "hydrogen_feedstock", PERIOD),
                                                          ("ref", "heat_high", PERIOD)],
                                                         names=["member", "service", "period"]))  # fmt: skip
    return hand_result(units, ports, flows, costs, {power: 50.0}, {"incumbent": today})


def test_hydrogen_burnt_as_fuel_is_counted_once_and_paid_by_the_fuel_lever():
    macc = hydrogen_link_for_feedstock_and_fuel().macc()
    # Hub hydrogen: (20,000 + 1000 MWh x 50) / 700 MWh = 100 a MWh; the link adds 700 / 700 MWh = 1 a MWh.
    # The link abates today's feedstock only, 200 MWh x 0.25 t = 50 t, and pays its feedstock share (200 of the
    # 700 MWh) of its own cost and of the hydrogen, less the feedstock bought today: 200/700 x 70,700 - 8,000.
    assert macc.loc["hydrogen_network", "abatement_tco2e"] == pytest.approx(50.0)
    assert macc.loc["hydrogen_network", "cost_per_tco2e"] == pytest.approx((200 / 700 * 70_700 - 8000) / 50)
    # The fuel lever abates 400 MWh x 0.2 t = 80 t and pays 500 MWh of hydrogen at 101, less 400 MWh x 30 of fuel.
    assert macc.loc["hydrogen_fuel", "abatement_tco2e"] == pytest.approx(80.0)
    assert macc.loc["hydrogen_fuel", "cost_per_tco2e"] == pytest.approx((400 + 500 * 101 - 12_000) / 80)
    # Every cost is in the curve once: electrolysis, power, link and burner, less what today's supply cost.
    spend = (macc["abatement_tco2e"] * macc["cost_per_tco2e"]).sum()
    assert spend == pytest.approx(20_000 + 50_000 + 700 + 400 - 8000 - 12_000)
