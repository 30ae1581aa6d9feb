"""access.py decides alone what each role sees: every role against every member and every kind of result."""

from __future__ import annotations

import itertools

import pytest

from clusterpath.platform.access import (
    FILTERS,
    Role,
    Viewer,
    can_manage,
    can_read_raw,
    can_write_data,
    filter_aggregates,
    filter_result,
    shown,
    suppress,
)

MEMBERS = ["a", "b", "c"]
VIEWERS = {
    "coordinator": Viewer(1, Role.COORDINATOR),
    "a": Viewer(2, Role.MEMBER, "a"),
    "b": Viewer(3, Role.MEMBER, "b"),
    "observer": Viewer(4, Role.OBSERVER),
    "member without company": Viewer(5, Role.MEMBER, None),
}


@pytest.mark.parametrize(("who", "key"), itertools.product(VIEWERS, MEMBERS))
def test_raw_data_only_to_the_company_and_the_coordinator(who, key):
    viewer = VIEWERS[who]
    expected = who == "coordinator" or who == key
    assert can_read_raw(viewer, key) is expected
    assert can_write_data(viewer, key) is expected
    assert can_manage(viewer) is (who == "coordinator")


@pytest.mark.parametrize(("contributors", "k", "expected"), [(2, 3, False), (3, 3, True), (4, 3, True), (4, 5, False)])
def test_threshold(contributors, k, expected):
    assert shown(contributors, k) is expected


def test_one_hidden_row_takes_the_smallest_shown_with_it():
    rows = [{"s": "x", "v": 1}, {"s": "y", "v": 2}, {"s": "z", "v": 3}]
    assert [r["s"] for r in suppress(rows, "s", {"x": 5, "y": 3, "z": 1}, 3)] == ["x"]
    assert [r["s"] for r in suppress(rows, "s", {"x": 5, "y": 1, "z": 1}, 3)] == ["x"]
    assert [r["s"] for r in suppress(rows, "s", {"x": 5, "y": 4, "z": 3}, 3)] == ["x", "y", "z"]


def _per_member(value: float) -> dict:
    return {m: value + i for i, m in enumerate(MEMBERS)}


SPLIT = {"method": "shapley", "players": MEMBERS, "allocation": _per_member(10.5), "standalone": _per_member(20.5),
         "savings": _per_member(5.5), "total": 99.5, "in_core": True, "violation": 3.25, "blocking_coalition": ["a"]}
PAYLOADS = {
    "inventory": {"cluster": {"id": "x"}, "total_tco2e": 99.5, "members": [{"id": m, "total_tco2e": 1.5 + i}
                                                                          for i, m in enumerate(MEMBERS)],
                  "sectors": [{"sector": "s1", "total_tco2e": 50.5}], "carriers": [{"carrier": "gas", "total_tco2e": 7.5}],
                  "new_field_per_member": {"a": 1.25}},
    "plan": {"status": "optimal", "objective": 99.5, "member_emissions_tco2e": {m: {"2030": 1.5 + i}
                                                                               for i, m in enumerate(MEMBERS)},
             "capacity": {"heat_pump": 3.5}, "shared_assets": {"pipe": ["a", "b"]}, "macc": [{"lever": "x"}]},
    "allocate": SPLIT | {"currency": "EUR"},
    "collaborate": {"players": MEMBERS, "together": 99.5, "dividend": 9.5, "standalone": _per_member(20.5),
                    "rules": {"shapley": SPLIT}, "levers": [{"lever": "members' heat_pump", "saving": 2.5}]},
    "finance": {"currency": "EUR", "projects": [{"project": f"p-{m}", "member": m, "npv": 1.5 + i}
                                                for i, m in enumerate(MEMBERS)] + [{"project": "hub", "member": None}],
                "members": {m: {"npv": 1.5 + i} for i, m in enumerate(MEMBERS)} | {"shared": {"npv": 0.5}}},
    "compare": {"cluster": "x", "currency": "EUR",
                "scenarios": [{"scenario": "s1", "status": "optimal", "total_cost": 99.5, "emissions_tco2e": {"2030": 7.5}},
                              {"scenario": "s2", "status": "infeasible", "message": "largest emitters: b 9.5 t"}]},
    "fund": {"scenario": "s1", "currency": "EUR", "budget": 9.5, "status": "optimal",
             "projects": [{"project": f"p-{m}", "member": m, "grant": 1.5 + i} for i, m in enumerate(MEMBERS)]
             + [{"project": "hub", "member": None, "grant": 0.5}],
             "viable_without_support": [{"project": "v-b", "member": "b", "npv": 2.5}],
             "totals": {"public_money": 7.5, "abated_tco2e": 99.5}},
}  # fmt: skip
CONTRIBUTORS = {"members": MEMBERS, "sectors": {"s1": ["a", "b", "c"]}, "carriers": {"gas": ["a", "b"]}}


def _member_keys(value) -> set[str]:
    """Member keys that appear as dict keys or as 'id'/'member' values anywhere in a result."""
    found = set()
    if isinstance(value, dict):
        for key, item in value.items():
            if key in MEMBERS:
                found.add(key)
            if key in ("id", "member") and item in MEMBERS:
                found.add(item)
            found |= _member_keys(item)
    elif isinstance(value, list):
        for item in value:
            found |= _member_keys(item)
    return found


