"""A platform under test: users with each role, a small cluster whose members' data are told apart by
distinctive numbers, and small helpers over the HTTP API."""

from __future__ import annotations

import copy
import json
import time
from dataclasses import dataclass, field

API = "/api/v1"
PASSWORD = "a long enough password"

DESCRIPTION = {
    "name": "Test port", "country": "BE", "location": {"lat": 51.3, "lon": 4.3}, "kind": "port",
    "currency": "EUR", "base_year": 2023, "discount_rate": 0.05,
    "grid": {"emission_factor": {"2023": "0.2 tCO2e/MWh"}, "electricity_price": {"2023": 80}},
}  # fmt: skip
# Each member's numbers are unlike any other's, so a leak of one into another's view can be searched for.
MEMBERS = {
    "alpha": {"name": "Alpha Chemicals", "sector": "chemicals", "value_added": 11111111.1, "jobs": 11,
              "demands": [{"service": "electricity", "carrier": "electricity", "final_energy": "2000.3 MWh"},
                          {"service": "steam", "carrier": "natural_gas", "equipment": "boiler", "efficiency": 0.9,
                           "useful_energy": "8760.9 MWh"}]},
    "beta": {"name": "Beta Polymers", "sector": "chemicals", "value_added": 77777777.7, "jobs": 77,
             "demands": [{"service": "electricity", "carrier": "electricity", "final_energy": "4321.7 MWh"},
                         {"service": "steam", "carrier": "natural_gas", "equipment": "boiler", "efficiency": 0.9,
                          "useful_energy": "9876.3 MWh"}]},
    "gamma": {"name": "Gamma Foods", "sector": "food", "value_added": 33333333.3, "jobs": 33,
              "demands": [{"service": "electricity", "carrier": "electricity", "final_energy": "1500.7 MWh"},
                          {"service": "steam", "carrier": "natural_gas", "equipment": "boiler", "efficiency": 0.9,
                           "useful_energy": "5000.9 MWh"}]},
}  # fmt: skip
SCENARIO = {"name": "small", "periods": [2025, 2035], "target_year": 2040, "typical_days": 1,
            "levers": ["heat_pump", "electric_boiler"], "economies_of_scale": False}  # fmt: skip


def member(key: str) -> dict:
    return copy.deepcopy(MEMBERS[key])


def register(client, email: str, name: str = "Someone") -> dict:
    response = client.post(f"{API}/auth/register", json={"email": email, "name": name, "password": PASSWORD})
    assert response.status_code == 201, response.text
    return login(client, email)


def login(client, email: str, password: str = PASSWORD) -> dict:
    response = client.post(f"{API}/auth/login", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


@dataclass
class Platform:
    """A cluster 'port' with a coordinator, a user for each of members alpha and beta, an observer and an
    outsider (a user of the platform in no role in this cluster)."""

    client: object
    slug: str = "port"
    headers: dict[str, dict] = field(default_factory=dict)

    def url(self, path: str = "") -> str:
        return f"{API}/clusters/{self.slug}{path}"

    def as_(self, who: str) -> dict:
        return self.headers.get(who, {})

    def sign_in(self, who: str) -> str:
        """Signs ``who`` in to the pages (session cookie) and returns the form token."""
        from clusterpath.platform.pages.web import SESSION_COOKIE, csrf_token

        token = self.as_(who)["Authorization"].split(" ", 1)[1]
        self.client.cookies.clear()
        self.client.cookies.set(SESSION_COOKIE, token)
        return csrf_token(token)

    def upload(self, key: str, who: str = "coordinator", data: dict | None = None):
        body = member(key) if data is None else data
        return self.client.put(self.url(f"/members/{key}/data"), json=body, headers=self.as_(who))

    def submit(self, kind: str, options: dict | None = None, who: str = "coordinator"):
        return self.client.post(self.url("/jobs"), json={"kind": kind, "options": options or {}}, headers=self.as_(who))

    def wait(self, job_id: int, timeout: float = 300.0) -> dict:
        """The job once it has finished; a bounded wait so a stuck worker fails the test instead of hanging it."""
        deadline = time.monotonic() + timeout
        while True:
            job = self.client.get(self.url(f"/jobs/{job_id}"), headers=self.as_("coordinator")).json()
            if job["status"] in ("done", "failed"):
                return job
            if time.monotonic() > deadline:
                raise AssertionError(f"job {job_id} still {job['status']} after {timeout} s: {job}")
            time.sleep(0.1)

    def result_of(self, job: dict, who: str = "coordinator") -> dict:
        listing = self.client.get(self.url("/results"), headers=self.as_(who)).json()
        result_id = next(r["id"] for r in listing if r["job"] == job["id"])
        response = self.client.get(self.url(f"/results/{result_id}"), headers=self.as_(who))
        assert response.status_code == 200, response.text
        return response.json()


def build(client, *, members: tuple[str, ...] = ("alpha", "beta", "gamma"), k: int | None = None,
          uploads: tuple[str, ...] = ("alpha", "beta", "gamma")) -> Platform:  # fmt: skip
    platform = Platform(client)
    platform.headers["coordinator"] = register(client, "coordinator@example.org", "Coordinator")
    body = {"slug": platform.slug, "name": "Test port", "description": DESCRIPTION} | ({"k": k} if k else {})
    response = client.post(f"{API}/clusters", json=body, headers=platform.as_("coordinator"))
    assert response.status_code == 201, response.text
    for key in members:
        response = client.post(platform.url("/members"), json={"key": key, "name": MEMBERS[key]["name"]},
                               headers=platform.as_("coordinator"))  # fmt: skip
        assert response.status_code == 201, response.text
    for who, role, company in (("alpha", "member", "alpha"), ("beta", "member", "beta"),
                               ("observer", "observer", None)):  # fmt: skip
        if company is not None and company not in members:
            continue
        email = f"{who}@example.org"
        invitation = client.post(platform.url("/invitations"), json={"email": email, "role": role, "member": company},
                                 headers=platform.as_("coordinator"))  # fmt: skip
        assert invitation.status_code == 201, invitation.text
        platform.headers[who] = register(client, email, who.title())
        accepted = client.post(f"{API}/invitations/accept", json={"code": invitation.json()["code"]},
                               headers=platform.headers[who])  # fmt: skip
        assert accepted.status_code == 200, accepted.text
    platform.headers["outsider"] = register(client, "outsider@example.org", "Outsider")
    for key in uploads:
        response = platform.upload(key)
        assert response.status_code == 201, response.text
    return platform


def numbers_in(value) -> set[str]:
    """Every number in a JSON value, as JSON writes it (to search response bodies for)."""
    found: set[str] = set()
    if isinstance(value, dict):
        for item in value.values():
            found |= numbers_in(item)
    elif isinstance(value, list):
        for item in value:
            found |= numbers_in(item)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        found.add(json.dumps(value))
    return found
