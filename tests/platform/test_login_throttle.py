"""Login throttling that nobody can turn against others (issue 14, item 7): behind a trusted proxy each client
is counted by its own address, a named account is slowed down for its attacker but not locked for its owner,
and registration and the analyst form do not tell whether an account exists."""

from __future__ import annotations

from datetime import timedelta

from helpers.platform import API, PASSWORD, build, register

from clusterpath.platform.api.deps import client_address
from clusterpath.platform.models import LoginAttempt

# The test client's own peer address: what a reverse proxy on the same host would be.
PROXY = "testclient"


def _login(client, email: str, password: str, forwarded: str | None = None):
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    return client.post(f"{API}/auth/login", json={"email": email, "password": password}, headers=headers)


def _wait_past(client, seconds: float) -> None:
    """Moves every recorded attempt back in time, as if ``seconds`` had passed."""
    with client.app.state.sessions() as session:
        for row in session.query(LoginAttempt).all():
            row.at = row.at - timedelta(seconds=seconds)
        session.commit()


def test_behind_a_trusted_proxy_random_guesses_block_only_their_sender(make_client):
    client = make_client(trusted_proxies=(PROXY,), login_failures_per_address=20)
    register(client, "owner@example.org")
    for n in range(20):
        assert _login(client, f"random{n}@example.org", "wrong password", "203.0.113.9").status_code == 401
    assert _login(client, "random99@example.org", "wrong password", "203.0.113.9").status_code == 429
    # Everyone else comes through the same proxy and is not affected.
    assert _login(client, "owner@example.org", PASSWORD, "198.51.100.7").status_code == 200


def test_forwarded_addresses_from_an_untrusted_peer_are_ignored(make_client):
    client = make_client(login_failures_per_address=4)
    for n in range(4):
        assert _login(client, f"g{n}@example.org", "wrong password", f"192.0.2.{n}").status_code == 401
    # A client that invents a new X-Forwarded-For for each try is still counted by its own address.
    assert _login(client, "g9@example.org", "wrong password", "192.0.2.99").status_code == 429


def test_the_client_is_the_last_address_not_a_trusted_proxy():
    trusted = ("10.0.0.0/8", "127.0.0.1")
    assert client_address("127.0.0.1", "1.2.3.4, 203.0.113.5, 10.0.0.2", trusted) == "203.0.113.5"
    assert client_address("192.0.2.1", "203.0.113.5", trusted) == "192.0.2.1"
    assert client_address("127.0.0.1", None, trusted) == "127.0.0.1"
    assert client_address("127.0.0.1", "not an address", trusted) == "127.0.0.1"


def test_wrong_passwords_slow_the_attacker_but_the_owner_logs_in(make_client):
    client = make_client(trusted_proxies=(PROXY,), login_failures_per_account=3, login_delay_seconds=2,
                         login_max_delay_seconds=60)  # fmt: skip
    register(client, "owner@example.org")
    # The owner logged in from home before: that address is known to the account.
    assert _login(client, "owner@example.org", PASSWORD, "198.51.100.7").status_code == 200
    for _ in range(3):
        assert _login(client, "owner@example.org", "wrong password", "203.0.113.9").status_code == 401
    first = _login(client, "owner@example.org", PASSWORD, "203.0.113.9")
    assert first.status_code == 429 and first.headers["Retry-After"] == "2"
    _wait_past(client, 2)
    assert _login(client, "owner@example.org", "wrong password", "203.0.113.9").status_code == 401
    second = _login(client, "owner@example.org", "wrong password", "203.0.113.9")
    assert second.status_code == 429 and second.headers["Retry-After"] == "4"  # the delay doubles
    # The owner, from the address the account knows, is not held back by the attacker's failures.
    assert _login(client, "owner@example.org", PASSWORD, "198.51.100.7").status_code == 200
    # From an address the account does not know, the owner waits at most the delay, never 15 minutes.
    elsewhere = _login(client, "owner@example.org", PASSWORD, "192.0.2.44")
    assert elsewhere.status_code == 429 and int(elsewhere.headers["Retry-After"]) <= 60
    _wait_past(client, 60)
    assert _login(client, "owner@example.org", PASSWORD, "192.0.2.44").status_code == 200


def test_registration_reads_the_same_for_new_and_existing_accounts(client):
    register(client, "taken@example.org")
    taken = client.post(f"{API}/auth/register", json={"email": "taken@example.org", "name": "X",
                                                        "password": "another long password"})  # fmt: skip
    new = client.post(f"{API}/auth/register", json={"email": "free@example.org", "name": "X",
                                                      "password": "another long password"})  # fmt: skip
    assert taken.status_code == new.status_code == 201
    assert taken.json() == {"email": "taken@example.org", "detail": taken.json()["detail"]}
    assert new.json() == {"email": "free@example.org", "detail": taken.json()["detail"]}
    # The existing account is unchanged: its owner's password still works, the other one does not.
    assert _login(client, "taken@example.org", PASSWORD).status_code == 200
    assert _login(client, "taken@example.org", "another long password").status_code == 401


def test_the_analyst_form_reads_the_same_for_unknown_and_existing_accounts(client):
    p = build(client, uploads=())
    created = client.post(f"{API}/initiatives", json={"slug": "net-zero", "name": "Net zero", "currency": "EUR"},
                          headers=p.as_("coordinator"))  # fmt: skip
    assert created.status_code == 201, created.text
    url = f"{API}/initiatives/net-zero/analysts"
    known = client.post(url, json={"email": "alpha@example.org"}, headers=p.as_("coordinator"))
    unknown = client.post(url, json={"email": "nobody@example.org"}, headers=p.as_("coordinator"))
    assert known.status_code == unknown.status_code
    assert {k: v for k, v in known.json().items() if k not in ("email", "code", "id", "expires_at")} == \
        {k: v for k, v in unknown.json().items() if k not in ("email", "code", "id", "expires_at")}  # fmt: skip
