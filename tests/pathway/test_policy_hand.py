"""Policy terms of the pathway model on cases solved on paper (docs/model.md, section 8).

As in test_network_hand.py: zero discount rate and base_year = first period unless said
otherwise, so a yearly amount over a period of N years is worth N times itself.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from clusterpath.pathway.network import PathwayModel
from clusterpath.pathway.policy_terms import (
    CapexGrant,
    ContractForDifference,
    EmissionCharge,
    OutputCredit,
    PolicyTerms,
    ShareFloor,
    credit_weight,
)
from helpers.networks import make_network

pytestmark = pytest.mark.filterwarnings("ignore::linopy.LinopySemanticsWarning")

HOUR = np.arange(24)
PV_STEP = np.where((HOUR >= 10) & (HOUR < 14), 1.0, np.where((HOUR >= 8) & (HOUR < 16), 0.5, 0.0))
YEAR_H = 8760.0


def solved(network) -> PathwayModel:
    model = PathwayModel(network)
    assert model.solve() == ("ok", "optimal")
    return model


def cost(model: PathwayModel, kind: str) -> float:
    return float(model.cost_terms[kind].solution.sum()) if kind in model.cost_terms else 0.0


# ------------------------------------------------------------------ production credit (45V-like)


def electrolyser(policy=None, *, periods=(2025,), years=None, efficiency=1.0, capex=876_000.0 * 20, h2=1.0, buy=100.0):
    # Hydrogen bought at 100 per MWh, or made from grid power at 50 per MWh in an electrolyser
    # of lifetime 20 whose capex is 876,000 per MW-year (100 per MWh at full load).
    return make_network(
        buses={"el": "balance", "h2": "balance"},
        units=[dict(unit="grid", unlimited=True, extendable=False, vom=50.0),
               dict(unit="buy_h2", unlimited=True, extendable=False, vom=buy),
               dict(unit="ely", capex=capex, lifetime=20)],
        ports=[("grid", "el", 1.0), ("buy_h2", "h2", 1.0), ("ely", "el", -1.0), ("ely", "h2", efficiency)],
        demand={"h2": h2}, periods=periods, years=years, policy=policy,
    )  # fmt: skip


def credit(rate, **extra) -> OutputCredit:
    periods = extra.pop("periods", (2025,))
    return OutputCredit("credit_h2", per_flow=pd.Series({"ely": 1.0}), rate=pd.Series(rate, index=list(periods)), **extra)


def test_credit_makes_the_electrolyser_worth_building():
    # Electrolysis costs 50 + 100 = 150 per MWh against 100 bought: no electrolyser, 8,760 * 100.
    without = solved(electrolyser())
    assert without.new.solution.sel(unit="ely").item() == pytest.approx(0.0, abs=1e-6)
    assert without.objective_value == pytest.approx(876_000.0)
    # A credit of 60 per MWh makes it 90 < 100: 1 MW built, 8,760 * (150 - 60), credit -8,760 * 60.
    model = solved(electrolyser(PolicyTerms(credits=[credit(60.0)])))
    assert model.new.solution.sel(unit="ely").item() == pytest.approx(1.0)
    assert model.objective_value == pytest.approx(8760 * 90.0)
    assert cost(model, "credit_h2") == pytest.approx(-8760 * 60.0)


def test_credit_lowers_the_objective_by_rate_times_output_over_the_credit_years():
    # Three 5-year periods; the electrolyser is the cheap supply anyway (capex 0) and makes
    # 10 MW of hydrogen from 1/0.6 as much power. Credit 3 per unit of qualifying output, 18
    # units per MWh of power, for 10 years from the build, only for vintages built before 2028:
    # the 2025 vintage earns it in 2025-2034, ten undiscounted years.
    periods, years = (2025, 2030, 2035), {2025: 5, 2030: 5, 2035: 5}
    base = dict(periods=periods, years=years, efficiency=0.6, capex=0.0, h2=6.0, buy=1000.0)
    plain = solved(electrolyser(**base))
    terms = PolicyTerms(credits=[OutputCredit("credit_h2", per_flow=pd.Series({"ely": 18.0}),
                                              rate=pd.Series(3.0, index=list(periods)), credit_years=10,
                                              build_before=2028)])  # fmt: skip
    model = solved(electrolyser(terms, **base))
    power = 10.0 * YEAR_H  # MWh a year into the electrolyser
    assert plain.objective_value - model.objective_value == pytest.approx(3.0 * 18.0 * power * 10, rel=1e-9)


def test_each_vintage_earns_the_credit_for_its_own_first_years():
    # 45V/45Q count from each facility's placed-in-service year. Hydrogen demand 1 MW in 2025, 2 MW from 2030
    # (5-year periods): 1 MW built in 2025 and 1 MW in 2030. With 10 credit years at 3 per MWh, the 2025 vintage
    # earns in 2025-2034 (periods 2025 and 2030) and the 2030 vintage in 2030-2039 (2030 and 2035); in 2035 the
    # plant makes 2 MW but only its 2030 half is credited: 3 * 8,760 * 5 * (1 + 2 + 1) = 525,600 (first vintage
    # only would be 262,800).
    periods, years = (2025, 2030, 2035), {2025: 5, 2030: 5, 2035: 5}
    demand = np.array([1.0, 2.0, 2.0])[:, None, None] * np.ones((3, 1, 24))
    terms = PolicyTerms(credits=[credit(3.0, periods=periods, credit_years=10)])
    model = solved(electrolyser(terms, periods=periods, years=years, h2=demand, buy=1000.0))
    assert model.new.solution.sel(unit="ely").values.tolist() == pytest.approx([1.0, 1.0, 0.0], abs=1e-6)
    assert cost(model, "credit_h2") == pytest.approx(-3.0 * YEAR_H * 5 * (1 + 2 + 1))
    credited = model.model.variables["credited-credit_h2"].solution.sel(unit="ely")
    assert credited.sel(build=2025).fillna(0).values.tolist() == pytest.approx([YEAR_H, YEAR_H, 0.0], abs=1e-3)
    assert credited.sel(build=2030).fillna(0).values.tolist() == pytest.approx([0.0, YEAR_H, YEAR_H], abs=1e-3)


def test_credit_weight_counts_partial_periods_year_by_year():
    # 12 credit years from 2025 over 5-year periods: 2025 and 2030 whole, 2035 for 2 years;
    # a vintage of 2030 misses a construction deadline of 2028.
    n = electrolyser(periods=(2025, 2030, 2035), years={2025: 5, 2030: 5, 2035: 5})
    n.discount_rate = 0.05
    weight = credit_weight(n, OutputCredit("c", pd.Series(dtype=float), pd.Series(dtype=float), credit_years=12,
                                           build_before=2028))  # fmt: skip
    d = 1 / 1.05
    assert weight.sel(build=2025).values == pytest.approx([sum(d**k for k in range(5)), sum(d**k for k in range(5, 10)),
                                                           d**10 + d**11])  # fmt: skip
    assert weight.sel(build=2030).values == pytest.approx([0.0, 0.0, 0.0])


def test_existing_capacity_earns_no_credit():
    # The credit is for capacity placed in service in the horizon: a free existing electrolyser earns nothing.
    network = electrolyser(PolicyTerms(credits=[credit(60.0)]), capex=1e9)
    network.unit_period.loc[("ely", 2025), "existing"] = 1.0
    network.units.loc["ely", "extendable"] = True
    model = solved(network)
    assert model.new.solution.sel(unit="ely").item() == pytest.approx(0.0, abs=1e-6)
    assert cost(model, "credit_h2") == pytest.approx(0.0, abs=1e-6)


def test_hourly_matching_credits_only_power_the_renewables_cover():
    # 1 MW of existing PV (6 full-load hours a day), a free electrolyser making 1 MW of hydrogen
    # from 1 MW of power all day, grid at 50. Only the hours PV covers earn 30 per MWh:
    # 4 h * 1 + 4 h * 0.5 = 6 MWh a day. Grid: 18 MWh a day.
    network = make_network(
        buses={"el": "balance", "h2": "balance"},
        units=[dict(unit="grid", unlimited=True, extendable=False, vom=50.0),
               dict(unit="pv", existing=1.0, extendable=False, profile="pv"),
               dict(unit="ely", capex=0.0)],
        ports=[("grid", "el", 1.0), ("pv", "el", 1.0), ("ely", "el", -1.0), ("ely", "h2", 1.0)],
        demand={"h2": 1.0}, profiles={"pv": PV_STEP},
        policy=PolicyTerms(credits=[credit(30.0, matched_supply=["pv"], matched_input=pd.Series({"ely": 1.0}))]),
    )  # fmt: skip
    model = solved(network)
    assert cost(model, "credit_h2") == pytest.approx(-365 * 6 * 30.0)
    assert model.objective_value == pytest.approx(365 * 18 * 50.0 - 365 * 6 * 30.0)


# ------------------------------------------------------------------ sequestration credit with a threshold


def capture(threshold: float, policy_rate: float = 60.0):
    # 1 t/h of process CO2 (8,760 t a year), vented free or captured and stored at 50 per t.
    # The credit pays 60 per t stored if the facility stores at least ``threshold`` t that year.
    terms = PolicyTerms(credits=[OutputCredit(
        "credit_co2", per_flow=pd.Series({"capture": 1.0}), rate=pd.Series({2025: policy_rate}),
        facility=pd.Series({"capture": "plant"}), threshold=pd.Series({"plant": threshold}), bound=1e5)])  # fmt: skip
    return make_network(
        buses={"co2": "balance", "em": "emission"},
        units=[dict(unit="vent", unlimited=True, extendable=False), dict(unit="capture", vom=50.0)],
        ports=[("vent", "co2", -1.0), ("vent", "em", 1.0), ("capture", "co2", -1.0)],
        demand={"co2": -1.0}, policy=terms,
    )  # fmt: skip


@pytest.mark.parametrize(("threshold", "stored", "objective"), [
    (5_000.0, 8760.0, 8760 * (50.0 - 60.0)),  # reachable: everything is captured, net 10 per t earned
    (10_000.0, 0.0, 0.0),  # above what the plant emits: no credit, and capture alone does not pay
])  # fmt: skip
def test_sequestration_credit_needs_the_minimum_capture(threshold, stored, objective):
    model = solved(capture(threshold))
    assert float((model.flow.solution.sel(unit="capture") * 365).sum()) == pytest.approx(stored, abs=1e-4)
    assert model.objective_value == pytest.approx(objective, abs=1e-4)


# ------------------------------------------------------------------ capital grant


def pv_vs_grid(policy=None, scale=None):
    # As in test_network_hand.py: 10 MW demand, PV capex 2.4e6 (lifetime 20) against grid at 100.
    # A MW of PV is worth 219,000 a year up to 10 MW, 73,000 from 10 to 20 MW.
    return make_network(
        buses={"el": "balance"},
        units=[dict(unit="pv", capex=2.4e6, lifetime=20, profile="pv"),
               dict(unit="grid", unlimited=True, extendable=False, vom=100.0)],
        ports=[("pv", "el", 1.0), ("grid", "el", 1.0)],
        demand={"el": 10.0}, profiles={"pv": PV_STEP}, policy=policy, scale=scale,
    )  # fmt: skip


def test_grant_lowers_capex_by_its_share():
    # Half the capex: 60,000 per MW-year < 73,000, so 20 MW; 20 * 60,000 + 365 * 160 MWh * 100.
    model = solved(pv_vs_grid(PolicyTerms(grants=[CapexGrant("grant", ["pv"], 0.5, [2025])])))
    assert model.new.solution.sel(unit="pv").item() == pytest.approx(20.0)
    assert model.objective_value == pytest.approx(1_200_000.0 + 5_840_000.0)
    assert float(model.grant_amounts["grant"].solution.sum()) == pytest.approx(0.5 * 2.4e6 * 20)


def test_grant_is_capped():
    # A cap of 6e6 covers half of 5 MW only: PV stays at 10 MW and saves 6e6 / 20 = 300,000 a year.
    model = solved(pv_vs_grid(PolicyTerms(grants=[CapexGrant("grant", ["pv"], 0.5, [2025], cap=6e6)])))
    assert model.new.solution.sel(unit="pv").item() == pytest.approx(10.0)
    assert model.objective_value == pytest.approx(7_770_000.0 - 300_000.0)
    assert cost(model, "grant") == pytest.approx(-300_000.0)


def test_grant_outside_its_build_years_pays_nothing():
    model = solved(pv_vs_grid(PolicyTerms(grants=[CapexGrant("grant", ["pv"], 0.5, [2030])])))
    assert model.objective_value == pytest.approx(7_770_000.0)


def test_grant_lowers_size_class_capex_too():
    # PV priced by one size class (fixed 1.2e6, then 2.4e6 per MW): 10 MW costs (1.2e6 + 24e6) / 20 a
    # year without a grant; with half of it granted, 20 MW cost (0.6e6 + 24e6) / 20 = 1,230,000 a year.
    scale = pd.DataFrame({"unit": ["pv"], "segment": [0], "period": [2025], "lo": [0.0], "hi": [100.0],
                          "fixed": [1.2e6], "slope": [2.4e6]}).set_index(["unit", "segment", "period"])  # fmt: skip
    plain = solved(pv_vs_grid(scale=scale))
    assert plain.objective_value == pytest.approx(7_770_000.0 + 60_000.0)
    model = solved(pv_vs_grid(PolicyTerms(grants=[CapexGrant("grant", ["pv"], 0.5, [2025])]), scale=scale))
    assert model.new.solution.sel(unit="pv").item() == pytest.approx(20.0)
    assert model.objective_value == pytest.approx(1_230_000.0 + 5_840_000.0)


# ------------------------------------------------------------------ carbon contract for difference


def capture_cfd(strike: float, carbon: float = 40.0):
    # 1 t/h of CO2 vented at a carbon price of 40, or captured at 100 per t.
    terms = PolicyTerms(contracts=[ContractForDifference("cfd", pd.Series({"capture": 1.0}), strike,
                                                         pd.Series({2025: carbon}), (2025, 2025))])  # fmt: skip
    return make_network(
        buses={"co2": "balance", "em": "emission"},
        units=[dict(unit="vent", unlimited=True, extendable=False), dict(unit="capture", vom=100.0)],
        ports=[("vent", "co2", -1.0), ("vent", "em", 1.0), ("capture", "co2", -1.0)],
        demand={"co2": -1.0}, carbon_price=pd.Series({2025: carbon}), policy=terms,
    )  # fmt: skip


def test_contract_for_difference_pays_strike_minus_market_per_tonne_abated():
    # Strike 120: capture earns 120 - 40 = 80 per t, so it costs 20 net against 40 for venting.
    model = solved(capture_cfd(120.0))
    assert cost(model, "cfd") == pytest.approx(-8760 * 80.0)
    assert model.objective_value == pytest.approx(8760 * (100.0 - 80.0))


def test_contract_for_difference_is_paid_back_below_the_market():
    # Strike 30 < 40: captured tonnes would pay 10 back, so capture costs 110; venting (40) wins.
    model = solved(capture_cfd(30.0))
    assert cost(model, "cfd") == pytest.approx(0.0, abs=1e-6)
    assert model.objective_value == pytest.approx(8760 * 40.0)


# ------------------------------------------------------------------ renewable mandate


def test_renewable_share_floor_forces_pv():
    # PV at 5e6 (250,000 per MW-year) never pays; a 25 % share of 240 MWh a day is 60 MWh,
    # which 10 MW make exactly (4 h * 10 + 4 h * 5): 10 * 250,000 + 365 * 180 * 100.
    network = make_network(
        buses={"el": "balance"},
        units=[dict(unit="pv", capex=5e6, lifetime=20, profile="pv"),
               dict(unit="grid", unlimited=True, extendable=False, vom=100.0)],
        ports=[("pv", "el", 1.0), ("grid", "el", 1.0)], demand={"el": 10.0}, profiles={"pv": PV_STEP},
        policy=PolicyTerms(floors=[ShareFloor("renewables", ["pv"], ["grid"], pd.Series({2025: 0.25}))]),
    )  # fmt: skip
    model = solved(network)
    assert model.new.solution.sel(unit="pv").item() == pytest.approx(10.0)
    assert model.objective_value == pytest.approx(2_500_000.0 + 6_570_000.0)


# ------------------------------------------------------------------ emission charge (CBAM)


@pytest.mark.parametrize(("price", "objective"), [
    (100.0, 87_600 * (50.0 + 0.4 * 100.0) + 1000 * 100.0),  # gas at 90 per MWh beats clean at 120
    (200.0, 87_600 * 120.0 + 1000 * 200.0),  # gas at 130: clean power; fixed emissions still pay
])  # fmt: skip
def test_emission_charge_prices_flows_and_fixed_emissions(price, objective):
    periods = pd.Index([2025], name="period")
    network = make_network(
        buses={"el": "balance", "co2": "emission"},
        units=[dict(unit="gas", unlimited=True, extendable=False, vom=50.0),
               dict(unit="clean", unlimited=True, extendable=False, vom=120.0)],
        ports=[("gas", "el", 1.0), ("gas", "co2", 0.4), ("clean", "el", 1.0)], demand={"el": 10.0},
        emission_constant=xr.DataArray([[1000.0]], coords=[pd.Index(["co2"], name="bus"), periods]),
        policy=PolicyTerms(charges=[EmissionCharge("cbam", pd.DataFrame({2025: [price]}, index=["co2"]))]),
    )  # fmt: skip
    model = solved(network)
    assert model.objective_value == pytest.approx(objective)
    assert cost(model, "cbam") == pytest.approx(objective - float(model.cost_terms["variable_om"].solution.sum()))
    assert not math.isnan(model.objective_value)
