"""Figures, audit, complementary suppression and releases over time, on tables small enough to check by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from clusterpath.platform.disclosure import Earlier, decide, relations, table_figures
from clusterpath.platform.disclosure.audit import audit
from clusterpath.platform.disclosure.cells import CELL_FIELDS
from clusterpath.platform.disclosure.release import COMPLEMENTARY


def cells(rows: list[tuple[str, str, str, str, float]], epoch: str = "1") -> pd.DataFrame:
    """(member, sector, carrier, column, value) rows as ``cells_of`` makes them."""
    frame = pd.DataFrame([{"member": m, "epoch": epoch, "sector": s, "carrier": c, "column": col, "value": v}
                          for m, s, c, col, v in rows])[CELL_FIELDS]  # fmt: skip
    frame.index = frame["member"] + "@" + frame["epoch"] + "|" + frame["carrier"] + "|" + frame["column"]
    return frame


def scope2(values: dict[str, tuple[str, float]], epoch: str = "1") -> pd.DataFrame:
    return cells([(m, sector, "electricity", "scope2_tco2e", v) for m, (sector, v) in values.items()], epoch)


def test_figures_are_sums_of_cells_and_their_relations():
    table = cells([("a", "S1", "natural_gas", "scope1_combustion_tco2e", 10.0),
                   ("a", "S1", "electricity", "scope2_tco2e", 4.0),
                   ("b", "S2", "natural_gas", "scope1_combustion_tco2e", 6.0),
                   ("b", "S2", "process", "scope1_process_tco2e", 3.0)])
    figures = {f.id: f for f in table_figures(table, {"sector": ["S1", "S2"], "carrier": ["natural_gas", "process"]})}
    assert figures["totals::total_tco2e"].value(table) == 23.0
    assert figures["totals::scope1_tco2e"].value(table) == 19.0
    assert figures["sector:S2:total_tco2e"].contributions(table) == {"b": 9.0}
    assert figures["carrier:natural_gas:scope1_tco2e"].contributions(table) == {"a": 10.0, "b": 6.0}
    assert figures["carrier:process:energy_mwh"].cells == ()
    links = relations(list(figures.values()))
    assert ("totals::total_tco2e", "sector:S1:total_tco2e", "sector:S2:total_tco2e") in links
    assert ("sector:S1:total_tco2e", "sector:S1:scope1_tco2e", "sector:S1:scope2_tco2e") in links


def test_audit_bounds_what_an_attacker_can_work_out():
    table = scope2({"a": ("S", 10.0), "b": ("S", 20.0), "c": ("S", 30.0)})
    everyone, ab = tuple(table.index), tuple(table.index[:2])
    b = ("b", (table.index[1],))
    # The total alone: a knows b + c = 50, so b lies anywhere in [0, 50].
    assert audit(table, [everyone], [b], 10) == []
    # With a + b = 30 released too, a knows b = 20 exactly.
    (breach,) = [x for x in audit(table, [everyone, ab], [b], 10) if x.attacker == "a"]
    assert breach.low == pytest.approx(20.0) and breach.high == pytest.approx(20.0) and breach.binding == (1,)
    # p %: a = 100, b = 50, c = 3. b knows a + c = 103, so a lies in [0, 103]: less than 10 % above.
    table = scope2({"a": ("S", 100.0), "b": ("S", 50.0), "c": ("S", 3.0)})
    breaches = audit(table, [tuple(table.index)], [("a", (table.index[0],))], 10)
    (by_b,) = [x for x in breaches if x.attacker == "b"]
    assert (by_b.low, by_b.high) == pytest.approx((0.0, 103.0))


def test_complementary_suppression_withholds_a_row_rather_than_the_total():
    """S1 = a, b, c (10, 20, 30), S2 = d (40), S3 = e (50). The threshold withholds S2 and S3; then d would get
    e = 150 - 60 - 40 from the total and S1. Withholding S1 (weight 1) is cheaper than the total (weight 2)."""
    table = scope2({"a": ("S1", 10.0), "b": ("S1", 20.0), "c": ("S1", 30.0), "d": ("S2", 40.0), "e": ("S3", 50.0)})
    figures = table_figures(table, {"sector": ["S1", "S2", "S3"]})
    decision = decide(figures, table, dict.fromkeys("abcde", "1"), 3, 10, [])
    assert decision.held is None
    assert decision.released["totals::total_tco2e"] == 150.0
    assert "fewer than 3" in decision.withheld["sector:S2:total_tco2e"]
    assert "fewer than 3" in decision.withheld["sector:S3:scope2_tco2e"]
    assert decision.withheld["sector:S1:total_tco2e"] == COMPLEMENTARY
    assert decision.released["sector:S1:scope1_tco2e"] == 0.0  # zero by structure: nobody's
    shown = [f.cells for f in figures if f.id in decision.released and f.cells]
    targets = [(m, (cell,)) for cell, m in table["member"].items()]
    assert audit(table, shown, targets, 10) == []


def _earlier(table: pd.DataFrame, members: dict, k: int = 3) -> Earlier:
    figures = table_figures(table, {"sector": sorted(set(table["sector"]))})
    decision = decide(figures, table, members, k, 10, [])
    return Earlier(1, table, figures, frozenset(decision.released), members)


def test_a_change_from_fewer_than_k_members_is_held_back():
    before = scope2({"a": ("S", 10.0), "b": ("S", 20.0), "c": ("S", 30.0)})
    first = _earlier(before, dict.fromkeys("abc", "1"))
    assert "totals::total_tco2e" in first.released
    now = pd.concat([before, scope2({"d": ("S", 40.0)})])
    figures = table_figures(now, {"sector": ["S"]})
    decision = decide(figures, now, dict.fromkeys("abcd", "1"), 3, 10, [first])
    assert decision.held == "the change since release 1 comes from fewer than 3 members"
    # Once three members have changed, it goes out, and the difference protects each newcomer.
    now = pd.concat([now, scope2({"e": ("S", 35.0), "f": ("S", 45.0)})])
    decision = decide(table_figures(now, {"sector": ["S"]}), now, dict.fromkeys("abcdef", "1"), 3, 10, [first])
    assert decision.held is None and decision.released["totals::total_tco2e"] == 180.0


def test_a_change_dominated_by_one_member_is_held_back():
    before = scope2({"a": ("S", 10.0), "b": ("S", 20.0), "c": ("S", 30.0)})
    first = _earlier(before, dict.fromkeys("abc", "1"))
    now = pd.concat([before, scope2({"d": ("S", 1000.0), "e": ("S", 1.0), "f": ("S", 1.0)})])
    decision = decide(table_figures(now, {"sector": ["S"]}), now, dict.fromkeys("abcdef", "1"), 3, 10, [first])
    assert decision.held.startswith("the change since release 1") and "p% rule" in decision.held


def test_a_member_that_changes_its_data_is_a_new_unknown():
    """b uploads new data (epoch 2): its old cells stay in the audit, so the release of the new total, which
    differs from the old one by b's change only, is held back."""
    before = scope2({"a": ("S", 10.0), "b": ("S", 20.0), "c": ("S", 30.0)})
    first = _earlier(before, dict.fromkeys("abc", "1"))
    now = pd.concat([before.drop(index="b@1|electricity|scope2_tco2e"), scope2({"b": ("S", 25.0)}, epoch="2")])
    decision = decide(table_figures(now, {"sector": ["S"]}), now, {"a": "1", "b": "2", "c": "1"}, 3, 10, [first])
    assert decision.held == "the change since release 1 comes from fewer than 3 members"


def test_the_audit_catches_a_difference_with_any_earlier_release():
    """Release 1 showed a + b + c; release 2 (k raised to 4) showed nothing, so the latest release gives the rule
    on changes nothing to compare. With d, the total a + b + c + d passes k = 4, but with release 1 it is d's:
    the audit withholds it."""
    before = scope2({"a": ("S", 10.0), "b": ("S", 20.0), "c": ("S", 30.0)})
    first = _earlier(before, dict.fromkeys("abc", "1"))
    assert "totals::total_tco2e" in first.released
    second = _earlier(before, dict.fromkeys("abc", "1"), k=4)
    assert "totals::total_tco2e" not in second.released
    second = Earlier(2, second.cells, second.figures, second.released, second.members)
    now = pd.concat([before, scope2({"d": ("S", 40.0)})])
    decision = decide(table_figures(now, {"sector": ["S"]}), now, dict.fromkeys("abcd", "1"), 4, 10, [first, second])
    assert decision.held is None
    assert decision.withheld["totals::total_tco2e"] == COMPLEMENTARY
    assert "totals::total_tco2e" not in decision.released
