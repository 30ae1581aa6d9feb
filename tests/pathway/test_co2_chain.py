"""The CO2 chain from the hub to a storage site: booster stations on long lines, and sites reached by ship.

Issue 15, docs/validation.md D1 (c) and (d). Expected numbers are the Danish Energy Agency's (Technology Data for
Carbon Capture, Transport and Storage, datasheets 421 co2 pipeline, 423 co2 ship transport and co2 terminals, EUR of
2020) and the catalog's, worked out by hand here; the cluster's discount rate is 5 %.
"""

from __future__ import annotations

import pytest
from helpers.networks import make_network

from clusterpath import examples
from clusterpath.pathway.hub import HUB
from clusterpath.pathway.network import PathwayModel
from clusterpath.pathway.result import PathwayResult

from ..test_bad_input import message
from .test_build import CATALOG, EUR_2020_TO_2025, build, capex, cluster, gas, member, ports_of

RATE = 0.05


def a(years: float) -> float:
    """Annuity factor at 5 %."""
    return RATE / (1 - (1 + RATE) ** -years)


# The trunk unit carries the catalog's co2_pipeline lifetime (50 years) and fixed O&M (0.9 % a year): a part with
# another life rides on it at (a(own life) + own O&M share) / (a(50) + 0.009).
PIPE = a(50) + 0.009


def kiln() -> dict:
    return member("cem", [gas("heat_high", 200_000, equipment="kiln")], sector="cement")


def site(km: float, injection: str = "2.5 Mt", **extra) -> dict:
    return {"id": "s", "name": "S", "setting": "offshore", "distance": f"{km} km", "injection_capacity": injection,
            **extra}  # fmt: skip


def test_a_long_trunk_pays_deas_booster_pumping_stations():
    # DEA 421 note D: capture delivers CO2 at 150 bar; a pumping station (4 MEUR2020 for 2 Mt/yr, 25 years) brings
    # it from 80 back to 150 bar about every 100 km. A 250 km line has ceil(250 / 100) - 1 = 2 of them.
    n = build(cluster(kiln(), co2_storage=[site(250)]), ["carbon_capture", "co2_network"], periods=[2025],
              economies_of_scale=False)  # fmt: skip
    station_per_t_h = 4e6 / (2e6 / 8760)  # 17,520 EUR2020 per t/h of its 2 Mt/yr
    line = 4 * 250_000  # DEA's offshore line, 4 EUR2020 per t/h per metre
    expected = (line + 2 * station_per_t_h * a(25) / PIPE) * EUR_2020_TO_2025
    assert capex(n, f"{HUB}|co2-storage:s") == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize("km, stations", [(50, 0), (100, 0), (101, 1), (950, 9)])
def test_stations_follow_the_line_length(km, stations):
    n = build(cluster(kiln(), co2_storage=[site(km)]), ["carbon_capture", "co2_network"], periods=[2025],
              economies_of_scale=False)  # fmt: skip
    per_t_h = capex(n, f"{HUB}|co2-storage:s") / EUR_2020_TO_2025 - 4 * km * 1000
    assert per_t_h == pytest.approx(stations * 4e6 / (2e6 / 8760) * a(25) / PIPE, abs=1e-6)


