"""Every endpoint in the workflows a coordinator and a member company go through."""

from __future__ import annotations

import json

import pytest
import yaml
from helpers.platform import API, DESCRIPTION, PASSWORD, build, login, member, register

from clusterpath.io import xlsx
from clusterpath.schema import Cluster


def test_health_and_openapi_are_public(client):
    assert client.get("/health").json() == {"status": "ok"}
    spec = client.get(f"{API}/openapi.json").json()
    assert f"{API}/clusters/{{slug}}/jobs" in spec["paths"]
    # Every asset local: no interactive docs pulling scripts from a CDN.
    assert client.get("/docs").status_code == 404


def test_accounts_tokens_and_me(client):
    headers = register(client, "someone@example.org", "Someone")
    me = client.get(f"{API}/auth/me", headers=headers).json()
    assert me["email"] == "someone@example.org" and me["memberships"] == []
    # A taken email reads like a new one (issue 14, item 7), and the account stays as it was.
    again = client.post(f"{API}/auth/register", json={"email": "SOMEONE@example.org", "name": "Again",
                                                       "password": PASSWORD})  # fmt: skip
    assert again.status_code == 201 and again.json()["email"] == "someone@example.org"
    assert client.get(f"{API}/auth/me", headers=headers).json()["name"] == "Someone"
    created = client.post(f"{API}/auth/tokens", json={"name": "nightly script", "expires_in_days": 30},
                          headers=headers)  # fmt: skip
    assert created.status_code == 201
    secret = created.json()["token"]
    assert secret.startswith("cpt_")
    script = {"Authorization": f"Bearer {secret}"}
    assert client.get(f"{API}/auth/me", headers=script).json()["email"] == "someone@example.org"
    listed = client.get(f"{API}/auth/tokens", headers=headers).json()
    assert [t["name"] for t in listed] == ["nightly script"] and "token" not in listed[0]
    assert client.delete(f"{API}/auth/tokens/{listed[0]['id']}", headers=headers).status_code == 204
    assert client.get(f"{API}/auth/me", headers=script).status_code == 401
    assert client.delete(f"{API}/auth/tokens/{listed[0]['id']}", headers=headers).status_code == 404
    assert client.post(f"{API}/auth/logout", headers=headers).status_code == 204
    assert client.get(f"{API}/auth/me", headers=headers).status_code == 401


def test_cluster_members_invitations_and_memberships(client):
    p = build(client, uploads=())
    coordinator = p.as_("coordinator")
    assert [c["slug"] for c in client.get(f"{API}/clusters", headers=p.as_("alpha")).json()] == ["port"]
    info = client.get(p.url(), headers=p.as_("alpha")).json()
    assert info["role"] == "member" and info["member"] == "alpha" and info["k"] == 3
    changed = client.patch(p.url(), json={"k": 4, "name": "Renamed port"}, headers=coordinator).json()
    assert changed["k"] == 4 and changed["name"] == "Renamed port"
    listed = client.get(p.url("/members"), headers=p.as_("observer")).json()
    assert [m["key"] for m in listed] == ["alpha", "beta", "gamma"] and not any(m["has_data"] for m in listed)
    roles = {m["user"]: (m["role"], m["member"]) for m in client.get(p.url("/memberships"), headers=coordinator).json()}
    assert roles["alpha@example.org"] == ("member", "alpha") and roles["observer@example.org"] == ("observer", None)
    invitations = client.get(p.url("/invitations"), headers=coordinator).json()
    assert all(i["accepted"] for i in invitations) and not any("code" in i for i in invitations)
    # A code works once, and only for the email it was made for.
    made = client.post(p.url("/invitations"), json={"email": "late@example.org", "role": "observer"},
                       headers=coordinator).json()  # fmt: skip
    wrong = register(client, "other@example.org")
    assert client.post(f"{API}/invitations/accept", json={"code": made["code"]}, headers=wrong).status_code == 404
    late = register(client, "late@example.org")
    assert client.post(f"{API}/invitations/accept", json={"code": made["code"]}, headers=late).status_code == 200
    assert client.post(f"{API}/invitations/accept", json={"code": made["code"]}, headers=late).status_code == 404
    assert client.post(p.url("/invitations"), json={"email": "x@example.org", "role": "member"},
                       headers=coordinator).status_code == 422  # fmt: skip
    assert client.post(p.url("/members"), json={"key": "alpha", "name": "Again"}, headers=coordinator).status_code == 409


def test_member_uploads_yaml_json_and_excel_as_versions(client, tmp_path):
    p = build(client, uploads=())
    alpha = p.as_("alpha")
    first = client.post(p.url("/members/alpha/upload"), headers=alpha,
                        files={"file": ("alpha.yaml", yaml.safe_dump(member("alpha")), "application/yaml")})
    assert first.status_code == 201 and first.json()["number"] == 1 and first.json()["source"] == "yaml"
    again = client.post(p.url("/members/alpha/upload"), headers=alpha,
                        files={"file": ("alpha.json", json.dumps(member("alpha")), "application/json")})
    assert again.status_code == 200 and again.json()["unchanged"] and again.json()["number"] == 1
    # The Excel template, filled with a cluster holding this member, as a member would send it.
    workbook = tmp_path / "alpha.xlsx"
    changed = member("alpha") | {"jobs": 12, "id": "alpha"}
    xlsx.write_template(workbook, Cluster.model_validate({**DESCRIPTION, "id": "port", "members": [changed]}))
    third = client.post(p.url("/members/alpha/upload"), headers=alpha,
                        files={"file": ("alpha.xlsx", workbook.read_bytes(), "application/octet-stream")})
    assert third.status_code == 201, third.text
    assert third.json()["number"] == 2 and third.json()["source"] == "xlsx"
    versions = client.get(p.url("/members/alpha/versions"), headers=alpha).json()
    assert [v["number"] for v in versions] == [1, 2] and versions[0]["sha256"] != versions[1]["sha256"]
    content = client.get(p.url("/members/alpha/versions/2"), headers=alpha).json()["content"]
    assert content["jobs"] == 12 and content["id"] == "alpha"
    old = client.get(p.url("/members/alpha/versions/1"), headers=p.as_("coordinator")).json()["content"]
    assert old["jobs"] == 11  # versions are immutable: the first is still what was sent first
    assert client.get(p.url("/members/alpha/versions/9"), headers=alpha).status_code == 404
    listed = {m["key"]: m for m in client.get(p.url("/members"), headers=alpha).json()}
    assert listed["alpha"]["latest_version"] == 2 and "latest_version" not in listed["beta"]


