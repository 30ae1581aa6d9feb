"""On the platform each member reads its own share's explanation, and nothing in it is another member's figure."""

from __future__ import annotations

import json

import pytest

from clusterpath.platform.access import filter_result

from .test_access import CONTRIBUTORS, MEMBERS, SPLIT, VIEWERS


def _why(member: str, i: int) -> dict:
    others = [m for m in MEMBERS if m != member]
    return {"member": member, "method": "shapley", "alone": 20.5 + i, "pays": 10.5 + i, "saving": 10.0,
            "together": 99.5, "in_core": True,
            "levers": [{"lever": "boiler", "kind": "own", "alone": 7.25 + i, "together": 3.75 + i, "saving": 3.5},
                       {"lever": "shared heat_network", "kind": "shared", "alone": 0.0, "together": 4125.5,
                        "saving": -4125.5},
                       {"lever": "the split (charged beyond its part of the plan)", "kind": "split", "alone": 0.0,
                        "together": 1111.25, "saving": -1111.25}],
            "shapley_marginal_by_size": [{"joins_size": 1, "coalitions": 2, "mean_marginal_cost": 777.125}],
            "binding_coalitions": [{"members": sorted([member, others[0]]), "cost_alone": 6543.5, "pays": 6000.25,
                                    "margin": 543.25}],
            "closest_coalitions": [], "would_leave": [{"members": others, "cost_alone": 1.5, "pays": 2.5, "margin": -1.0}],
            "groups_better_off_alone": 1, "in_a_group_better_off_alone": False}  # fmt: skip


PAYLOAD = {"players": MEMBERS, "together": 99.5, "dividend": 9.5, "rules": {"shapley": SPLIT}, "core_split": "shapley",
           "explanations": {m: _why(m, i) for i, m in enumerate(MEMBERS)}}


@pytest.mark.parametrize(("k", "core_shown"), [(3, True), (4, False)])
def test_a_member_sees_its_own_explanation_only(k, core_shown):
    visible, withheld = filter_result(VIEWERS["a"], "collaborate", PAYLOAD, CONTRIBUTORS, k, None,
                                      {"rules.shapley.total": 99.5})  # fmt: skip
    assert list(visible["explanations"]) == ["a"]
    why = visible["explanations"]["a"]
    assert (why["alone"], why["pays"], why["saving"]) == (20.5, 10.5, 10.0)
    # Its own lever, and shared assets with the split as one line its own figures give: pays - own together.
    assert why["levers"][0]["lever"] == "boiler"
    assert why["levers"][1] == {"lever": "shared assets and the split", "kind": "shared", "alone": 20.5 - 7.25,
                                "together": 10.5 - 3.75, "saving": (20.5 - 7.25) - (10.5 - 3.75)}
    text = json.dumps(visible)
    for secret in ("4125.5", "1111.25", "777.125", "6543.5", "6000.25", "543.25", "21.5", "8.25"):
        assert secret not in text, secret  # others' coalition figures and members b's and c's explanations
    assert ("binding_coalitions" in why) is core_shown and ("core_split" in visible) is core_shown
    if core_shown:
        assert why["binding_coalitions"] == 1 and why["groups_better_off_alone"] == 1
        assert why["in_a_group_better_off_alone"] is False
    else:
        assert "core_split" in withheld


def test_an_observer_sees_no_explanation_and_the_coordinator_every_one():
    visible, _ = filter_result(VIEWERS["observer"], "collaborate", PAYLOAD, CONTRIBUTORS, 3, None,
                               {"rules.shapley.total": 99.5})  # fmt: skip
    assert visible["explanations"] == {}
    everything, _ = filter_result(VIEWERS["coordinator"], "collaborate", PAYLOAD, CONTRIBUTORS, 3)
    assert everything["explanations"] == PAYLOAD["explanations"]
