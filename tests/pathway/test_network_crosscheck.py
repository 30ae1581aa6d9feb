"""The pathway network model against PyPSA: the same small problems written both ways.

How the two sides correspond (both minimise the same net present cost):

* Snapshots. A clusterpath typical day is 24 PyPSA snapshots. With one investment period
  and typical days, ``snapshot_weightings.objective`` (and ``generators``) is the day's
  weight, ``stores`` is 1 so a Store's level moves by one hour of flow per snapshot, just
  as clusterpath's level within a day does.
* Discounting. ``investment_period_weightings['objective']`` is clusterpath's
  ``Network.discount_sum()`` (sum over the period's years of (1+r)^-(year - base_year)),
  ``['years']`` its ``period_years``; PyPSA multiplies operating cost by both weightings
  and capital cost by the sum of the objective weighting over the periods in which an
  asset is active. PyPSA only applies them with ``multi_investment_periods=True``; without
  it the weightings are silently ignored.
* Capital cost. PyPSA's ``capital_cost`` is per year: capex * (annuity(r, lifetime) + fom),
  exactly what clusterpath charges per active period and year.
* Vintages. One clusterpath unit built in several periods is one PyPSA component per
  build period (``build_year`` = period, same ``lifetime``); both treat a vintage as
  active in period p when build <= p < build + lifetime. Existing capacity (given per
  period in clusterpath) is a non-extendable component whose build_year/lifetime make it
  active in exactly those periods.
* Stores. clusterpath's store measures charge and discharge at its bus and limits both
  by one power capacity P. PyPSA: a Store on its own bus, a charger Link (efficiency
  eta_charge, its p0 is the charge) and a discharger Link (efficiency eta_discharge, its
  p0 is discharge/eta_discharge). So P = p_nom(charger) = eta_discharge * p_nom(discharger),
  added as an extra constraint, and the power capex sits on the charger.
* Several typical days with storage across days. clusterpath links the real days of the
  year through ``day_order`` (Kotzur et al. 2018): every real day repeats its typical day's
  dispatch, while the level carries over from day to day. The exact PyPSA equivalent is
  the whole chronological year (8760 snapshots of weight 1, cyclic Store) with the
  storage flows of every real day tied to those of the first real day of the same type.
  Tying only the storage flows suffices: the rest of each day is then the same LP for all
  days of a type, so its optimum can be taken identical. This holds for any day_order, so
  the test uses a seasonal, non-contiguous one rather than contiguous blocks, and the
  store is made cheap enough that it really does move energy between seasons.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pypsa
import pytest
from helpers.networks import make_network

from clusterpath.pathway.network import HOURS, Network, PathwayModel
from clusterpath.pathway.tables import annuity

pytestmark = [
    pytest.mark.filterwarnings("ignore::linopy.LinopySemanticsWarning"),
    pytest.mark.filterwarnings("ignore::FutureWarning:pypsa"),
]
logging.getLogger("pypsa").setLevel(logging.ERROR)
logging.getLogger("linopy").setLevel(logging.ERROR)

REL = 1e-6
HOUR = np.arange(HOURS)


def bell(start: float, length: float, peak: float = 1.0) -> np.ndarray:
    return peak * np.clip(np.sin((HOUR - start) / length * np.pi), 0, None)


# ------------------------------------------------------------------------- builders


def solve_clusterpath(network: Network) -> PathwayModel:
    model = PathwayModel(network)
    status, condition = model.solve()
    assert (status, condition) == ("ok", "optimal")
    return model


def yearly_cost(capex: float, rate: float, lifetime: float, fom: float) -> float:
    return capex * (float(annuity(rate, lifetime)) + fom)


def add_store(n: pypsa.Network, spec: dict, *, rate: float, build_year: int | None = None) -> None:
    """clusterpath's store as a PyPSA Store with charger and discharger Links (see the module docstring)."""
    name, bus, lifetime, fom = spec["store"], spec["bus"], spec["lifetime"], spec.get("fom", 0.0)
    # Only a multi-period network needs the vintage; elsewhere PyPSA's defaults keep it always active.
    vintage = {} if build_year is None else {"build_year": build_year, "lifetime": lifetime}
    n.add("Bus", name)
    n.add("Store", name, bus=name, e_nom_extendable=True, e_cyclic=True, standing_loss=spec.get("standing_loss", 0.0),
          capital_cost=yearly_cost(spec.get("capex_energy", 0.0), rate, lifetime, fom), **vintage)  # fmt: skip
    n.add("Link", f"{name}-charger", bus0=bus, bus1=name, efficiency=spec.get("eta_charge", 1.0), p_nom_extendable=True,
          capital_cost=yearly_cost(spec.get("capex_power", 0.0), rate, lifetime, fom), **vintage)  # fmt: skip
    n.add("Link", f"{name}-discharger", bus0=name, bus1=bus, efficiency=spec.get("eta_discharge", 1.0),
          p_nom_extendable=True, **vintage)  # fmt: skip