def test_every_kind_of_job_has_a_filter():
    from clusterpath.platform.jobs import KINDS

    assert set(KINDS) == set(FILTERS)


@pytest.mark.parametrize(("kind", "who", "k"), itertools.product(PAYLOADS, VIEWERS, (3, 4)))
def test_results_show_own_rows_and_aggregates_of_k(kind, who, k):
    viewer = VIEWERS[who]
    visible, withheld = filter_result(viewer, kind, PAYLOADS[kind], CONTRIBUTORS, k)
    if who == "coordinator":
        assert visible == PAYLOADS[kind] and withheld == {}
        return
    assert _member_keys(visible) <= ({viewer.member_key} if viewer.member_key else set())
    # No aggregate without its figures' release (api/results.visible_result): at k or below, with the reason.
    for key in ("total_tco2e", "objective", "total", "together"):
        if key in PAYLOADS[kind]:
            assert key not in visible and ("fewer than" in withheld[key]) is (k > 3), key
    assert "new_field_per_member" not in visible and "violation" not in visible
    assert set(PAYLOADS[kind]) <= set(visible) | set(withheld)


def test_hub_projects_are_the_coordinators():
    """The hub's projects are sized by every member's demand but are no sum of their parts (docs/security.md)."""
    for k in (3, 4):
        visible, withheld = filter_result(VIEWERS["a"], "finance", PAYLOADS["finance"], CONTRIBUTORS, k)
        assert [p["project"] for p in visible["projects"]] == ["p-a"] and set(visible["members"]) == {"a"}
        assert "shared" in withheld


def test_released_figures_take_the_place_of_the_aggregates():
    figures = {"emissions_tco2e.2030": 7.5, "emissions_tco2e.2040": None}
    payload = {"status": "optimal", "emissions_tco2e": {"2030": 7.5, "2040": 0.5}, "objective": 99.5}
    visible, withheld = filter_result(VIEWERS["a"], "plan", payload, CONTRIBUTORS, 3, None, figures,
                                      {"emissions_tco2e.2040": "fewer than 3 members contribute"})  # fmt: skip
    assert visible["emissions_tco2e"] == {"2030": 7.5, "2040": None}
    assert withheld["emissions_tco2e.2040"] == "fewer than 3 members contribute" and "objective" in withheld


def test_compared_scenarios_show_no_cluster_totals_and_no_reasons_naming_members():
    for k in (3, 4):
        visible, withheld = filter_result(VIEWERS["a"], "compare", PAYLOADS["compare"], CONTRIBUTORS, k)
        first, second = visible["scenarios"]
        assert "total_cost" not in first and "emissions_tco2e" not in first and "total_cost" in withheld
        assert second == {"scenario": "s2", "status": "infeasible"}


def test_funding_shows_own_projects_only():
    for k in (3, 4):
        visible, withheld = filter_result(VIEWERS["a"], "fund", PAYLOADS["fund"], CONTRIBUTORS, k)
        assert [p["project"] for p in visible["projects"]] == ["p-a"] and "totals" in withheld
        assert visible["viable_without_support"] == []


def test_a_kind_without_a_rule_shows_nothing():
    visible, withheld = filter_result(VIEWERS["a"], "not-a-kind", {"a": 1.0}, CONTRIBUTORS, 3)
    assert visible == {} and withheld


def test_inventory_rows_need_k_contributors():
    visible, withheld = filter_result(VIEWERS["observer"], "inventory", PAYLOADS["inventory"], CONTRIBUTORS, 3)
    assert visible["sectors"] == PAYLOADS["inventory"]["sectors"] and visible["carriers"] == []
    assert "carriers" in withheld


@pytest.mark.parametrize(("members", "shown_total"), [(2, False), (3, True)])
def test_aggregates_endpoint_rule(members, shown_total):
    rows = [{"sector": "s1", "total_tco2e": 5.0}]
    out = filter_aggregates(VIEWERS["observer"], rows, "sector", {"s1": members}, members, 3, {"total_tco2e": 5.0})
    assert (out["totals"] is not None) is shown_total and (out["rows"] == rows) is shown_total
    everything = filter_aggregates(VIEWERS["coordinator"], rows, "sector", {"s1": members}, members, 3, {"t": 1})
    assert everything["rows"] == rows and everything["totals"] == {"t": 1}


def test_in_core_is_an_aggregate_of_k():
    """Whether an allocation is in the core depends on every member's costs: with fewer than k members it tells
    a member about the others (issue 14)."""
    for kind, path in (("allocate", ()), ("collaborate", ("rules", "shapley"))):
        where = "".join(f"{key}." for key in path)
        for k, shown_core in ((3, True), (4, False)):
            # Shown with the total only, when the total's release shows it.
            visible, withheld = filter_result(VIEWERS["a"], kind, PAYLOADS[kind], CONTRIBUTORS, k, None,
                                              {f"{where}total": 99.5})  # fmt: skip
            for key in path:
                visible = visible[key]
            assert ("in_core" in visible) is shown_core, (kind, k)
            assert (f"{where}in_core" in withheld) is not shown_core, (kind, k)
