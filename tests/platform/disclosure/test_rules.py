"""Primary rules on hand-made contributions."""

from __future__ import annotations

from clusterpath.platform.disclosure.rules import change_rule, primary


def test_threshold_counts_non_zero_contributors_of_the_figure():
    assert primary({"a": 100.0, "b": 50.0, "c": 30.0}, 3, 10) is None
    assert "fewer than 3" in primary({"a": 100.0, "b": 50.0}, 3, 10)
    # Zeros do not contribute: two members with an amount are two, however many rows the table has.
    assert "fewer than 3" in primary({"a": 5.0, "b": 0.0, "c": 0.0, "d": 7.0}, 3, 10)
    assert primary({}, 3, 10) is None


def test_p_percent_rule():
    # b knows a to within c = 5 of 100, 5 %: fails at p = 10, holds at p = 4.
    assert "p% rule" in primary({"a": 100.0, "b": 50.0, "c": 5.0}, 3, 10)
    assert primary({"a": 100.0, "b": 50.0, "c": 5.0}, 3, 4) is None
    # The others besides the two largest sum to 20 of 100.
    assert primary({"a": 100.0, "c": 10.0, "d": 10.0, "e": 10.0}, 3, 10) is None


def test_change_rule_isolates_the_members_that_changed():
    before = {"a": 10.0, "b": 20.0, "c": 30.0}
    assert "fewer than 3" in change_rule(before, before | {"d": 40.0}, 3, 10)
    assert "p% rule" in change_rule(before, before | {"d": 1000.0, "e": 1.0, "f": 1.0}, 3, 10)
    assert change_rule(before, before | {"d": 40.0, "e": 35.0, "f": 30.0}, 3, 10) is None
