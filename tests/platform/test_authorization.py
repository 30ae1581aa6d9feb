"""The authorization matrix: every role against every endpoint, on its own company's data and on another's.

Each response is checked for its status and searched for every distinctive number of the members whose
raw data the caller may not see: their uploaded figures and what the jobs derived from them.
"""

from __future__ import annotations

import itertools

import pytest
import json

from helpers.platform import API, DESCRIPTION, MEMBERS, SCENARIO, build, member, numbers_in

ROLES = ("coordinator", "alpha", "beta", "observer", "outsider", "anonymous")
COMPANY = {"alpha": "alpha", "beta": "beta"}
OK = {200, 201, 202, 204}


def _raw_tokens(key: str) -> set[str]:
    """The uploaded numbers only this member has, with a decimal point (short integers could occur by chance)."""
    return _decimals(key) - set().union(*(_decimals(other) for other in MEMBERS if other != key))


def _decimals(key: str) -> set[str]:
    found = set()
    for token in numbers_in(MEMBERS[key]):
        if "." in token:
            found.add(token)
    for demand in MEMBERS[key]["demands"]:
        for field in ("final_energy", "useful_energy"):
            if field in demand:
                found.add(demand[field].split()[0])
    return found


def _derived_tokens(inventory: dict, allocation: dict, key: str) -> set[str]:
    row = next(r for r in inventory["members"] if r["id"] == key)
    values = [v for name, v in row.items() if name not in ("id", "name", "sector", "jobs")]
    values += [allocation[name][key] for name in ("allocation", "standalone", "savings")]
    return {token for token in numbers_in(values) if len(token) >= 6}


# method, path under the cluster, body, who may: "all" roles in the cluster, "coordinator", or "own" data
ENDPOINTS = [
    ("GET", "", None, "all"),
    ("PATCH", "", {"k": 3}, "coordinator"),
    ("GET", "/members", None, "all"),
    ("POST", "/members", "new-member", "coordinator"),
    ("GET", "/memberships", None, "coordinator"),
    ("POST", "/invitations", "new-invitation", "coordinator"),
    ("GET", "/invitations", None, "coordinator"),
    ("PUT", "/members/{key}/data", "member-data", "own"),
    ("POST", "/members/{key}/upload", "member-file", "own"),
    ("GET", "/members/{key}/versions", None, "own"),
    ("GET", "/members/{key}/versions/1", None, "own"),
    ("POST", "/jobs", {"kind": "inventory"}, "coordinator"),
    ("GET", "/jobs", None, "all"),
    ("GET", "/jobs/{job}", None, "all"),
    ("GET", "/input-versions", None, "all"),
    ("GET", "/input-versions/1", None, "all"),
    ("GET", "/results", None, "all"),
    ("GET", "/results/{inventory}", None, "all"),
    ("GET", "/results/{allocation}", None, "all"),
    ("GET", "/aggregates/emissions?by=sector", None, "all"),
    ("GET", "/aggregates/emissions?by=carrier", None, "all"),
    ("GET", "/audit", None, "coordinator"),
    ("GET", "/export?format=json", None, "coordinator"),
    ("POST", "/import", "cluster-file", "coordinator"),
]


def _expected(role: str, rule: str, key: str | None) -> set[int]:
    if role == "anonymous":
        return {401}
    if role == "outsider":
        return {404}
    if role == "coordinator":
        return OK
    if rule == "all":
        return {200}
    if rule == "own" and COMPANY.get(role) == key:
        return OK
    return {403}


@pytest.fixture
def platform(make_client):
    client = make_client(run_worker=True)
    p = build(client)
    jobs = {}
    for kind, options in (("inventory", {}), ("allocate", {"scenario": SCENARIO, "method": "dual"})):
        job = p.wait(p.submit(kind, options).json()["id"])
        assert job["status"] == "done", job["log"]
        jobs[kind] = job
    p.jobs = jobs
    p.inventory = p.result_of(jobs["inventory"])
    p.allocation = p.result_of(jobs["allocate"])
    return p


