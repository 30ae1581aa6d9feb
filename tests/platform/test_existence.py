"""No answer tells someone who may not see a cluster or an initiative whether its id exists (issue 14, item 7):
for every route under a cluster or an initiative, an outsider gets the same status and body for an existing
id as for an unknown one (the id itself aside)."""

from __future__ import annotations

import re

import pytest
from helpers.platform import API, DESCRIPTION, build


@pytest.fixture
def p(client):
    p = build(client, uploads=("alpha",))
    created = client.post(f"{API}/initiatives", json={"slug": "tic", "name": "TIC", "currency": "EUR"},
                          headers=p.as_("coordinator"))  # fmt: skip
    assert created.status_code == 201
    return p


def _routes(client, prefix: str) -> list[tuple[str, str]]:
    schema = client.get(f"{API}/openapi.json").json()
    found = []
    for path, operations in schema["paths"].items():
        if not path.startswith(f"{API}{prefix}/{{slug}}"):
            continue
        for method in operations:
            found.append((method.upper(), path))
    return found


def _fill(path: str, slug: str) -> str:
    path = path.replace("{slug}", slug)
    # Other ids in the path: a plausible value of the right kind, the same for both requests.
    return re.sub(r"\{[^}]+\}", lambda m: "1" if m.group(0).endswith("id}") or "number" in m.group(0)
                  or "year" in m.group(0) else "alpha", path)  # fmt: skip


@pytest.mark.parametrize(("prefix", "existing"), [("/clusters", "port"), ("/initiatives", "tic")])
def test_an_outsider_cannot_tell_an_existing_id_from_an_unknown_one(p, prefix, existing):
    routes = _routes(p.client, prefix)
    assert len(routes) > 5
    for method, path in routes:
        for body in (None, {}):
            answers = []
            for slug in (existing, "nowhere"):
                response = p.client.request(method, _fill(path, slug), headers=p.as_("outsider"),
                                            params={"previous": 2024, "by": "sector"}, json=body)  # fmt: skip
                answers.append((response.status_code, response.text.replace(slug, "ID")))
            assert answers[0] == answers[1], (method, path, body, answers)
            assert answers[0][0] in (404, 422), (method, path, answers[0])


def test_enrolling_without_the_owners_code_reads_like_an_unknown_initiative(p):
    answers = {}
    for initiative in ("tic", "nowhere"):
        for body in ({"initiative": initiative}, {"initiative": initiative, "code": "cpi_guessed"}):
            response = p.client.post(p.url("/initiatives"), json=body, headers=p.as_("coordinator"))
            answers.setdefault(initiative, []).append((response.status_code, response.text.replace(initiative, "ID")))
    assert answers["tic"] == answers["nowhere"], answers
    assert [status for status, _ in answers["tic"]] == [422, 404]
    assert p.client.get(p.url("/initiatives"), headers=p.as_("coordinator")).json() == []


def test_an_enrolment_code_is_for_its_email_its_initiative_and_one_use(p):
    issued = p.client.post(f"{API}/initiatives/tic/enrolment-codes", json={"email": "coordinator@example.org"},
                           headers=p.as_("coordinator"))  # fmt: skip
    assert issued.status_code == 201, issued.text
    code = issued.json()["code"]
    # Not an analyst's invitation: accepting it makes nobody an analyst.
    assert p.client.post(f"{API}/invitations/accept", json={"code": code}, headers=p.as_("coordinator")).status_code \
        == 404  # fmt: skip
    other = p.client.post(f"{API}/clusters", json={"slug": "dock", "name": "Dock", "description": DESCRIPTION},
                          headers=p.as_("outsider"))  # fmt: skip
    assert other.status_code == 201
    stolen = p.client.post(f"{API}/clusters/dock/initiatives", json={"initiative": "tic", "code": code},
                           headers=p.as_("outsider"))  # fmt: skip
    assert stolen.status_code == 404
    used = p.client.post(p.url("/initiatives"), json={"initiative": "tic", "code": code}, headers=p.as_("coordinator"))
    assert used.status_code == 201, used.text
    assert p.client.delete(p.url("/initiatives/tic"), headers=p.as_("coordinator")).status_code == 204
    again = p.client.post(p.url("/initiatives"), json={"initiative": "tic", "code": code}, headers=p.as_("coordinator"))
    assert again.status_code == 404
    # Only the owner issues codes.
    assert p.client.post(f"{API}/initiatives/tic/enrolment-codes", json={"email": "alpha@example.org"},
                         headers=p.as_("outsider")).status_code == 404  # fmt: skip


def _created(client, prefix: str, slug: str, headers: dict) -> tuple[int, object]:
    body = {"slug": slug, "name": "Mine"} | ({"description": DESCRIPTION} if prefix == "/clusters" else {"currency": "EUR"})
    response = client.post(f"{API}{prefix}", json=body, headers=headers)
    answer = response.json()
    # The answer without the id asked for and the creation time, which differ between any two answers.
    if response.status_code == 201:
        answer.pop("created_at", None)
        answer["slug"] = "ID"
        answer.get("description", {}).update({"id": "ID"})
    else:
        answer = answer["detail"].replace(slug, "ID")
    return response.status_code, answer


@pytest.mark.parametrize(("prefix", "taken"), [("/clusters", "port"), ("/initiatives", "tic")])
def test_creating_with_a_taken_id_reads_like_creating_with_a_free_one(p, prefix, taken):
    """An outsider who asks for someone else's id gets what he gets for a free one: ids are his own."""
    assert _created(p.client, prefix, taken, p.as_("outsider")) == _created(p.client, prefix, "free", p.as_("outsider"))
    # Each sees his own under the id; nobody's cluster or initiative changed hands.
    mine = p.client.get(f"{API}{prefix}/{taken}", headers=p.as_("outsider")).json()
    theirs = p.client.get(f"{API}{prefix}/{taken}", headers=p.as_("coordinator")).json()
    assert mine["name"] == "Mine" and theirs["name"] != "Mine"
    if prefix == "/clusters":
        assert p.client.get(p.url("/members"), headers=p.as_("outsider")).json() == []
        assert [m["key"] for m in p.client.get(p.url("/members"), headers=p.as_("coordinator")).json()] == [
            "alpha", "beta", "gamma"]  # fmt: skip
    # One's own ids stay unique: the second answer tells the creator only what he knows.
    status, detail = _created(p.client, prefix, taken, p.as_("outsider"))
    assert status == 409 and "among yours" in detail


def test_an_invitation_to_a_cluster_whose_id_one_uses_already_is_refused_plainly(p):
    assert _created(p.client, "/clusters", "port", p.as_("outsider"))[0] == 201
    invitation = p.client.post(p.url("/invitations"), json={"email": "outsider@example.org", "role": "observer"},
                               headers=p.as_("coordinator")).json()  # fmt: skip
    accepted = p.client.post(f"{API}/invitations/accept", json={"code": invitation["code"]}, headers=p.as_("outsider"))
    assert accepted.status_code == 409 and "port" in accepted.json()["detail"]
    # The code stays open: once the outsider's own 'port' is gone or renamed it can still be used.
    assert p.client.get(p.url("/invitations"), headers=p.as_("coordinator")).json()[-1]["accepted"] is False
