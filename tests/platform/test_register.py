"""The cluster's project register on the platform: accepted before the members' data arrive, and each
project's money shown only to the companies it serves (and the coordinator)."""

from __future__ import annotations

import pytest

from helpers.platform import DESCRIPTION, build

REGISTER = [
    {"id": "steam-hp", "name": "Alpha's heat pump", "lever": "heat_pump", "members": ["alpha"],
     "stage": "feasibility", "investment": 4_242_424.0, "committed": 0.0},
    {"id": "shared-pv", "name": "Shared solar", "lever": "solar_pv", "members": ["alpha", "beta"],
     "stage": "final_investment_decision", "investment": 9_191_919.0, "committed": 5_151_515.0},
]  # fmt: skip


@pytest.fixture
def platform(make_client):
    client = make_client(run_worker=True)
    p = build(client)
    changed = client.patch(p.url(), json={"description": DESCRIPTION | {"projects": REGISTER}},
                           headers=p.as_("coordinator"))  # fmt: skip
    assert changed.status_code == 200, changed.text
    return p


def _projects(p, who: str) -> list[str]:
    response = p.client.get(p.url(), headers=p.as_(who))
    assert response.status_code == 200
    return [project["id"] for project in response.json()["description"].get("projects", [])]


def test_each_sees_the_projects_of_its_own_company(platform):
    p = platform
    assert _projects(p, "coordinator") == ["steam-hp", "shared-pv"]
    assert _projects(p, "alpha") == ["steam-hp", "shared-pv"]
    assert _projects(p, "beta") == ["shared-pv"]
    assert _projects(p, "observer") == []
    response = p.client.get(p.url(), headers=p.as_("beta"))
    assert "4242424" not in response.text


def test_a_register_naming_no_member_company_fails_when_a_job_assembles_the_cluster(platform):
    p = platform
    register = REGISTER + [{"id": "ghost", "name": "Ghost", "lever": "solar_pv", "members": ["nobody"],
                            "stage": "announced"}]  # fmt: skip
    assert p.client.patch(p.url(), json={"description": DESCRIPTION | {"projects": register}},
                          headers=p.as_("coordinator")).status_code == 200  # fmt: skip
    job = p.wait(p.submit("inventory").json()["id"])
    assert job["status"] == "failed" and "unknown member(s) nobody" in job["error"]


def test_a_bad_register_is_refused_with_its_field(platform):
    p = platform
    bad = [REGISTER[0] | {"stage": "dreaming"}]
    response = p.client.patch(p.url(), json={"description": DESCRIPTION | {"projects": bad}},
                              headers=p.as_("coordinator"))  # fmt: skip
    assert response.status_code == 422 and "projects" in response.text and "stage" in response.text