def test_every_role_on_every_endpoint(platform):
    p = platform
    client = p.client
    results = {"inventory": p.inventory["id"], "allocation": p.allocation["id"], "job": p.jobs["inventory"]["id"]}
    secret = {key: _raw_tokens(key) | _derived_tokens(p.inventory["result"], p.allocation["result"], key)
              for key in MEMBERS}  # fmt: skip
    counter = itertools.count()
    checked = 0
    for role, (method, path, body, rule) in itertools.product(ROLES, ENDPOINTS):
        for key in ("alpha", "beta") if "{key}" in path else (None,):
            url = p.url(path.format(key=key, **results))
            n = next(counter)
            kwargs = {}
            if body == "new-member":
                kwargs["json"] = {"key": f"new-{n}", "name": f"New {n}"}
            elif body == "new-invitation":
                kwargs["json"] = {"email": f"person{n}@example.org", "role": "observer"}
            elif body == "member-data":
                kwargs["json"] = member(key)
            elif body == "member-file":
                kwargs["files"] = {"file": (f"{key}.json", json.dumps(member(key)), "application/json")}
            elif body == "cluster-file":
                whole = DESCRIPTION | {"id": "port", "members": [member(m) | {"id": m} for m in MEMBERS]}
                kwargs["files"] = {"file": ("port.json", json.dumps(whole), "application/json")}
            elif body is not None:
                kwargs["json"] = body
            response = client.request(method, url, headers=p.as_(role), **kwargs)
            allowed = _expected(role, rule, key)
            assert response.status_code in allowed, (role, method, url, response.status_code, response.text[:300])
            # Nobody but the coordinator and the company itself sees a company's numbers, whatever the status.
            forbidden = set().union(*(secret[m] for m in MEMBERS if role != "coordinator" and COMPANY.get(role) != m))
            leaked = [token for token in forbidden if token in response.text]
            assert not leaked, (role, method, url, leaked)
            checked += 1
    assert checked == len(ROLES) * (len(ENDPOINTS) + 4)


def test_member_sees_own_rows_and_k_anonymous_aggregates(platform):
    p = platform
    alpha = p.client.get(p.url(f"/results/{p.inventory['id']}"), headers=p.as_("alpha")).json()
    assert [row["id"] for row in alpha["result"]["members"]] == ["alpha"]
    assert alpha["result"]["total_tco2e"] == pytest.approx(p.inventory["result"]["total_tco2e"])
    # Chemicals has two members and food one: below k = 3 both rows are withheld; carriers have all three.
    assert alpha["result"]["sectors"] == [] and "sectors" in alpha["withheld"]
    assert {row["carrier"] for row in alpha["result"]["carriers"]} == {"electricity", "natural_gas"}
    observer = p.client.get(p.url(f"/results/{p.allocation['id']}"), headers=p.as_("observer")).json()
    assert observer["result"]["allocation"] == {} and observer["result"]["total"] == pytest.approx(
        p.allocation["result"]["total"])
    own = p.client.get(p.url(f"/results/{p.allocation['id']}"), headers=p.as_("beta")).json()["result"]
    assert set(own["allocation"]) == {"beta"}
    job = p.client.get(p.url(f"/jobs/{p.jobs['allocate']['id']}"), headers=p.as_("observer")).json()
    assert "log" not in job and "error" not in job


def test_anonymous_and_unknown_tokens_get_401_outside_the_cluster_too(client):
    for method, path in (("GET", "/clusters"), ("POST", "/clusters"), ("GET", "/auth/me"), ("GET", "/auth/tokens"),
                         ("POST", "/auth/tokens"), ("POST", "/auth/logout"), ("DELETE", "/auth/tokens/1"),
                         ("POST", "/invitations/accept")):  # fmt: skip
        for headers in ({}, {"Authorization": "Bearer cps_not-a-token"}, {"Authorization": "Basic Zm9vOmJhcg=="}):
            assert client.request(method, f"{API}{path}", headers=headers).status_code == 401, (method, path)
