"""Segmented typical days: time steps of several hours (tsam segmentation) on cases solved by hand.

Zero discount rate, one-year periods and lifetime 1, so capex is the yearly cost and every
expected number below is plain arithmetic written out in the comments. The day has two steps,
6 hours of sun and 18 hours of night: a model that took each step for one hour would need
a store of 10 MWh instead of 180 and fail every figure.
"""

from __future__ import annotations

import numpy as np
import pytest
from helpers.networks import make_network

from clusterpath.pathway.network import HOURS, Network, PathwayModel

pytestmark = pytest.mark.filterwarnings("ignore::linopy.LinopySemanticsWarning")

SUN, NIGHT = 6, 18  # hours of the two steps
PV_CAPEX, STORE_CAPEX = 100.0, 10.0  # per MW and per MWh, a year


def solved(network: Network) -> PathwayModel:
    model = PathwayModel(network)
    assert model.solve() == ("ok", "optimal")
    return model


def sun_and_store(durations=((SUN, NIGHT),), sun=(1.0, 0.0), loss: float = 0.0, **extra) -> Network:
    # 10 MW demand all day, served by PV (sun only in the first step) and a store charged at 90 %.
    return make_network(
        buses={"el": "balance"},
        units=[dict(unit="pv", capex=PV_CAPEX, lifetime=1, profile="pv")],
        ports=[("pv", "el", 1.0)], demand={"el": 10.0}, profiles={"pv": np.asarray(sun)},
        stores=[dict(store="s", bus="el", eta_charge=0.9, standing_loss=loss, lifetime=1,
                     capex_energy=STORE_CAPEX)],
        durations=durations, **extra,
    )  # fmt: skip


def test_energy_costs_and_emissions_count_each_step_for_its_hours():
    # Grid at 50 per MWh, 0.2 t/MWh; demand 10 MW for 6 h and 20 MW for 18 h, 365 days:
    # 365 * (60 + 360) = 153,300 MWh, cost 7,665,000, emissions 30,660 t.
    # (Steps of one hour each would give 365 * 30 MWh.)
    network = make_network(
        buses={"el": "balance", "co2": "emission"},
        units=[dict(unit="grid", unlimited=True, extendable=False, vom=50.0)],
        ports=[("grid", "el", 1.0), ("grid", "co2", 0.2)], demand={"el": np.array([10.0, 20.0])},
        durations=[(SUN, NIGHT)],
    )  # fmt: skip
    model = solved(network)
    assert model.objective_value == pytest.approx(7_665_000.0, rel=1e-9)
    assert float(model.emissions.solution.sel(bus="co2").item()) == pytest.approx(30_660.0, rel=1e-9)
    assert float(network.step_weight.sum()) == 8760


def test_a_store_carries_six_hours_of_sun_through_an_eighteen_hour_night():
    # The night needs 10 MW * 18 h = 180 MWh from the store; charging it at 90 % in the 6 sunny
    # hours takes 180 / 0.9 / 6 = 33.33 MW on top of the 10 MW of demand: PV 43.33 MW.
    # Cost: 100 * 43.33 + 10 * 180 = 6,133.33 a year.
    model = solved(sun_and_store())
    pv, energy = 10 + 180 / 0.9 / 6, 180.0
    assert model.capacity.solution.sel(unit="pv").item() == pytest.approx(pv, rel=1e-9)
    assert model.store_energy.solution.item() == pytest.approx(energy, rel=1e-9)
    assert model.objective_value == pytest.approx(PV_CAPEX * pv + STORE_CAPEX * energy, rel=1e-9)


def test_two_steps_equal_the_hourly_day_they_summarise():
    # The same day in 24 hours of one hour, sun in hours 0-5: the same plan.
    hourly = sun_and_store(durations=None, sun=np.where(np.arange(HOURS) < SUN, 1.0, 0.0))
    assert solved(hourly).objective_value == pytest.approx(solved(sun_and_store()).objective_value, rel=1e-9)


@pytest.mark.parametrize("exact", [False, True])
def test_a_lossy_store_decays_over_each_step_as_over_its_hours(exact):
    # Standing loss 1 %/h, k = 0.99. Over d hours of constant net charge x an hourly store gains
    # x (1 + k + ... + k^(d-1)) = x g(d), g(d) = (1 - k^d) / 0.01, and what it held decays by k^d.
    # The store starts the day empty (a positive start would only decay): after the sun it holds
    # E = 0.9 c g(6); the night must leave it empty: k^18 E - 10 g(18) = 0, so E = 10 g(18) / k^18
    # = 198.25 MWh, c = E / (0.9 g(6)) = 37.89 MW, PV = 10 + c.
    k = 0.99

    def g(d):
        return (1 - k**d) / (1 - k)

    energy = 10 * g(NIGHT) / k**NIGHT
    pv = 10 + energy / (0.9 * g(SUN))
    model = solved(sun_and_store(loss=0.01, exact_store_levels=exact))
    assert model.store_energy.solution.item() == pytest.approx(energy, rel=1e-7)
    assert model.capacity.solution.sel(unit="pv").item() == pytest.approx(pv, rel=1e-7)
    assert model.objective_value == pytest.approx(PV_CAPEX * pv + STORE_CAPEX * energy, rel=1e-7)


@pytest.mark.parametrize("loss", [0.0, 0.01])
def test_twenty_four_steps_of_one_hour_are_the_unsegmented_model(loss):
    # Durations given as 24 steps of 1 h build the very model of unsegmented days: same objective to the bit.
    sun = np.where(np.arange(HOURS) % 12 < 5, 1.0, 0.2)
    weights, order = [200.0, 165.0], np.r_[[1] * 60, [0] * 200, [1] * 105]
    plain = sun_and_store(durations=None, sun=np.array([sun, 0.5 * sun]), loss=loss, weights=weights, order=order)
    steps = sun_and_store(durations=np.ones((2, HOURS)), sun=np.array([sun, 0.5 * sun]), loss=loss,
                          weights=weights, order=order)  # fmt: skip
    assert solved(steps).objective_value == solved(plain).objective_value


@pytest.mark.slow
def test_an_example_on_segments_is_the_hourly_model_of_its_steps_held_over_their_hours():
    # The hydrogen hub (batteries, a lossy heat store, hydrogen) on 2 typical days of 6 segments, against the
    # same days in 24 hours with each step's values held over its hours: with data constant within a step an
    # hourly plan gains nothing by varying inside it, so both plans cost the same.
    from clusterpath.io.load import load_cluster, load_scenario
    from clusterpath.pathway import timeseries as ts
    from clusterpath.pathway.build import NetworkBuilder

    cluster = load_cluster("hydrogen-hub")
    scenario = load_scenario(None).model_copy(update={"typical_days": 2, "segments": 6, "economies_of_scale": False,
                                                      "periods": [2050], "target_year": 2050})  # fmt: skip
    builder = NetworkBuilder(cluster, scenario)
    segmented = builder.build()
    days = builder._typical_days()
    held = np.stack([np.repeat(days.profiles.values[d], days.duration.values[d].astype(int), axis=0)
                     for d in range(days.n_days)])  # fmt: skip
    hourly_days = ts._typical_days_from(held, days.weight.values, days.order, days.profiles.source_day.values,
                                        days.profiles.indexes["series"])  # fmt: skip
    hourly = NetworkBuilder(cluster, scenario).build(hourly_days)
    assert (segmented.stores["standing_loss"] > 0).any()
    assert solved(segmented).objective_value == pytest.approx(solved(hourly).objective_value, rel=1e-7)