def test_inventory_job_result_aggregates_and_audit(make_client):
    client = make_client(run_worker=True)
    p = build(client)
    submitted = p.submit("inventory")
    assert submitted.status_code == 202, submitted.text
    job = p.wait(submitted.json()["id"])
    assert job["status"] == "done", job["log"]
    assert "computing the baseline inventory" in job["log"] and job["input_version"] == 1
    listing = client.get(p.url("/jobs"), headers=p.as_("alpha")).json()
    assert listing[0]["status"] == "done" and "log" not in listing[0]
    full = p.result_of(job)
    assert {m["id"] for m in full["result"]["members"]} == {"alpha", "beta", "gamma"} and full["withheld"] == {}
    inputs = client.get(p.url("/input-versions/1"), headers=p.as_("coordinator")).json()
    assert sorted(inputs["member_versions"]) == ["alpha", "beta", "gamma"]
    assert client.get(p.url("/input-versions"), headers=p.as_("coordinator")).json()[0]["members"] == ["alpha", "beta",
                                                                                                        "gamma"]
    # Whose data an input holds is not the observer's to see (issue 14: who joined between two results).
    assert "members" not in client.get(p.url("/input-versions"), headers=p.as_("observer")).json()[0]
    # A second identical run uses the same input version; new data make a new one, the old result stays traceable.
    again = p.wait(p.submit("inventory").json()["id"])
    assert again["input_version"] == 1
    assert p.upload("alpha", data=member("alpha") | {"jobs": 12}).status_code == 201
    third = p.wait(p.submit("inventory").json()["id"])
    assert third["input_version"] == 2
    by_version = client.get(p.url("/results?input_version=1"), headers=p.as_("coordinator")).json()
    assert {r["job"] for r in by_version} == {job["id"], again["id"]}
    aggregates = client.get(p.url("/aggregates/emissions?by=carrier"), headers=p.as_("observer")).json()
    assert {row["carrier"] for row in aggregates["rows"]} == {"electricity", "natural_gas"}
    actions = [e["action"] for e in client.get(p.url("/audit"), headers=p.as_("coordinator")).json()]
    for action in ("job.submit", "result.read", "data.write", "aggregates.read", "invitation.accept"):
        assert action in actions


@pytest.mark.parametrize("kind", ["collaborate", "allocate"])
def test_coalition_jobs_need_two_members_with_data(client, kind):
    p = build(client, uploads=("alpha",))
    response = p.submit(kind)
    assert response.status_code == 409 and "at least 2" in response.json()["detail"]


def test_job_options_and_scenarios_are_checked(client):
    p = build(client)
    bad = p.submit("plan", {"scenario": "/etc/passwd"})
    assert bad.status_code == 422 and "not a shipped scenario" in bad.json()["detail"]
    assert p.submit("plan", {"typical_days": 0}).status_code == 422
    assert p.submit("plan", {"colour": "green"}).status_code == 422
    wrong = p.submit("plan", {"scenario": {"name": "x", "periods": "soon"}})
    assert wrong.status_code == 422 and "periods" in wrong.json()["detail"]
    assert client.post(p.url("/jobs"), json={"kind": "mine-bitcoin"}, headers=p.as_("coordinator")).status_code == 422


def test_login_with_other_case_email_works(client):
    register(client, "Mixed@Example.org")
    assert login(client, "mixed@example.org")


def test_aggregates_follow_every_new_upload_and_description_change(client):
    # The baseline behind the aggregates is computed once per distinct input: any change must show.
    p = build(client)
    coordinator = p.as_("coordinator")

    def totals() -> dict:
        response = client.get(p.url("/aggregates/emissions?by=carrier"), headers=coordinator)
        assert response.status_code == 200, response.text
        return response.json()["totals"]

    first = totals()
    assert totals() == first
    more = member("alpha")
    more["demands"][1]["useful_energy"] = "9999.9 MWh"
    assert p.upload("alpha", data=more).status_code == 201
    second = totals()
    assert second["scope1_tco2e"] > first["scope1_tco2e"] and second["scope2_tco2e"] == first["scope2_tco2e"]
    cleaner = DESCRIPTION | {"grid": DESCRIPTION["grid"] | {"emission_factor": {"2023": "0.1 tCO2e/MWh"}}}
    assert client.patch(p.url(), json={"description": cleaner}, headers=coordinator).status_code == 200
    third = totals()
    assert third["scope2_tco2e"] == pytest.approx(second["scope2_tco2e"] / 2)
    # Back to the first data: the same figures as then.
    assert p.upload("alpha").status_code == 201
    assert client.patch(p.url(), json={"description": DESCRIPTION}, headers=coordinator).status_code == 200
    assert totals() == first
