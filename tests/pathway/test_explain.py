"""Why this plan, on a case solved on paper.

Heat of 10 MW all year (87,600 MWh) comes today from a gas boiler at 50 per MWh emitting 0.4 t/MWh
(35,040 t a year). Two levers serve it instead, each a MW-year of capital plus a variable cost (rate 0,
one-year periods and one-year lives, so the annuity is 1 and discounting is 1):
  a: 525,600 per MW (60 per MWh over 8,760 h) + 60 = 120 per MWh: (120 - 50) / 0.4 = 175 per tonne;
  b: 613,200 per MW (70 per MWh) + 80 = 150 per MWh: (150 - 50) / 0.4 = 250 per tonne.
The cap of 20,000 t leaves 15,040 t to abate: 37,600 MWh, 4.292 MW of a. The cap's shadow price is then a's
175/t, below b's 250/t, so b is left out: a MW of b would cost 613,200 and save 8,760 MWh of a's variable
cost and carbon value, 8,760 * (120 - 80) = 350,400, a reduced cost of 262,800 (= 8,760 * 30 per MWh).
With a's potential at 3 MW (26,280 MWh, 10,512 t), b must abate the other 4,528 t: b becomes marginal
and the shadow price is its 250/t.
"""

from __future__ import annotations

import pandas as pd
import pytest
from helpers.networks import make_network

from clusterpath.pathway.explain import lever_reasons, records
from clusterpath.pathway.network import EmissionCap, PathwayModel

pytestmark = pytest.mark.filterwarnings("ignore::linopy.LinopySemanticsWarning")
YEAR = 8760.0


def heat(potential_a: float = float("inf"), earliest_b: float | None = None,
         classes: bool | pd.DataFrame = False) -> PathwayModel:
    periods = pd.Index([2025], name="period")
    # As one size class each (0 to 10 MW at the same capital per MW): the same plan, solved as a MIP.
    scale = pd.DataFrame({"lo": [0.0, 0.0], "hi": [10.0, 10.0], "fixed": [0.0, 0.0], "slope": [60 * YEAR, 70 * YEAR]},
                         index=pd.MultiIndex.from_tuples([("site|a", "one", 2025), ("site|b", "one", 2025)],
                                                         names=["unit", "segment", "period"]))  # fmt: skip
    network = make_network(
        buses={"site|heat": "balance", "site|scope1": "emission"},
        units=[dict(unit="site|today", unlimited=True, extendable=False, vom=50.0),
               dict(unit="site|a", capex=60 * YEAR, vom=60.0, lifetime=1, capacity_max=potential_a),
               dict(unit="site|b", capex=70 * YEAR, vom=80.0, lifetime=1)],
        ports=[("site|today", "site|heat", 1.0), ("site|today", "site|scope1", 0.4),
               ("site|a", "site|heat", 1.0), ("site|b", "site|heat", 1.0)],
        demand={"site|heat": 10.0}, periods=periods,
        caps=[EmissionCap("cluster", ["site|scope1"], pd.Series([20_000.0], index=periods))],
        meta={"incumbent": pd.DataFrame({"useful_mwh": [10 * YEAR], "fuel_cost": [50 * 10 * YEAR],
                                         "scope1_tco2e": [0.4 * 10 * YEAR]},
                                        index=pd.MultiIndex.from_tuples([("site", "heat", 2025)],
                                                                        names=["member", "service", "period"]))},
        scale=classes if isinstance(classes, pd.DataFrame) else scale if classes else None,
    )  # fmt: skip
    network.units["lever"] = ["today", "a", "b"]
    network.units["service"] = "heat"
    if earliest_b is not None:
        network.units["earliest_operation"] = [float("-inf"), float("-inf"), earliest_b]
    model = PathwayModel(network)
    assert model.solve() == ("ok", "optimal")
    return model


def reasons(model: PathwayModel) -> dict:
    return {row["lever"]: row for row in records(lever_reasons(model))}


def test_a_lever_dearer_per_tonne_than_the_caps_shadow_price_is_left_out():
    why = reasons(heat())
    a, b = why["a"], why["b"]
    assert a["decision"] == "built" and a["capacity"] == pytest.approx(37_600 / YEAR)
    assert a["cost_per_tco2e"] == pytest.approx(175.0) and a["cap_shadow_price"] == pytest.approx(175.0)
    assert a["limit"] is None and "built as far as it pays" in a["reason"]
    assert "replacing today's heat" in a["reason"]
    assert b["decision"] == "not built"
    assert b["cost_per_tco2e"] == pytest.approx(250.0) and b["cap_shadow_price"] == pytest.approx(175.0)
    assert b["reduced_cost_per_mw"] == pytest.approx(30 * YEAR, rel=1e-6)
    assert b["reason"].startswith("not built: costs 250/t against a carbon value of 175/t in 2025")


def test_a_plan_with_size_classes_is_explained_from_its_lp_with_the_classes_fixed():
    """A MIP has no duals: the reasons come from the LP with the plan's classes fixed, and the model stays a MIP."""
    from clusterpath.pathway.plan import why_this_plan

    model = heat(classes=True)
    assert len(model.model.binaries)
    why = {row["lever"]: row for row in records(why_this_plan(model))}
    assert why["a"]["decision"] == "built" and why["a"]["cap_shadow_price"] == pytest.approx(175.0)
    # b's class is fixed at zero: no margin to read, and the line says so instead of a reduced cost.
    assert why["b"]["decision"] == "not built" and why["b"]["reduced_cost_per_mw"] is None
    assert why["b"]["reason"] == ("not built: costs 250/t against a carbon value of 175/t in 2025 (carbon price 0, "
                                  "cap's shadow price 175); at the costs of its size classes it does not pay in this plan")
    assert len(model.model.binaries) and not model.model.variables["size-class"].fixed


def test_a_plan_whose_units_have_different_numbers_of_classes_is_explained():
    """b has no second class: its masked class has no solution value (NaN), which linopy's fix() refuses."""
    from clusterpath.pathway.plan import why_this_plan

    two = pd.DataFrame({"lo": [0.0, 5.0, 0.0], "hi": [5.0, 10.0, 10.0], "fixed": [0.0] * 3,
                        "slope": [60 * YEAR, 60 * YEAR, 70 * YEAR]},
                       index=pd.MultiIndex.from_tuples([("site|a", "one", 2025), ("site|a", "two", 2025),
                                                        ("site|b", "one", 2025)], names=["unit", "segment", "period"]))  # fmt: skip
    model = heat(classes=two)
    why = {row["lever"]: row for row in records(why_this_plan(model))}
    assert why["a"]["decision"] == "built" and why["a"]["cap_shadow_price"] == pytest.approx(175.0)
    assert why["b"]["decision"] == "not built"


def test_a_lever_at_its_potential_hands_the_margin_to_the_next():
    why = reasons(heat(potential_a=3.0))
    assert why["a"]["limit"] == "its potential of 3.0 MW in 2025"
    assert "stopped by its potential" in why["a"]["reason"]
    assert why["b"]["decision"] == "built" and why["b"]["capacity"] == pytest.approx(4_528 / 0.4 / YEAR)
    assert why["b"]["cap_shadow_price"] == pytest.approx(250.0)
    assert why["a"]["cap_shadow_price"] == pytest.approx(250.0)


def test_a_lever_its_lead_time_keeps_out_says_so():
    why = reasons(heat(earliest_b=2030.0))
    assert why["b"]["reason"] == "not built: not available before 2030 (lead time), after the plan's last period"
