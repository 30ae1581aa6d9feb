"""Access that can be taken back and seen (issue 14, item 6): passwords change and end every session and
token, API tokens expire by default and die with the session that made them, memberships, member companies,
invitations and analysts can be removed, analysts join only by an invitation from the initiative's owner
that they accept, and each cluster's coordinator sees who the analysts are. Every change is audited with the
user's email."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from helpers.platform import API, PASSWORD, build, login, register

from clusterpath.platform.models import AuditEntry, utcnow
from clusterpath.platform.pages.web import SESSION_COOKIE, csrf_token

NEW_PASSWORD = "a different long password"


def _me(client, headers) -> int:
    return client.get(f"{API}/auth/me", headers=headers).status_code


def _audit(client, action: str) -> list[AuditEntry]:
    with client.app.state.sessions() as session:
        return session.query(AuditEntry).filter(AuditEntry.action == action).all()


def test_changing_the_password_ends_every_session_and_token(client):
    first = register(client, "user@example.org")
    second = login(client, "user@example.org")
    api = client.post(f"{API}/auth/tokens", json={"name": "script"}, headers=first).json()["token"]
    wrong = client.post(f"{API}/auth/password", json={"current": "not my password", "new": NEW_PASSWORD},
                        headers=first)  # fmt: skip
    assert wrong.status_code == 403 and _me(client, first) == 200
    changed = client.post(f"{API}/auth/password", json={"current": PASSWORD, "new": NEW_PASSWORD}, headers=first)
    assert changed.status_code == 200, changed.text
    assert [_me(client, h) for h in (first, second, {"Authorization": f"Bearer {api}"})] == [401, 401, 401]
    assert client.post(f"{API}/auth/login", json={"email": "user@example.org", "password": PASSWORD}).status_code == 401
    fresh = client.post(f"{API}/auth/login", json={"email": "user@example.org", "password": NEW_PASSWORD})
    assert fresh.status_code == 200 and "token" in changed.json()
    assert _audit(client, "password.change")[0].detail["email"] == "user@example.org"


def test_api_tokens_expire_by_default(make_client):
    client = make_client(api_token_days=30)
    headers = register(client, "user@example.org")
    token = client.post(f"{API}/auth/tokens", json={"name": "script"}, headers=headers).json()
    lifetime = token["expires_at"]
    assert lifetime is not None
    expires = datetime.fromisoformat(lifetime.replace("Z", "+00:00"))
    expires = expires if expires.tzinfo else expires.replace(tzinfo=UTC)
    days = (expires - utcnow()).total_seconds() / 86400
    assert 29.9 < days <= 30
    listed = client.get(f"{API}/auth/tokens", headers=headers).json()
    assert [row["id"] for row in listed] == [token["id"]] and "token" not in listed[0]


def test_logout_revokes_the_session_and_the_api_tokens_it_made(client):
    headers = register(client, "user@example.org")
    other = login(client, "user@example.org")
    made = client.post(f"{API}/auth/tokens", json={"name": "script"}, headers=headers).json()["token"]
    kept = client.post(f"{API}/auth/tokens", json={"name": "kept"}, headers=other).json()["token"]
    assert client.post(f"{API}/auth/logout", headers=headers).status_code == 204
    assert _me(client, headers) == 401 and _me(client, {"Authorization": f"Bearer {made}"}) == 401
    assert _me(client, other) == 200 and _me(client, {"Authorization": f"Bearer {kept}"}) == 200
    # Logging out everywhere ends every session and token of the account.
    assert client.post(f"{API}/auth/logout", params={"everywhere": True}, headers=other).status_code == 204
    assert _me(client, other) == 401 and _me(client, {"Authorization": f"Bearer {kept}"}) == 401


def test_the_coordinator_removes_a_user_from_the_cluster(client):
    p = build(client, uploads=())
    memberships = client.get(p.url("/memberships"), headers=p.as_("coordinator")).json()
    observer = next(m for m in memberships if m["user"] == "observer@example.org")
    assert client.delete(p.url(f"/memberships/{observer['id']}"), headers=p.as_("alpha")).status_code == 403
    assert client.delete(p.url(f"/memberships/{observer['id']}"), headers=p.as_("coordinator")).status_code == 204
    assert client.get(p.url(), headers=p.as_("observer")).status_code == 404
    # The last coordinator cannot remove himself: nobody would manage the cluster.
    me = next(m for m in memberships if m["user"] == "coordinator@example.org")
    assert client.delete(p.url(f"/memberships/{me['id']}"), headers=p.as_("coordinator")).status_code == 409
    entry = _audit(client, "membership.remove")[0]
    assert entry.detail["email"] == "coordinator@example.org" and entry.detail["removed"] == "observer@example.org"


def test_the_coordinator_removes_a_member_company_and_its_users_lose_access(client):
    p = build(client, uploads=("alpha", "beta", "gamma"))
    assert client.delete(p.url("/members/beta"), headers=p.as_("alpha")).status_code == 403
    assert client.delete(p.url("/members/beta"), headers=p.as_("coordinator")).status_code == 204
    keys = [m["key"] for m in client.get(p.url("/members"), headers=p.as_("coordinator")).json()]
    assert keys == ["alpha", "gamma"]
    assert client.get(p.url(), headers=p.as_("beta")).status_code == 404
    assert p.upload("beta").status_code == 404
    # A job now runs on the remaining companies only.
    job = p.submit("inventory").json()
    version = client.get(p.url(f"/input-versions/{job['input_version']}"), headers=p.as_("coordinator")).json()
    assert version["members"] == ["alpha", "gamma"]
    assert _audit(client, "member.remove")[0].detail["email"] == "coordinator@example.org"


def test_the_coordinator_revokes_an_open_invitation(client):
    p = build(client, uploads=())
    invitation = client.post(p.url("/invitations"), json={"email": "late@example.org", "role": "observer"},
                             headers=p.as_("coordinator")).json()  # fmt: skip
    assert client.delete(p.url(f"/invitations/{invitation['id']}"), headers=p.as_("alpha")).status_code == 403
    assert client.delete(p.url(f"/invitations/{invitation['id']}"), headers=p.as_("coordinator")).status_code == 204
    late = register(client, "late@example.org")
    accepted = client.post(f"{API}/invitations/accept", json={"code": invitation["code"]}, headers=late)
    assert accepted.status_code == 404
    assert [i["id"] for i in client.get(p.url("/invitations"), headers=p.as_("coordinator")).json()
            if i["id"] == invitation["id"]] == []  # fmt: skip


def _initiative(p) -> None:
    p.headers["owner"] = register(p.client, "owner@example.org", "Owner")
    created = p.client.post(f"{API}/initiatives", json={"slug": "tic", "name": "TIC", "currency": "EUR"},
                            headers=p.as_("owner"))  # fmt: skip
    assert created.status_code == 201, created.text
    code = p.client.post(f"{API}/initiatives/tic/enrolment-codes", json={"email": "coordinator@example.org"},
                         headers=p.as_("owner")).json()["code"]  # fmt: skip
    enrolled = p.client.post(p.url("/initiatives"), json={"initiative": "tic", "code": code},
                             headers=p.as_("coordinator"))  # fmt: skip
    assert enrolled.status_code == 201, enrolled.text


def test_only_the_owner_invites_analysts_who_accept_and_coordinators_see_them(client):
    p = build(client, uploads=())
    _initiative(p)
    url = f"{API}/initiatives/tic/analysts"
    invitation = p.client.post(url, json={"email": "outsider@example.org"}, headers=p.as_("owner"))
    assert invitation.status_code == 201, invitation.text
    # Not an analyst until the invitation is accepted.
    assert p.client.get(f"{API}/initiatives/tic", headers=p.as_("outsider")).status_code == 404
    accepted = p.client.post(f"{API}/invitations/accept", json={"code": invitation.json()["code"]},
                             headers=p.as_("outsider"))  # fmt: skip
    assert accepted.status_code == 200 and accepted.json()["initiative"] == "tic", accepted.text
    assert p.client.get(f"{API}/initiatives/tic", headers=p.as_("outsider")).status_code == 200
    # An analyst who is not the owner adds nobody.
    assert p.client.post(url, json={"email": "alpha@example.org"}, headers=p.as_("outsider")).status_code == 403
    # The cluster's coordinator sees who reads its figures.
    enrolled = p.client.get(p.url("/initiatives"), headers=p.as_("coordinator")).json()
    assert sorted(a["email"] for a in enrolled[0]["analysts"]) == ["outsider@example.org", "owner@example.org"]
    # The owner removes an analyst.
    analysts = p.client.get(url, headers=p.as_("owner")).json()
    outsider = next(a for a in analysts if a["email"] == "outsider@example.org")
    assert p.client.delete(f"{url}/{outsider['id']}", headers=p.as_("owner")).status_code == 204
    assert p.client.get(f"{API}/initiatives/tic", headers=p.as_("outsider")).status_code == 404
    entry = _audit(client, "initiative.analyst.remove")[0]
    assert entry.detail["email"] == "owner@example.org" and entry.detail["removed"] == "outsider@example.org"


def test_an_analyst_invitation_is_for_its_email_only(client):
    p = build(client, uploads=())
    _initiative(p)
    invitation = p.client.post(f"{API}/initiatives/tic/analysts", json={"email": "outsider@example.org"},
                               headers=p.as_("owner")).json()  # fmt: skip
    stolen = p.client.post(f"{API}/invitations/accept", json={"code": invitation["code"]}, headers=p.as_("alpha"))
    assert stolen.status_code == 404
    with client.app.state.sessions() as session:
        from clusterpath.platform.models import InitiativeInvitation

        row = session.get(InitiativeInvitation, invitation["id"])
        row.expires_at = utcnow() - timedelta(seconds=1)
        session.commit()
    late = p.client.post(f"{API}/invitations/accept", json={"code": invitation["code"]}, headers=p.as_("outsider"))
    assert late.status_code == 404


def test_the_pages_accept_an_analysts_invitation(client):
    p = build(client, uploads=())
    _initiative(p)
    code = p.client.post(f"{API}/initiatives/tic/analysts", json={"email": "outsider@example.org"},
                         headers=p.as_("owner")).json()["code"]  # fmt: skip
    csrf = p.sign_in("outsider")
    accepted = p.client.post("/invitations/accept", data={"csrf": csrf, "code": code}, follow_redirects=False)
    assert accepted.status_code == 303 and accepted.headers["location"] == "/initiatives/tic"
    assert p.client.get(f"{API}/initiatives/tic", headers=p.as_("outsider")).status_code == 200


def test_the_account_page_lists_and_revokes_tokens_and_changes_the_password(client):
    headers = register(client, "user@example.org")
    api = client.post(f"{API}/auth/tokens", json={"name": "nightly <script>"}, headers=headers).json()
    other = client.post(f"{API}/auth/tokens", json={"name": "other"}, headers=headers).json()
    client.cookies.set(SESSION_COOKIE, headers["Authorization"].split(" ", 1)[1])
    csrf = csrf_token(headers["Authorization"].split(" ", 1)[1])
    page = client.get("/account")
    assert page.status_code == 200 and "nightly &lt;script&gt;" in page.text and api["token"] not in page.text
    assert client.post(f"/account/tokens/{api['id']}/revoke", data={}).status_code == 403  # no CSRF token
    revoked = client.post(f"/account/tokens/{api['id']}/revoke", data={"csrf": csrf}, follow_redirects=False)
    assert revoked.status_code == 303 and _me(client, {"Authorization": f"Bearer {api['token']}"}) == 401
    wrong = client.post("/account/password", data={"csrf": csrf, "current": "not it at all", "new": NEW_PASSWORD})
    assert wrong.status_code == 403 and "not it at all" not in wrong.text and NEW_PASSWORD not in wrong.text
    changed = client.post("/account/password", data={"csrf": csrf, "current": PASSWORD, "new": NEW_PASSWORD},
                          follow_redirects=False)  # fmt: skip
    assert changed.status_code == 303
    assert _me(client, headers) == 401 and _me(client, {"Authorization": f"Bearer {other['token']}"}) == 401
    # The browser carries on with the new session the change gave it.
    client.cookies.set(SESSION_COOKIE, changed.cookies[SESSION_COOKIE])
    assert client.get("/account").status_code == 200
