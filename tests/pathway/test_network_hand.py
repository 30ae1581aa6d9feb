"""The pathway network model on cases small enough to solve on paper.

Most cases use a zero discount rate, one-year periods and base_year = first period, so that
discount_sum is 1 per period and annuity(0, L) = 1/L: every expected number below is then
plain arithmetic, written out in the comments.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from clusterpath.pathway.network import (
    HOURS,
    AnnualLimit,
    BuildLimit,
    EmissionCap,
    Network,
    PathwayModel,
)
from helpers.networks import make_network

pytestmark = pytest.mark.filterwarnings("ignore::linopy.LinopySemanticsWarning")

HOUR = np.arange(HOURS)
# Full sun 4 h, half sun 4 h, dark 16 h: 6 full-load hours a day.
PV_STEP = np.where((HOUR >= 10) & (HOUR < 14), 1.0, np.where((HOUR >= 8) & (HOUR < 16), 0.5, 0.0))


def solved(network: Network) -> PathwayModel:
    model = PathwayModel(network)
    assert model.solve() == ("ok", "optimal")
    return model


def objective(model: PathwayModel) -> float:
    return float(model.model.objective.value)


def pv_vs_grid(pv_capex: float, **extra) -> Network:
    # Constant 10 MW demand; PV (lifetime 20, no fom) against grid at 100 per MWh.
    return make_network(
        buses={"el": "balance"},
        units=[dict(unit="pv", capex=pv_capex, lifetime=20, profile="pv"),
               dict(unit="grid", unlimited=True, extendable=False, vom=100.0)],
        ports=[("pv", "el", 1.0), ("grid", "el", 1.0)],
        demand={"el": 10.0}, profiles={"pv": PV_STEP}, **extra,
    )  # fmt: skip


# --------------------------------------------------------------- screening curve


@pytest.mark.parametrize(
    ("pv_capex", "size", "cost"),
    [
        # Value of a MW of PV per year: up to 10 MW every sunny hour displaces grid,
        # 365 * 6 h * 100 = 219,000; from 10 to 20 MW only the half-sun hours still do,
        # 365 * 4 h * 0.5 * 100 = 73,000; beyond 20 MW nothing.
        # capex 2.4e6 / 20 y = 120,000 per MW-year: between the two, so 10 MW.
        # Cost: 10 * 120,000 + grid 365 * (240 - 60) MWh * 100 = 1,200,000 + 6,570,000.
        (2.4e6, 10.0, 7_770_000.0),
        # capex 1.0e6 / 20 y = 50,000 < 73,000, so 20 MW; PV then covers 4 * 10 + 4 * 10 = 80 MWh a day.
        # Cost: 20 * 50,000 + 365 * 160 * 100 = 1,000,000 + 5,840,000.
        (1.0e6, 20.0, 6_840_000.0),
        # capex 5.0e6 / 20 y = 250,000 > 219,000: no PV, all grid: 365 * 240 * 100.
        (5.0e6, 0.0, 8_760_000.0),
    ],
)
def test_pv_against_grid_screening_curve(pv_capex, size, cost):
    model = solved(pv_vs_grid(pv_capex))
    assert model.new.solution.sel(unit="pv").item() == pytest.approx(size, abs=1e-6)
    assert objective(model) == pytest.approx(cost, rel=1e-9)


def test_discounting_of_a_later_period():
    # The 10 MW case above, but in a 5-year period 2030-2034 discounted at 5 % to 2025:
    # every yearly cost (capex annuity and grid alike, the size does not change since the
    # ranking per MW-year is unchanged) is multiplied by sum_{k=5..9} 1.05^-k.
    # annuity(5 %, 20) = 0.0802426; 2.4e6 * 0.0802426 = 192,582 per MW-year, still between 73,000 and 219,000.
    network = pv_vs_grid(2.4e6, periods=(2030,), years={2030: 5}, rate=0.05, base_year=2025)
    model = solved(network)
    factor = 1.05**-5 + 1.05**-6 + 1.05**-7 + 1.05**-8 + 1.05**-9  # 3.561871
    annuity = 0.05 / (1 - 1.05**-20)
    assert model.new.solution.sel(unit="pv").item() == pytest.approx(10.0)
    assert objective(model) == pytest.approx(factor * (10 * 2.4e6 * annuity + 6_570_000.0), rel=1e-9)


# --------------------------------------------------------------- emission cap


def gas_or_clean(caps, emission_constant=None, rate=0.0):
    # Gas at 50 per MWh emitting 0.4 t/MWh against clean power at 120; 10 MW all year = 87,600 MWh.
    periods = pd.Index([2025, 2026], name="period")
    constant = None
    if emission_constant is not None:
        constant = xr.DataArray([[emission_constant] * 2], coords=[pd.Index(["co2"], name="bus"), periods])
    return make_network(
        buses={"el": "balance", "co2": "emission"},
        units=[dict(unit="gas", unlimited=True, extendable=False, vom=50.0),
               dict(unit="clean", unlimited=True, extendable=False, vom=120.0)],
        ports=[("gas", "el", 1.0), ("gas", "co2", 0.4), ("clean", "el", 1.0)],
        demand={"el": 10.0}, periods=periods, rate=rate,
        caps=[EmissionCap("site", ["co2"], pd.Series(caps, index=periods))], emission_constant=constant,
    )  # fmt: skip


def test_emission_cap_binds_in_every_period():
    # Uncapped, gas would emit 0.4 * 87,600 = 35,040 t. Caps 20,000 and 10,000 t allow
    # 50,000 and 25,000 MWh of gas; the rest is clean:
    # 2025: 50,000 * 50 + 37,600 * 120 = 7,012,000; 2026: 25,000 * 50 + 62,600 * 120 = 8,762,000.
    model = solved(gas_or_clean([20_000.0, 10_000.0]))
    emissions = model.emissions.solution.sel(bus="co2").to_pandas()
    assert (emissions <= pd.Series([20_000.0, 10_000.0], index=emissions.index) + 1e-6).all()
    assert emissions.to_numpy() == pytest.approx([20_000.0, 10_000.0])
    assert objective(model) == pytest.approx(7_012_000.0 + 8_762_000.0, rel=1e-9)
    # Each tonne of cap is worth (120 - 50) / 0.4 = 175: the shadow price of the cap.
    assert np.abs(model.model.constraints["emission-cap-site"].dual.values) == pytest.approx([175.0, 175.0])


def test_emission_cap_price_is_discounted_and_matches_cost_difference():
    # With a 10 % rate the 2026 cap is worth 175 / 1.1 in present value; relaxing it by
    # 100 t saves exactly that much per tonne (the cap stays binding).
    tight = objective(solved(gas_or_clean([20_000.0, 10_000.0], rate=0.1)))
    loose_model = solved(gas_or_clean([20_000.0, 10_100.0], rate=0.1))
    assert tight - objective(loose_model) == pytest.approx(100 * 175.0 / 1.1, rel=1e-9)
    tight_model = solved(gas_or_clean([20_000.0, 10_000.0], rate=0.1))
    duals = np.abs(tight_model.model.constraints["emission-cap-site"].dual.values)
    assert duals == pytest.approx([175.0, 175.0 / 1.1])


def test_emission_constant_uses_up_the_cap():
    # 4,000 t/yr outside any flow leaves 16,000 and 6,000 t for gas: 40,000 and 15,000 MWh.
    # 2025: 40,000 * 50 + 47,600 * 120 = 7,712,000; 2026: 15,000 * 50 + 72,600 * 120 = 9,462,000.
    model = solved(gas_or_clean([20_000.0, 10_000.0], emission_constant=4_000.0))
    assert model.emissions.solution.sel(bus="co2").values == pytest.approx([16_000.0, 6_000.0])
    assert objective(model) == pytest.approx(7_712_000.0 + 9_462_000.0, rel=1e-9)


# --------------------------------------------------------------- annual and build limits


def test_annual_limit_binds():
    # Biomass at 30 per MWh limited to 30,000 MWh a year; the other 57,600 MWh at 100.
    # Cost 900,000 + 5,760,000; the limit's shadow price is 100 - 30 = 70 per MWh.
    network = make_network(
        buses={"el": "balance"},
        units=[dict(unit="biomass", unlimited=True, extendable=False, vom=30.0),
               dict(unit="grid", unlimited=True, extendable=False, vom=100.0)],
        ports=[("biomass", "el", 1.0), ("grid", "el", 1.0)], demand={"el": 10.0},
        annual_limits=[AnnualLimit("biomass", ["biomass"], pd.Series({2025: 30_000.0}))],
    )  # fmt: skip
    model = solved(network)
    yearly = float((model.flow.solution.sel(unit="biomass") * network.day_weight).sum())
    assert yearly == pytest.approx(30_000.0)
    assert objective(model) == pytest.approx(6_660_000.0, rel=1e-9)
    assert np.abs(model.model.constraints["annual-limit-biomass"].dual.values) == pytest.approx([70.0])


def test_build_limit_binds_each_period():
    # Cheap PV (50,000 per MW-year) would go straight to 20 MW (screening case above), but
    # only 8 MW may be built per period: 8 in 2025, 8 more in 2026 (they last 20 years).
    network = pv_vs_grid(1.0e6, periods=(2025, 2026),
                         build_limits=[BuildLimit("pv", ["pv"], pd.Series({2025: 8.0, 2026: 8.0}))])  # fmt: skip
    model = solved(network)
    assert model.new.solution.sel(unit="pv").values == pytest.approx([8.0, 8.0])
    # 2025: 8 MW covers 4 * 8 + 4 * 4 = 48 MWh a day -> 8 * 50,000 + 365 * 192 * 100 = 7,408,000.
    # 2026: 16 MW covers 4 * 10 + 4 * 8 = 72 MWh a day -> 16 * 50,000 + 365 * 168 * 100 = 6,932,000.
    assert objective(model) == pytest.approx(7_408_000.0 + 6_932_000.0, rel=1e-9)


# --------------------------------------------------------------- retirement


@pytest.mark.parametrize(
    ("lifetime", "new_2030", "cost_in_capex"),
    [
        # 6 MW existing stand in 2025 only; 10 MW are needed in both 5-year periods.
        # Lifetime 10: 4 MW built in 2025 stand to 2034, so 2030 needs 6 more. At r = 0 a
        # MW costs capex / 10 per year: 4 MW * 10 years + 6 MW * 5 years (the horizon ends) = 7 capex.
        (10.0, 6.0, 7.0),
        # Lifetime 5: the 2025 vintage retires with the existing plant, so 2030 rebuilds all 10.
        # 4 MW * 5 y / 5 + 10 MW * 5 y / 5 = 14 capex.
        (5.0, 10.0, 14.0),
    ],
)
def test_retirement_by_lifetime(lifetime, new_2030, cost_in_capex):
    capex = 1000.0
    network = make_network(
        buses={"el": "balance"},
        units=[dict(unit="plant", capex=capex, lifetime=lifetime, existing=[6.0, 0.0])],
        ports=[("plant", "el", 1.0)], demand={"el": 10.0},
        periods=(2025, 2030), years={2025: 5, 2030: 5},
    )  # fmt: skip
    model = solved(network)
    assert model.new.solution.sel(unit="plant").values == pytest.approx([4.0, new_2030])
    assert model.capacity.solution.sel(unit="plant").values == pytest.approx([10.0, 10.0])
    assert objective(model) == pytest.approx(cost_in_capex * capex, rel=1e-9)


# --------------------------------------------------------------- storage


def test_battery_serves_the_night_from_free_daytime_power():
    # Free existing power only in hours 0-11; 10 MW demand all day; grid at 100.
    # The night needs 120 MWh a day: E = 120 / 0.9 = 133.33 MWh stored, and charging
    # E / 0.9 = 148.15 MWh in 12 h needs P = 12.346 MW (charge, not discharge, sets P).
    # Per MWh of night energy the battery costs 10,000 / 0.9 + 50,000 * 0.10288 = 16,255
    # a year against 36,500 saved, so it takes the whole night.
    # Cost: 10,000 * 133.33 + 50,000 * 12.346 = 1,950,617.
    network = make_network(
        buses={"el": "balance"},
        units=[dict(unit="free", existing=100.0, extendable=False, profile="day"),
               dict(unit="grid", unlimited=True, extendable=False, vom=100.0)],
        ports=[("free", "el", 1.0), ("grid", "el", 1.0)], demand={"el": 10.0},
        profiles={"day": np.where(HOUR < 12, 1.0, 0.0)},
        stores=[dict(store="battery", bus="el", eta_charge=0.9, eta_discharge=0.9, lifetime=1,
                     capex_energy=10_000.0, capex_power=50_000.0)],
    )  # fmt: skip
    model = solved(network)
    energy, power = 120 / 0.9, 120 / 0.81 / 12
    assert model.new_energy.solution.item() == pytest.approx(energy)
    assert model.new_power.solution.item() == pytest.approx(power)
    assert objective(model) == pytest.approx(10_000 * energy + 50_000 * power, rel=1e-9)


def test_storage_energy_balances_over_the_year():
    # Sunny and dark typical days in a seasonal order, a cheap lossy store: energy moves
    # between the days, yet what goes in must come out over the (cyclic) year:
    # sum over days of weight * (eta_c * charge - discharge / eta_d) = 0.
    order = np.r_[[1] * 60, [0] * 200, [1] * 105]
    network = make_network(
        buses={"el": "balance"},
        units=[dict(unit="pv", capex=1.0e6, lifetime=20, profile="pv"),
               dict(unit="grid", unlimited=True, extendable=False, vom=300.0)],
        ports=[("pv", "el", 1.0), ("grid", "el", 1.0)], demand={"el": 10.0},
        profiles={"pv": np.array([PV_STEP, 0.2 * PV_STEP])}, weights=[200.0, 165.0], order=order,
        stores=[dict(store="tank", bus="el", eta_charge=0.8, eta_discharge=0.9, lifetime=20,
                     capex_energy=500.0, capex_power=20_000.0)],
    )  # fmt: skip
    model = solved(network)
    net = (0.8 * model.charge.solution - model.discharge.solution / 0.9).sum("hour").sel(store="tank", period=2025)
    assert float((net * network.day_weight).sum()) == pytest.approx(0.0, abs=1e-6 * float(model.charge.solution.sum()))
    # Not trivially zero day by day: sunny days fill the store for dark ones.
    assert float(net.sel(day=0)) > 1 and float(net.sel(day=1)) < -1
    assert float(net.sel(day=0)) * 200 == pytest.approx(-float(net.sel(day=1)) * 165, rel=1e-6)


def test_standing_loss_keeps_the_level_non_negative():
    # Demand 10 MW in hour 0 only; free supply (1 per MWh) in hours 1-23; store losing
    # 10 %/h, no capex. Serving hour 0 needs 10 / 0.9 = 11.11 MWh in the store when the
    # day starts (it loses 10 % in that hour), i.e. 11.11 MWh charged in hour 23:
    # cost 365 * 11.11 = 4,055.6 with the exact hourly bounds. The default daily bounds
    # decay the start level over the whole day, which is safe but dearer.
    network = make_network(
        buses={"el": "balance"},
        units=[dict(unit="supply", existing=100.0, extendable=False, vom=1.0, profile="day"),
               dict(unit="grid", unlimited=True, extendable=False, vom=1000.0)],
        ports=[("supply", "el", 1.0), ("grid", "el", 1.0)],
        demand={"el": np.where(HOUR == 0, 10.0, 0.0)}, profiles={"day": np.where(HOUR == 0, 0.0, 1.0)},
        stores=[dict(store="s", bus="el", standing_loss=0.1, lifetime=1)],
    )  # fmt: skip
    costs = {}
    for exact in (True, False):
        network.exact_store_levels = exact
        model = solved(network)
        start = model.level_start.solution.values.ravel()[0]
        levels = start * 0.9 ** np.arange(1, 25) + model.level.solution.values.ravel()
        assert levels.min() >= -1e-6
        costs[exact] = objective(model)
    assert costs[True] == pytest.approx(365 * 10 / 0.9, rel=1e-6)
    assert costs[False] >= costs[True] - 1e-6


# --------------------------------------------------------------- economies of scale


def scaled_plant(demand: float) -> Network:
    # A plant in two size classes (overnight cost; r = 0 and lifetime 1, so it is the
    # yearly cost): small 0-10 MW at 100 per MW, large 10-50 MW at 500 + 40 per MW.
    # Grid at 0.02 per MWh: a MW of plant saves 8760 * 0.02 = 175.2 a year.
    scale = pd.DataFrame(
        {"lo": [0.0, 10.0], "hi": [10.0, 50.0], "fixed": [0.0, 500.0], "slope": [100.0, 40.0]},
        index=pd.MultiIndex.from_tuples([("plant", "small", 2025), ("plant", "large", 2025)],
                                        names=["unit", "segment", "period"]),
    )  # fmt: skip
    return make_network(
        buses={"el": "balance"},
        units=[dict(unit="plant", lifetime=1), dict(unit="grid", unlimited=True, extendable=False, vom=0.02)],
        ports=[("plant", "el", 1.0), ("grid", "el", 1.0)], demand={"el": demand}, scale=scale,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("demand", "size", "segment", "cost"),
    [
        # 8 MW: small at 8 MW costs 800; large needs at least 10 MW for 900. Small, no grid.
        (8.0, 8.0, "small", 800.0),
        # 12 MW: small 10 MW + 2 MW grid = 1000 + 2 * 175.2 = 1350.4; large 12 MW = 980. Large.
        (12.0, 12.0, "large", 980.0),
        # 30 MW: small 10 + 20 MW grid = 1000 + 3504 = 4504; large 30 MW = 1700. Large.
        (30.0, 30.0, "large", 1700.0),
    ],
)
def test_economies_of_scale_pick_the_large_class_only_for_large_demand(demand, size, segment, cost):
    model = solved(scaled_plant(demand))
    assert model.new.solution.sel(unit="plant").item() == pytest.approx(size, abs=1e-6)
    chosen = model.model.variables["size-class"].solution.sel(scaled="plant").squeeze("build").to_pandas()
    assert chosen[segment] == pytest.approx(1.0) and chosen.sum() == pytest.approx(1.0)
    assert objective(model) == pytest.approx(cost, rel=1e-6)
