"""The cost curve (MACC) and levelized costs of a plan, on results written by hand.

Each test sets a plan's yearly flows and unit costs directly (no solve), so the expected
figures are arithmetic on those numbers, written out in the test.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from clusterpath.pathway.build import HUB
from clusterpath.pathway.result import PathwayResult

PERIOD = 2050


def hand_result(units: list[tuple], ports: list[tuple[str, str, float]], flows: dict[str, float],
                costs: dict[str, float], prices: dict[str, float], meta: dict | None = None) -> PathwayResult:  # fmt: skip
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


CAPTURE, LINK, STORE, DAC = "cem|capture:co2_flue", "cem|co2-connection", f"{HUB}|co2-storage:s", f"{HUB}|direct-air-capture"


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