def tie_store_power(n: pypsa.Network, stores) -> None:
    p_nom = n.model["Link-p_nom"]
    for spec in stores:
        name, eta = spec["store"], spec.get("eta_discharge", 1.0)
        n.model.add_constraints(p_nom.sel(name=f"{name}-charger") - eta * p_nom.sel(name=f"{name}-discharger") == 0,
                                name=f"{name}-one-power-rating")  # fmt: skip


def solve_pypsa(n: pypsa.Network, extra=None, **kwargs) -> None:
    status, condition = n.optimize(solver_name="highs", extra_functionality=extra, include_objective_constant=False,
                                   log_to_console=False, io_api="direct", **kwargs)  # fmt: skip
    assert (status, condition) == ("ok", "optimal")


def close(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-4 * max(1.0, abs(a), abs(b))


# ------------------------------------------------- a) PV + battery + grid, one day


PV_A = bell(6, 12)
LOAD_A = 10.0 + 5.0 * ((HOUR >= 17) & (HOUR <= 22))
RATE_A = 0.05
UNITS_A = [
    dict(unit="pv", capex=600e3, fom=0.02, lifetime=25, profile="pv"),
    dict(unit="grid", unlimited=True, vom=120.0, extendable=False),
]
BATTERY = dict(store="battery", bus="el", eta_charge=0.95, eta_discharge=0.92, lifetime=15, fom=0.01,
               capex_energy=150e3, capex_power=100e3)  # fmt: skip


def test_pv_battery_grid_one_typical_day():
    ours = solve_clusterpath(make_network(
        buses={"el": "balance"}, rate=RATE_A, units=UNITS_A, ports=[("pv", "el", 1.0), ("grid", "el", 1.0)],
        demand={"el": LOAD_A}, profiles={"pv": PV_A}, stores=[BATTERY], weights=[365.0], order=np.zeros(365, int),
    ))  # fmt: skip

    n = pypsa.Network()
    n.set_snapshots(pd.RangeIndex(HOURS))
    n.snapshot_weightings[["objective", "generators"]] = 365.0
    n.snapshot_weightings["stores"] = 1.0
    n.add("Bus", "el")
    n.add("Load", "load", bus="el", p_set=pd.Series(LOAD_A, index=n.snapshots))
    n.add("Generator", "pv", bus="el", p_nom_extendable=True, p_max_pu=pd.Series(PV_A, index=n.snapshots),
          capital_cost=yearly_cost(600e3, RATE_A, 25, 0.02))  # fmt: skip
    n.add("Generator", "grid", bus="el", p_nom=1e6, marginal_cost=120.0)
    add_store(n, BATTERY, rate=RATE_A)
    solve_pypsa(n, lambda n, sns: tie_store_power(n, [BATTERY]))

    assert ours.model.objective.value == pytest.approx(n.objective, rel=REL)
    assert close(ours.new.solution.sel(unit="pv").item(), n.generators.p_nom_opt["pv"])
    assert close(ours.new_energy.solution.item(), n.stores.e_nom_opt["battery"])
    assert close(ours.new_power.solution.item(), n.links.p_nom_opt["battery-charger"])
    # Not a degenerate comparison: the battery is worth building here.
    assert ours.new_energy.solution.item() > 1 and ours.new_power.solution.item() > 1


# ------------------------------------------- b) two investment periods, vintages


PERIODS_B = [2025, 2030]
YEARS_B = {2025: 5, 2030: 5}
RATE_B = 0.05
BASE_B = 2024  # not the first period, so the first period is discounted too
WEIGHTS_B = [200.0, 165.0]
PV_B = np.array([bell(6, 12), bell(8, 8, 0.4)])
WIND_B = np.array([0.3 + 0.2 * np.cos(HOUR / 24 * 2 * np.pi), 0.6 + 0.3 * np.sin(HOUR / 24 * 2 * np.pi)])
LOAD_B = np.array([[20.0 + 5 * ((HOUR >= 17) & (HOUR <= 22))] * 2, [26.0 + 6 * ((HOUR >= 17) & (HOUR <= 22))] * 2])
UNITS_B = [
    dict(unit="pv", capex=[700e3, 500e3], fom=0.02, lifetime=25, profile="pv"),
    # Five years: wind built in 2025 has retired by 2030 and must be rebuilt.
    dict(unit="wind", capex=[700e3, 1.0e6], fom=0.03, lifetime=5, profile="wind"),
    dict(unit="ccgt", capex=[900e3, 900e3], fom=0.03, lifetime=30, vom=[70.0, 95.0]),
    # Existing plant that stands in 2025 only.
    dict(unit="gas_old", existing=[30.0, 0.0], vom=[60.0, 85.0], extendable=False, lifetime=30),
    dict(unit="grid", unlimited=True, vom=[150.0, 180.0], extendable=False),
]
BATTERY_B = dict(store="battery", bus="el", eta_charge=0.95, eta_discharge=0.95, lifetime=5, fom=0.01,
                 capex_energy=[150e3, 100e3], capex_power=[80e3, 60e3])  # fmt: skip


@pytest.mark.parametrize("with_store", [False, True], ids=["two-days", "one-day-battery"])
def test_two_investment_periods_with_vintages(with_store):
    # With a store, one typical day per period: PyPSA's per-period cyclic store is then exactly
    # clusterpath's (with several days PyPSA has no Kotzur linking; see test c for that).
    weights = [365.0] if with_store else WEIGHTS_B
    days = len(weights)
    pv, wind, load = PV_B[:days], WIND_B[:days], LOAD_B[:, :days]
    network = make_network(
        buses={"el": "balance"}, rate=RATE_B, periods=PERIODS_B, years=YEARS_B, base_year=BASE_B, weights=weights,
        units=UNITS_B, ports=[(u["unit"], "el", 1.0) for u in UNITS_B], demand={"el": load},
        profiles={"pv": pv, "wind": wind}, stores=[BATTERY_B] if with_store else [],
    )  # fmt: skip
    ours = solve_clusterpath(network)
    discount = network.discount_sum()
    # The PyPSA weighting below is this number; check it against the definition once by hand.
    assert float(discount.sel(period=2030)) == pytest.approx(sum(1.05 ** -k for k in range(6, 11)), rel=1e-12)

    n = pypsa.Network()
    steps = days * HOURS
    n.set_snapshots(pd.MultiIndex.from_product([PERIODS_B, range(steps)], names=["period", "timestep"]))
    n.set_investment_periods(PERIODS_B)
    n.investment_period_weightings["years"] = [YEARS_B[p] for p in PERIODS_B]
    n.investment_period_weightings["objective"] = discount.values
    for column in ("objective", "generators"):
        n.snapshot_weightings[column] = np.tile(np.repeat(weights, HOURS), len(PERIODS_B))
    n.snapshot_weightings["stores"] = 1.0

    def series(values) -> pd.Series:  # (period, day, hour) broadcastable -> snapshots
        return pd.Series(np.broadcast_to(values, (len(PERIODS_B), days, HOURS)).reshape(-1), index=n.snapshots)

    n.add("Bus", "el")
    n.add("Load", "load", bus="el", p_set=series(load))
    for spec in UNITS_B:
        vom = series(np.asarray(spec.get("vom", 0.0), float).reshape(-1, 1, 1))
        profile = series({"pv": pv, "wind": wind}[spec["profile"]]) if "profile" in spec else 1.0
        if spec.get("unlimited"):
            n.add("Generator", spec["unit"], bus="el", p_nom=1e6, marginal_cost=vom)
        elif not spec.get("extendable", True):
            n.add("Generator", spec["unit"], bus="el", p_nom=30.0, build_year=2000, lifetime=30, marginal_cost=vom)
        else:
            for i, period in enumerate(PERIODS_B):
                n.add("Generator", f"{spec['unit']}-{period}", bus="el", p_nom_extendable=True, build_year=period,
                      lifetime=spec["lifetime"], p_max_pu=profile, marginal_cost=vom,
                      capital_cost=yearly_cost(spec["capex"][i], RATE_B, spec["lifetime"], spec["fom"]))  # fmt: skip
    vintages = []
    if with_store:
        for i, period in enumerate(PERIODS_B):
            vintage = {**BATTERY_B, "store": f"battery-{period}", "capex_energy": BATTERY_B["capex_energy"][i],
                       "capex_power": BATTERY_B["capex_power"][i]}  # fmt: skip
            add_store(n, vintage, rate=RATE_B, build_year=period)
            vintages.append(vintage)
    solve_pypsa(n, (lambda n, sns: tie_store_power(n, vintages)) if with_store else None, multi_investment_periods=True)

    assert ours.model.objective.value == pytest.approx(n.objective, rel=REL)
    new = ours.new.solution.to_pandas()
    for spec in UNITS_B:
        if spec.get("extendable", True):
            for period in PERIODS_B:
                assert close(new.loc[spec["unit"], period], n.generators.p_nom_opt[f"{spec['unit']}-{period}"]), (spec["unit"], period)  # fmt: skip
    if with_store:
        for period in PERIODS_B:
            assert close(ours.new_energy.solution.sel(build=period).item(), n.stores.e_nom_opt[f"battery-{period}"])
            assert close(ours.new_power.solution.sel(build=period).item(), n.links.p_nom_opt[f"battery-{period}-charger"])
    else:
        # Wind built in 2025 retires before 2030; the case only tests vintages if it is built twice.
        assert new.loc["wind", 2025] > 1 and new.loc["wind", 2030] > 1


# ----------------------------------------- c) electrolysis + hydrogen storage, 3 days


PV_C = np.array([bell(5, 14), bell(7, 10, 0.6), bell(8, 8, 0.25)])  # sunny, mixed, dark
WEIGHTS_C = [150.0, 120.0, 95.0]
# A seasonal year: dark winter, mixed spring, sunny summer, mixed autumn, dark winter.
ORDER_C = np.r_[[2] * 50, [1] * 60, [0] * 150, [1] * 60, [2] * 45]
RATE_C = 0.06
UNITS_C = [
    dict(unit="pv", capex=500e3, fom=0.015, lifetime=25, profile="pv"),
    dict(unit="grid", unlimited=True, vom=300.0, extendable=False),
    dict(unit="electrolyser", capex=900e3, fom=0.02, lifetime=20, vom=2.0),
]
PORTS_C = [("pv", "el", 1.0), ("grid", "el", 1.0), ("electrolyser", "el", -1.0), ("electrolyser", "h2", 0.7)]
TANK = dict(store="tank", bus="h2", eta_charge=0.98, eta_discharge=1.0, lifetime=30, fom=0.01,
            capex_energy=1.5e3, capex_power=20e3)  # fmt: skip


def electrolysis_pair(tank: dict):
    network = make_network(buses={"el": "balance", "h2": "balance"}, rate=RATE_C, weights=WEIGHTS_C, order=ORDER_C,
                           units=UNITS_C, ports=PORTS_C, demand={"el": 2.0, "h2": 10.0}, profiles={"pv": PV_C},
                           stores=[tank])  # fmt: skip
    n = pypsa.Network()
    n.set_snapshots(pd.RangeIndex(365 * HOURS))
    n.add("Bus", ["el", "h2"])
    n.add("Load", "el", bus="el", p_set=2.0)
    n.add("Load", "h2", bus="h2", p_set=10.0)
    n.add("Generator", "pv", bus="el", p_nom_extendable=True, capital_cost=yearly_cost(500e3, RATE_C, 25, 0.015),
          p_max_pu=pd.Series(PV_C[ORDER_C].ravel(), index=n.snapshots))  # fmt: skip
    n.add("Generator", "grid", bus="el", p_nom=1e6, marginal_cost=300.0)
    n.add("Link", "electrolyser", bus0="el", bus1="h2", efficiency=0.7, p_nom_extendable=True, marginal_cost=2.0,
          capital_cost=yearly_cost(900e3, RATE_C, 20, 0.02))  # fmt: skip
    add_store(n, tank, rate=RATE_C)

    # Every real day repeats the storage flows of the first real day of its type.
    first = {k: int(np.flatnonzero(ORDER_C == k)[0]) for k in range(len(WEIGHTS_C))}
    reference = (np.array([first[k] for k in ORDER_C])[:, None] * HOURS + HOUR).ravel()
    own = np.arange(365 * HOURS)
    other = reference != own

    def extra(n, sns):
        tie_store_power(n, [tank])
        flow = n.model["Link-p"].sel(name=["tank-charger", "tank-discharger"])
        day = flow.isel(snapshot=own[other])
        typical = flow.isel(snapshot=reference[other]).assign_coords(snapshot=day.coords["snapshot"])
        n.model.add_constraints(day - typical == 0, name="typical-days")

    return network, n, extra


@pytest.mark.slow
def test_electrolysis_with_seasonal_hydrogen_storage():
    network, n, extra = electrolysis_pair(TANK)
    ours = solve_clusterpath(network)
    solve_pypsa(n, extra)

    assert ours.model.objective.value == pytest.approx(n.objective, rel=REL)
    new = ours.new.solution
    assert close(new.sel(unit="pv").item(), n.generators.p_nom_opt["pv"])
    assert close(new.sel(unit="electrolyser").item(), n.links.p_nom_opt["electrolyser"])
    assert close(ours.new_energy.solution.item(), n.stores.e_nom_opt["tank"])
    assert close(ours.new_power.solution.item(), n.links.p_nom_opt["tank-charger"])
    # The point of the case: the tank holds summer hydrogen for winter, far more than a day's demand.
    level = ours.level_start.solution.values.ravel()
    assert level.max() - level.min() > 100 * 24 * 10 * 0.05


@pytest.mark.slow
def test_electrolysis_with_leaky_hydrogen_storage():
    network, n, extra = electrolysis_pair({**TANK, "standing_loss": 0.002})
    network.exact_store_levels = True  # PyPSA bounds every hour of the year
    ours = solve_clusterpath(network)
    solve_pypsa(n, extra)
    assert ours.model.objective.value == pytest.approx(n.objective, rel=REL)
