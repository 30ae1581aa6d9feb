"""The access lifecycle on the pages (issue 14, item 6): the coordinator removes a user, a member company and an
open invitation and sees the analysts who read the cluster; an initiative's owner invites analysts (who accept
on the pages) and coordinators, and removes analysts. Each form needs its CSRF token, is refused to other roles,
and leaves the API's audit entry with the acting user's email."""

from __future__ import annotations

import re

from helpers.platform import API, build, register

from clusterpath.platform.models import AuditEntry


def _audit(client, action: str) -> list[AuditEntry]:
    with client.app.state.sessions() as session:
        return session.query(AuditEntry).filter(AuditEntry.action == action).all()


def _post(p, url: str, csrf: str | None, **data):
    return p.client.post(url, data=({"csrf": csrf} if csrf else {}) | data, follow_redirects=False)


def test_the_coordinator_removes_users_companies_and_invitations_on_the_members_page(client):
    p = build(client, uploads=("alpha",))
    invitation = client.post(p.url("/invitations"), json={"email": "late@example.org", "role": "observer"},
                             headers=p.as_("coordinator")).json()  # fmt: skip
    memberships = {m["user"]: m["id"] for m in client.get(p.url("/memberships"), headers=p.as_("coordinator")).json()}
    # Other roles get neither the forms nor the actions.
    csrf = p.sign_in("alpha")
    assert "/remove" not in client.get("/clusters/port/members").text
    observer = memberships["observer@example.org"]
    assert _post(p, f"/clusters/port/memberships/{observer}/remove", csrf).status_code == 403
    assert _post(p, "/clusters/port/members/beta/remove", csrf).status_code == 403
    csrf = p.sign_in("coordinator")
    page = client.get("/clusters/port/members").text
    for action in (f"/memberships/{observer}/remove", "/members/beta/remove", f"/invitations/{invitation['id']}/revoke"):
        assert f'action="/clusters/port{action}"' in page, action
        assert _post(p, f"/clusters/port{action}", None).status_code == 403  # without the form's token
    removed = _post(p, f"/clusters/port/memberships/{observer}/remove", csrf)
    assert removed.status_code == 303 and removed.headers["location"] == "/clusters/port/members"
    assert client.get(p.url(), headers=p.as_("observer")).status_code == 404
    assert _post(p, "/clusters/port/members/beta/remove", csrf).status_code == 303
    assert client.get(p.url(), headers=p.as_("beta")).status_code == 404
    assert _post(p, f"/clusters/port/invitations/{invitation['id']}/revoke", csrf).status_code == 303
    late = register(client, "late@example.org")
    assert client.post(f"{API}/invitations/accept", json={"code": invitation["code"]}, headers=late).status_code == 404
    # The last coordinator stays: said on the form, not as an error page.
    refused = _post(p, f"/clusters/port/memberships/{memberships['coordinator@example.org']}/remove", csrf)
    assert refused.status_code == 409 and "only coordinator" in refused.text and 'class="problems"' in refused.text
    assert _post(p, "/clusters/port/members/nobody/remove", csrf).status_code == 404
    for action, removed_whom in (("membership.remove", "observer@example.org"), ("invitation.revoke", None)):
        entry = _audit(client, action)[0]
        assert entry.detail["email"] == "coordinator@example.org"
        assert removed_whom is None or entry.detail["removed"] == removed_whom
    assert _audit(client, "member.remove")[0].detail["users_removed"] == ["beta@example.org"]
    people = client.get("/clusters/port/members").text.split('id="people"')[1].split('id="invitations"')[0]
    assert "coordinator@example.org" in people and "beta@example.org" not in people
    assert "observer@example.org" not in people


def _initiative(p) -> None:
    p.headers["owner"] = register(p.client, "owner@example.org", "Owner")
    assert p.client.post(f"{API}/initiatives", json={"slug": "tic", "name": "TIC", "currency": "EUR"},
                         headers=p.as_("owner")).status_code == 201  # fmt: skip


def test_the_owner_invites_analysts_and_coordinators_who_accept_on_the_pages(client):
    p = build(client, uploads=())
    _initiative(p)
    csrf = p.sign_in("owner")
    assert _post(p, "/initiatives/tic/analysts", None, email="outsider@example.org").status_code == 403
    issued = _post(p, "/initiatives/tic/analysts", csrf, email="outsider@example.org", purpose="analyst")
    assert issued.status_code == 201, issued.text
    code = re.search(r'id="issued-code">([^<]+)<', issued.text).group(1)
    entry = _audit(client, "initiative.analyst.invite")[0]
    assert entry.detail["email"] == "owner@example.org" and entry.detail["invited"] == "outsider@example.org"
    # The invited analyst accepts on the initiatives page's form.
    csrf = p.sign_in("outsider")
    assert 'action="/invitations/accept"' in client.get("/initiatives").text
    accepted = _post(p, "/invitations/accept", csrf, code=code)
    assert accepted.status_code == 303 and accepted.headers["location"] == "/initiatives/tic"
    page = client.get("/initiatives/tic").text
    assert "outsider@example.org" in page and "Only the initiative's owner invites" in page
    refused = _post(p, "/initiatives/tic/analysts", csrf, email="alpha@example.org")
    assert refused.status_code == 403 and "only the owner" in refused.text
    # The owner makes an enrolment code; the coordinator enrols with it and then sees who reads the cluster.
    csrf = p.sign_in("owner")
    issued = _post(p, "/initiatives/tic/analysts", csrf, email="coordinator@example.org", purpose="cluster")
    assert issued.status_code == 201 and "Enrolment code" in issued.text
    enrolment = re.search(r'id="issued-code">([^<]+)<', issued.text).group(1)
    csrf = p.sign_in("coordinator")
    assert _post(p, "/initiatives/enrol", csrf, cluster="port", initiative="tic", code=enrolment).status_code == 200
    for page in (client.get("/clusters/port/members").text, client.get("/initiatives").text):
        assert "owner@example.org" in page and "outsider@example.org" in page
    # The owner removes the analyst; the coordinator's list follows.
    csrf = p.sign_in("owner")
    analysts = client.get(f"{API}/initiatives/tic/analysts", headers=p.as_("owner")).json()
    outsider = next(a["id"] for a in analysts if a["email"] == "outsider@example.org")
    owner = next(a["id"] for a in analysts if a["owner"])
    assert f'action="/initiatives/tic/analysts/{outsider}/remove"' in client.get("/initiatives/tic").text
    assert _post(p, f"/initiatives/tic/analysts/{outsider}/remove", csrf).status_code == 303
    assert client.get(f"{API}/initiatives/tic", headers=p.as_("outsider")).status_code == 404
    assert _post(p, f"/initiatives/tic/analysts/{owner}/remove", csrf).status_code == 409
    assert _audit(client, "initiative.analyst.remove")[0].detail["removed"] == "outsider@example.org"
    csrf = p.sign_in("coordinator")
    assert "outsider@example.org" not in client.get("/clusters/port/members").text
