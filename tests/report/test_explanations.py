"""The report says why the plan is what it is and why each member pays what it pays."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from clusterpath.report.cluster import _allocation

pytestmark = pytest.mark.filterwarnings("ignore::linopy.LinopySemanticsWarning")


def test_why_this_plan_and_investment_by_member_are_in_the_workbook(solved, written):
    book = load_workbook(written["xlsx"])
    rows = list(book["why this plan"].iter_rows(values_only=True))
    header = rows[0]
    assert header[:4] == ("member", "lever", "service", "decision") and header[-1] == "reason"
    assert len(rows) - 1 == len(solved.summary["why_this_plan"]) > 0
    assert {r[3] for r in rows[1:]} <= {"built", "not built"}
    spent = {r[0]: r[1:] for r in book["investment by member"].iter_rows(min_row=2, values_only=True)}
    by_member = solved.summary["investment_by_member"]
    assert set(spent) == set(by_member)
    # Every build period's money, split by member, adds up to the plan's investment in that period.
    for period, total in solved.summary["investment_by_period"].items():
        assert sum(row[period] for row in by_member.values()) == pytest.approx(total, rel=1e-9, abs=1e-6)


def test_the_report_quotes_a_split_in_the_core_from_every_coalition(solved):
    from clusterpath.coalition.cluster_game import ClusterGame
    from clusterpath.coalition.explain import board_split
    from clusterpath.pathway.build import NetworkBuilder

    network = NetworkBuilder(solved.cluster, solved.scenario).build()
    with ClusterGame(network, full=network, workers=1, source=solved.cluster.id) as game:
        split = board_split(game)
        assert game.evaluated == 2**2 - 1
    assert split["method"] in ("nucleolus", "least-core") and split["in_core"] is True
    assert set(split["compared"]) == {"nucleolus", "least-core", "dual"}
    section = _allocation(split, "EUR")
    assert "The split is in the core" in section.text
    assert [t.name for t in section.tables] == ["allocation", "why my share"]


def test_a_split_outside_the_core_names_who_would_leave():
    """Hand figures: a alone 4, b alone 5, together 7; a charged 5 would pay 1 less on its own."""
    split = {"method": "nucleolus", "players": ["a", "b"], "allocation": {"a": 5e6, "b": 2e6},
             "standalone": {"a": 4e6, "b": 5e6}, "total": 7e6, "in_core": False, "blocking_coalition": ["a"],
             "violation": 1e6}  # fmt: skip
    text = _allocation(split, "EUR").text
    assert "The split is not in the core: {a} would pay 1.00 million EUR less on its own." in text
    compared = _allocation(split | {"compared": {"nucleolus": False, "least-core": False, "dual": False}}, "EUR").text
    assert "No split is known to be in the core" in compared and "{a} would pay 1.00 million EUR less" in compared
