"""Job results' figures as sums of members' parts (disclosure/results.py), decided by the rules, suppression and
audit over earlier releases (disclosure/release.decide_result), on results small enough to check by hand."""

from __future__ import annotations

import pandas as pd

from clusterpath.platform import releases
from clusterpath.platform.disclosure import Earlier, decide, table_figures
from clusterpath.platform.disclosure.audit import audit
from clusterpath.platform.disclosure.cells import CELL_FIELDS
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


def _inventory_cells(amounts: dict[str, dict[tuple[str, str], float]]) -> pd.DataFrame:
    """Inventory cells of data epoch '1', all members in sector chemicals: member -> (carrier, column) -> amount."""
    rows = [{"member": m, "epoch": "1", "sector": "chemicals", "carrier": carrier, "column": column, "value": value}
            for m, cells in amounts.items() for (carrier, column), value in cells.items()]  # fmt: skip
    frame = pd.DataFrame(rows)
    frame.index = frame["member"] + "@1|" + frame["carrier"] + "|" + frame["column"]
    return frame[CELL_FIELDS].sort_index()


def test_a_plan_figure_equal_to_the_baseline_does_not_open_a_suppressed_inventory_cell():
    """a's process vent (40 t) is its own: the inventory withholds the process column and, so that scope 1 minus
    combustion does not give it away, one of the two. In 2025 nothing is built yet: each member's plan emissions
    are its baseline's, which a competitor knows. If the inventory shows combustion (310 t, three contributors), the
    plan's scope 1 of 2025 (350 t, three contributors, fine on its own) minus it is a's 40 t; if it shows scope 1,
    the plan's scope 1 of 2035 (the boilers replaced: a's vent and b's furnace) gives nothing alone, but the total
    and scope 2 of 2025 would stand for the inventory's scope 1 and total. The attacker (independent of the
    disclosure module) reads both releases, reasoning that a member's 2025 parts are its baseline's."""
    from helpers.attacker import Attacker

    gas, vent, power = "scope1_combustion_tco2e", "scope1_process_tco2e", "scope2_tco2e"
    amounts = {"a": {("natural_gas", gas): 100.0, ("process", vent): 40.0, ("electricity", power): 50.0},
               "b": {("natural_gas", gas): 120.0, ("electricity", power): 60.0},
               "c": {("natural_gas", gas): 90.0, ("electricity", power): 70.0}}  # fmt: skip
    cells = _inventory_cells(amounts)
    members = dict.fromkeys("abc", "1")
    figures = table_figures(cells, {"carrier": ["electricity", "natural_gas", "process"]})
    inventory = decide(figures, cells, members, K, P, [])
    assert inventory.held is None and "totals::scope1_process_tco2e" in inventory.withheld
    assert ("totals::scope1_tco2e" in inventory.withheld) != ("totals::scope1_combustion_tco2e" in inventory.withheld)
    stored = releases.record(1, releases.CLUSTER, 1, "1", K, P, members, {"carrier": []}, cells, figures, inventory)
    scope1 = {m: sum(v for (_, column), v in c.items() if column != power) for m, c in amounts.items()}
    parts = {m: {"scope1": {"2025": scope1[m], "2035": {"a": 40.0, "b": 30.0}.get(m, 0.0)},
                 "scope2": {"2025": amounts[m][("electricity", power)], "2035": 80.0 + 10 * i}}
             for i, m in enumerate("abc")}  # fmt: skip
    by_scope = {s: {p: sum(v[s][p] for v in parts.values()) for p in ("2025", "2035")} for s in ("scope1", "scope2")}
    plan = {"periods": [2025, 2035], "emissions_by_scope_tco2e": by_scope,
            "emissions_tco2e": {p: by_scope["scope1"][p] + by_scope["scope2"][p] for p in ("2025", "2035")},
            "member_parts": {"emissions": parts, "investment": {}}}  # fmt: skip
    assert plan["emissions_by_scope_tco2e"]["scope1"]["2025"] == 350.0 == 100 + 40 + 120 + 90
    made = plan_figures(plan, OPTIONS, members, cells, {})
    decision = _decide(made, [releases.earlier(stored)])
    attacker = Attacker()
    for m, c in amounts.items():
        attacker.know(f"{m}@1", "chemicals", c)
    epochs = [f"{m}@1" for m in amounts]
    for figure in figures:
        if figure.id in inventory.released:
            attacker.equations.append((attacker.composition(epochs, figure.table, figure.row or None, figure.column),
                                       inventory.released[figure.id]))  # fmt: skip
    # The attacker's reading of the plan's 2025: a member's scope 1 and 2 then are its baseline's.
    columns = {("emissions_by_scope_tco2e", "scope1", "2025"): "scope1_tco2e",
               ("emissions_by_scope_tco2e", "scope2", "2025"): power, ("emissions_tco2e", "2025"): "total_tco2e"}
    for figure in made.figures:
        column = columns.get(made.paths[figure.id])
        if column is not None and figure.id in decision.released:
            attacker.equations.append((attacker.composition(epochs, "totals", None, column),
                                       decision.released[figure.id]))  # fmt: skip
    assert attacker.equations
    assert not attacker.pins("a@1", "totals", None, vent, P)


def test_links_are_a_plan_parts_equal_to_a_sum_of_the_members_own_inventory_cells_of_that_scope():
    """a's plan scope 1 of 2035 is its vent (40 t); of 2025 its vent and gas (140 t); its 2035 scope 2 (80 t) copies
    nothing; b's scope 2 of 2025 (60 t) equals its electricity, not a's (50 t) and not its own gas (120 t)."""
    from clusterpath.platform.disclosure.links import links

    inventory = _inventory_cells({"a": {("natural_gas", "scope1_combustion_tco2e"): 100.0,
                                        ("process", "scope1_process_tco2e"): 40.0,
                                        ("electricity", "scope2_tco2e"): 50.0},
                                  "b": {("natural_gas", "scope1_combustion_tco2e"): 60.0,
                                        ("electricity", "scope2_tco2e"): 60.0}})  # fmt: skip
    plan = pd.DataFrame({"member": ["a", "a", "a", "b"], "epoch": "1", "sector": "", "carrier": "plan.x.y",
                         "column": ["scope1:2035", "scope1:2025", "scope2:2035", "scope2:2025"],
                         "value": [40.0, 140.0, 80.0, 60.0]},
                        index=["a@1|plan|s1:35", "a@1|plan|s1:25", "a@1|plan|s2:35", "b@1|plan|s2:25"])  # fmt: skip
    found = sorted(links(pd.concat([inventory, plan])))
    gas, vent = "a@1|natural_gas|scope1_combustion_tco2e", "a@1|process|scope1_process_tco2e"
    assert found == [(("a@1|plan|s1:25",), (gas, vent)), (("a@1|plan|s1:35",), (vent,)),
                     (("b@1|plan|s2:25",), ("b@1|electricity|scope2_tco2e",))]  # fmt: skip