def test_a_site_reached_by_ship_pays_ships_a_loading_terminal_fuel_and_liquefaction():
    n = build(cluster(kiln(), co2_storage=[site(950, "5 Mt", transport="ship")]), ["carbon_capture", "co2_network"],
              periods=[2025, 2035])  # fmt: skip
    unit = f"{HUB}|co2-storage:s"
    # A round trip of 2 x 950 km at DEA's 28 km/h (15 knots) takes 67.86 h: per t/h carried the fleet holds
    # 67.86 t of cargo, in 10,000 t ships that each burn 180 MWh of heavy fuel oil a day (DEA 423, 2020 and 2030).
    round_trip = 2 * 950 / 28
    fuel = 180 / 24 * round_trip / 10_000  # MWh per tonne carried
    co2_per_mwh = 77_400 * 0.0036 / 1000  # IPCC 2006 Vol. 2 Table 1.4, residual fuel oil, t CO2 per MWh
    ports = ports_of(n, unit)
    assert ports[f"{HUB}|co2"] == -1.0
    # Liquefaction: 0.123 MWh of electricity per tonne (catalog co2_liquefaction, IEA GHG PH4/30 via PyPSA).
    assert ports[f"{HUB}|electricity"] == pytest.approx(-CATALOG.number("co2_liquefaction", "electricity-input", 2025))
    assert ports[f"{HUB}|electricity"] == pytest.approx(-0.123)
    assert ports[f"{HUB}|fuel_oil"] == pytest.approx(-fuel)
    assert ports[f"{HUB}|co2_flue"] == pytest.approx(fuel * co2_per_mwh)
    # Ships built in 2035 burn DEA's figure for their year: 180 - (180 - 150) x 5 / 20 = 172.5 MWh a day.
    later = 172.5 / 24 * round_trip / 10_000
    assert n.port_vintage[(unit, f"{HUB}|fuel_oil")] == pytest.approx([-fuel, -later])
    assert f"{HUB}|buy:fuel_oil" in n.units.index and f"{HUB}|vent" in n.units.index
    # Costs in 2025, halfway between DEA's 2020 and 2030 columns: ships 6,350 EUR per t of cargo and 317.5 a year
    # (40 years); the loading terminal buffers one 10,000 t cargo at DEA's large terminal's 1,450 EUR per t of
    # tank and 43.5 a year (25 years). The terminal is the chain's fixed part, the fleet its part per t/h.
    (row,) = n.scale.xs((unit, 2025), level=("unit", "period")).itertuples(index=False)
    ships = round_trip * 6350 * (a(40) + 317.5 / 6350) / PIPE * EUR_2020_TO_2025
    terminal = 10_000 * 1450 * (a(25) + 43.5 / 1450) / PIPE * EUR_2020_TO_2025
    assert (row.lo, row.fixed, row.slope) == pytest.approx((0.0, terminal, ships), rel=1e-9)
    assert row.hi >= 5e6 / 8760


def test_a_linear_plan_spreads_the_terminal_over_the_sites_injection_capacity_and_lays_no_pipe():
    shipped = build(cluster(kiln(), co2_storage=[site(950, "5 Mt", transport="ship")]),
                    ["carbon_capture", "co2_network"], periods=[2025], economies_of_scale=False)  # fmt: skip
    size = 5e6 / 8760  # t/h
    ships = 2 * 950 / 28 * 6350 * (a(40) + 317.5 / 6350) / PIPE
    terminal = 10_000 * 1450 * (a(25) + 43.5 / 1450) / PIPE
    expected = (terminal / size + ships) * EUR_2020_TO_2025  # no line, no pumping station
    assert capex(shipped, f"{HUB}|co2-storage:s") == pytest.approx(expected, rel=1e-9)


def test_transport_defaults_to_pipeline_so_older_files_load():
    c = cluster(kiln(), co2_storage=[site(50)])
    assert c.resources.co2_storage[0].transport == "pipeline"


def test_an_unknown_transport_mode_is_refused_with_a_clear_message(tmp_path, small_cluster):
    small_cluster.setdefault("resources", {})["co2_storage"] = [site(950, transport="truck")]
    text = message(tmp_path, small_cluster)
    assert "resources.co2_storage[0] (id 's').transport" in text, text
    assert "'truck' is not allowed: expected 'pipeline' or 'ship'" in text, text


def test_the_port_example_reaches_its_northern_site_by_ship():
    sites = examples.load("port-chemicals").resources.co2_storage
    assert {s.id: s.transport for s in sites} == {"northern-north-sea": "ship", "southern-north-sea": "pipeline"}


def test_a_tonne_stored_pays_the_energy_its_chain_draws():
    # 8,760 t a year shipped, 5 per tonne of the chain's own cost and 0.1 MWh of electricity per tonne bought at 100:
    # what a tonne stored costs the capture levers (docs/model.md 6.9) is 5 + 0.1 x 100 = 15, not 5.
    network = make_network(buses={"co2": "balance", "electricity": "balance", "stored": "emission"},
                           units=[{"unit": "ship", "unlimited": True, "extendable": False, "vom": 5.0},
                                  {"unit": "grid", "unlimited": True, "extendable": False, "vom": 100.0}],
                           ports=[("ship", "co2", -1.0), ("ship", "electricity", -0.1), ("ship", "stored", 1.0),
                                  ("grid", "electricity", 1.0)],
                           demand={"co2": -1.0})  # fmt: skip
    network.units["lever"] = ["co2_network", "market"]
    network.units["node"] = HUB
    model = PathwayModel(network)
    assert model.solve() == ("ok", "optimal")
    result = PathwayResult.from_model(model, "EUR", "ok")
    assert result._co2_disposal(2025)[0] == pytest.approx(15.0, rel=1e-6)
