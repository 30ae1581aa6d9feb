"""Logins are rate-limited, tokens expire and are revoked, and no secret reaches a log or an echo."""

from __future__ import annotations

import logging
from datetime import timedelta

from helpers.platform import API, PASSWORD, build, register

from clusterpath.platform.models import ApiToken, User, utcnow


def test_failed_logins_hold_back_that_address_for_a_while(make_client):
    client = make_client(login_failures_per_account=3)
    register(client, "target@example.org")
    for _ in range(3):
        assert client.post(f"{API}/auth/login", json={"email": "target@example.org",
                                                       "password": "wrong password"}).status_code == 401  # fmt: skip
    # Even the right password waits now: the attacker cannot tell it was right.
    blocked = client.post(f"{API}/auth/login", json={"email": "target@example.org", "password": PASSWORD})
    assert blocked.status_code == 429 and int(blocked.headers["Retry-After"]) > 0
    assert client.post(f"{API}/auth/login", json={"email": "someone.else@example.org",
                                                   "password": "wrong password"}).status_code == 401  # fmt: skip


def test_failed_logins_from_one_address_are_limited_across_accounts(make_client):
    client = make_client(login_failures_per_address=4)
    for n in range(4):
        assert client.post(f"{API}/auth/login", json={"email": f"guess{n}@example.org",
                                                       "password": "wrong password"}).status_code == 401  # fmt: skip
    assert client.post(f"{API}/auth/login", json={"email": "guess9@example.org",
                                                   "password": "wrong password"}).status_code == 429  # fmt: skip


def test_unknown_account_and_wrong_password_read_the_same(client):
    register(client, "real@example.org")
    unknown = client.post(f"{API}/auth/login", json={"email": "nobody@example.org", "password": "x" * 12})
    wrong = client.post(f"{API}/auth/login", json={"email": "real@example.org", "password": "x" * 12})
    assert unknown.status_code == wrong.status_code == 401 and unknown.json() == wrong.json()


def test_expired_session_and_api_tokens_are_refused(client):
    headers = register(client, "someone@example.org")
    api = client.post(f"{API}/auth/tokens", json={"name": "script", "expires_in_days": 1}, headers=headers).json()
    with client.app.state.sessions() as session:
        for row in session.query(ApiToken).all():
            row.expires_at = utcnow() - timedelta(seconds=1)
        session.commit()
    assert client.get(f"{API}/auth/me", headers=headers).status_code == 401
    assert client.get(f"{API}/auth/me", headers={"Authorization": f"Bearer {api['token']}"}).status_code == 401


def test_passwords_and_tokens_are_stored_hashed_and_never_logged_or_echoed(client, caplog):
    caplog.set_level(logging.DEBUG)
    headers = register(client, "someone@example.org")
    token = headers["Authorization"].split()[1]
    short = client.post(f"{API}/auth/register", json={"email": "x@example.org", "name": "X", "password": "tiny-pw"})
    assert short.status_code == 422 and "tiny-pw" not in short.text
    api = client.post(f"{API}/auth/tokens", json={"name": "script"}, headers=headers).json()["token"]
    with client.app.state.sessions() as session:
        user = session.query(User).one()
        assert user.password_hash.startswith("$argon2id$") and PASSWORD not in user.password_hash
        stored = {row.token_hash for row in session.query(ApiToken).all()}
    assert token not in stored and api not in stored
    text = caplog.text
    assert PASSWORD not in text and token not in text and api not in text


def test_invitation_codes_are_single_use_and_shown_only_once(client):
    p = build(client, uploads=())
    made = client.post(p.url("/invitations"), json={"email": "new@example.org", "role": "observer"},
                       headers=p.as_("coordinator")).json()  # fmt: skip
    listing = client.get(p.url("/invitations"), headers=p.as_("coordinator")).text
    assert made["code"] not in listing
    audit = client.get(p.url("/audit"), headers=p.as_("coordinator")).text
    assert made["code"] not in audit


def test_responses_carry_security_headers(client):
    response = client.get(f"{API}/openapi.json")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"
