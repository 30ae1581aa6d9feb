"""Job results' figures as sums of members' parts (disclosure/results.py), decided by the rules, suppression and
audit over earlier releases (disclosure/release.decide_result), on results small enough to check by hand."""

from __future__ import annotations

import pandas as pd

from clusterpath.platform.disclosure import Earlier
from clusterpath.platform.disclosure.audit import audit
from clusterpath.platform.disclosure.release import decide_result
from clusterpath.platform.disclosure.results import (
    NEGATIVE,
    allocate_figures,
    collaborate_figures,
    plan_figures,
)

K, P = 3, 10.0
OPTIONS = {"scenario": "small", "time_limit": 60}


def _decide(made, earlier=()):
    hidden = {f for f, path in made.paths.items() if not path}
    return decide_result(made.figures, made.cells, K, P, list(earlier), made.relations, hidden)


def _plan(parts: dict[str, dict[str, float]], members: dict[str, str]) -> dict:
    """A plan of one period 2035 whose members' scope 1 and 2 are ``parts``; the hub emits 5 t of scope 2."""
    by_scope = {s: {"2035": sum(p.get(s, 0.0) for p in parts.values()) + (5.0 if s == "scope2" else 0.0)}
                for s in ("scope1", "scope2")}  # fmt: skip
    return {"periods": [2035], "emissions_tco2e": {"2035": sum(v["2035"] for v in by_scope.values())},
            "emissions_by_scope_tco2e": by_scope, "investment_by_period": {"2035": 0.0},
            "member_parts": {"emissions": {m: {s: {"2035": v} for s, v in p.items()} for m, p in parts.items()},
                             "investment": {}}}  # fmt: skip


def test_a_plan_figure_of_one_contributor_is_withheld_with_a_complement():
    """scope 1 in 2035 is b's alone (60 t): withheld, and scope 2 with it, else total - scope 2 gives it away.
    The total is shown with the hub's 5 t."""
    members = dict.fromkeys("abc", "1")
    made = plan_figures(_plan({"a": {"scope2": 100.0}, "b": {"scope1": 60.0, "scope2": 120.0},
                               "c": {"scope2": 90.0}}, members), OPTIONS, members, pd.DataFrame(), {})  # fmt: skip
    decision = _decide(made)
    ids = {made.paths[f]: f for f in made.paths}
    assert "fewer than 3" in decision.withheld[ids[("emissions_by_scope_tco2e", "scope1", "2035")]]
    total = ids[("emissions_tco2e", "2035")]
    assert (ids[("emissions_by_scope_tco2e", "scope2", "2035")] in decision.withheld) or total in decision.withheld
    if total in decision.released:
        assert decision.released[total] + made.offsets[total] == 375.0


def test_the_time_limit_does_not_change_a_figures_id_but_the_data_change_its_cells():
    members = dict.fromkeys("abc", "1")
    plan = _plan({m: {"scope2": 50.0 + i} for i, m in enumerate("abc")}, members)
    one = plan_figures(plan, OPTIONS, members, pd.DataFrame(), {})
    two = plan_figures(plan, OPTIONS | {"time_limit": 5}, members, pd.DataFrame(), {})
    three = plan_figures(plan, OPTIONS, members | {"c": "2"}, pd.DataFrame(), {})
    assert [f.id for f in one.figures] == [f.id for f in two.figures] == [f.id for f in three.figures]
    assert one.figures[0].cells == two.figures[0].cells != three.figures[0].cells


def test_two_plans_that_differ_by_one_member_do_not_give_it_away():
    """Plans of a, b, c and of a, b, c, d (same options): the change of the total is d's part: withheld."""
    first = dict.fromkeys("abc", "1")
    made = plan_figures(_plan({m: {"scope2": v} for m, v in zip("abc", (50.0, 60.0, 70.0))}, first), OPTIONS, first,
                        pd.DataFrame(), {})  # fmt: skip
    decision = _decide(made)
    total = next(f for f, path in made.paths.items() if path == ("emissions_tco2e", "2035"))
    assert total in decision.released
    before = Earlier(1, made.cells, made.figures, frozenset(decision.released), first)
    second = first | {"d": "1"}
    again = plan_figures(_plan({m: {"scope2": v} for m, v in zip("abcd", (50.0, 60.0, 70.0, 80.0))}, second),
                         OPTIONS, second, pd.DataFrame(), {})  # fmt: skip
    later = _decide(again, [before])
    assert later.withheld[total].startswith("the change since release 1") and "fewer than 3" in later.withheld[total]


def test_an_allocation_total_dominated_by_one_member_is_withheld():
    """Allocations a 60, b 36, c 2: a knows its own and the total, so b + c = 38, and b is known to within 6 %."""
    members = dict.fromkeys("abc", "1")
    made = allocate_figures({"total": 98.0, "allocation": {"a": 60.0, "b": 36.0, "c": 2.0}}, {}, members)
    (total,) = made.figures
    assert "p% rule" in _decide(made).withheld[total.id]
    shown = allocate_figures({"total": 98.0, "allocation": {"a": 50.0, "b": 28.0, "c": 20.0}}, {}, members)
    assert shown.figures[0].id in _decide(shown).released
    negative = allocate_figures({"total": 98.0, "allocation": {"a": 60.0, "b": 40.0, "c": -2.0}}, {}, members)
    assert negative.figures == [] and negative.withheld == {"total": NEGATIVE}


def test_together_and_dividend_protect_each_members_standalone_cost():
    """Standalone a 100, b 80, c 3 (allocations 90, 72, 2; savings 10, 8, 1). together + dividend is the sum of the
    standalone costs: a, knowing its own, would know b's to within 4 %. The figure never shown is a target."""
    members = dict.fromkeys("abc", "1")
    split = {"total": 164.0, "allocation": {"a": 90.0, "b": 72.0, "c": 2.0}, "savings": {"a": 10.0, "b": 8.0, "c": 1.0}}
    made = collaborate_figures({"together": 164.0, "dividend": 19.0, "rules": {"shapley": split}}, {}, members)
    decision = _decide(made)
    hidden = next(f for f in made.figures if made.paths[f.id] == ())
    assert hidden.id in decision.withheld
    shown = [f.cells for f in made.figures if f.id in decision.released]
    b_standalone = [c for c in hidden.cells if c.startswith("b@")]
    target = [("b", tuple(b_standalone))]
    assert not [b for b in audit(made.cells, shown, target, P) if b.attacker == "a"]
    everything = [f.cells for f in made.figures if made.paths[f.id]]
    assert [b for b in audit(made.cells, everything, target, P) if b.attacker == "a"]


def test_a_plan_stored_before_member_parts_shows_no_aggregate():
    from clusterpath.platform.disclosure.results import OLD

    made = plan_figures({"periods": [2035], "emissions_tco2e": {"2035": 9.0}}, OPTIONS, dict.fromkeys("abc", "1"),
                        pd.DataFrame(), {})  # fmt: skip
    assert made.figures == [] and made.withheld["emissions_tco2e"] == made.withheld["portfolio_figures"] == OLD
