"""Initiatives in the platform: enrolment by the cluster's coordinator, analysts who see cluster totals
and never a member's figures, k-anonymity per cluster, currencies, leaving."""

from __future__ import annotations

import pytest

from helpers.platform import API, MEMBERS, SCENARIO, build, numbers_in, register


@pytest.fixture
def platform(make_client):
    p = build(make_client(run_worker=True))
    for kind, options in (("inventory", {}), ("plan", {"scenario": SCENARIO})):
        job = p.wait(p.submit(kind, options).json()["id"])
        assert job["status"] == "done", job["log"]
        setattr(p, kind, p.result_of(job)["result"])
    p.headers["analyst"] = register(p.client, "analyst@example.org", "Analyst")
    return p


def _create(p, currency: str = "EUR", rates: dict | None = None, slug: str = "tic"):
    body = {"slug": slug, "name": "Transitioning clusters", "currency": currency, "exchange_rates": rates or {}}
    return p.client.post(f"{API}/initiatives", json=body, headers=p.as_("analyst"))


def _enrol(p, who: str = "coordinator", initiative: str = "tic"):
    # Enrolment needs the owner's code for the enrolling coordinator's email (issue 14, item 6).
    issued = p.client.post(f"{API}/initiatives/{initiative}/enrolment-codes", json={"email": f"{who}@example.org"},
                           headers=p.as_("analyst"))  # fmt: skip
    code = issued.json()["code"] if issued.status_code == 201 else "cpi_none"
    return p.client.post(p.url("/initiatives"), json={"initiative": initiative, "code": code}, headers=p.as_(who))


def _portfolio(p, who: str = "analyst", slug: str = "tic"):
    return p.client.get(f"{API}/initiatives/{slug}/portfolio", headers=p.as_(who))


def test_an_enrolled_cluster_counts_with_its_totals_and_no_member_figure(platform):
    p = platform
    assert _create(p).status_code == 201
    assert _enrol(p).status_code == 201
    response = _portfolio(p)
    assert response.status_code == 200, response.text
    body = response.json()
    (row,) = body["clusters"]
    assert (row["cluster"], row["country"], row["continent"], row["lat"]) == ("port", "BE", "Europe", 51.3)
    assert row["baseline_tco2e"] == pytest.approx(p.inventory["total_tco2e"])
    assert row["value_added"] == pytest.approx(sum(m["value_added"] for m in MEMBERS.values()))
    assert row["jobs_direct"] == sum(m["jobs"] for m in MEMBERS.values())
    # Target year 2040 lies beyond the last period 2035: emissions stay as in 2035 (docs/portfolio.md),
    # and the cumulative reduction adds the years 2025-2040, linear between the periods.
    scopes = p.plan["emissions_by_scope_tco2e"]
    pathway = {int(y): scopes["scope1"][y] + scopes["scope2"][y] for y in scopes["scope1"]}
    baseline = p.inventory["total_tco2e"]
    assert row["reduction_target_year_tco2e"] == pytest.approx(baseline - pathway[2035])
    between = [pathway[2025] + (pathway[2035] - pathway[2025]) * (y - 2025) / 10 for y in range(2025, 2036)]
    assert row["reduction_cumulative_tco2e"] == pytest.approx(sum(baseline - e for e in between)
                                                              + 5 * (baseline - pathway[2035]))  # fmt: skip
    assert body["totals"]["clusters"] == 1 and body["left_out"] == []
    assert body["by_country"][0]["country"] == "BE" and body["by_continent"][0]["continent"] == "Europe"
    # The analyst sees what an observer of the cluster sees: no member's own numbers.
    members = {token for m in p.inventory["members"] for token in numbers_in(m) if len(token) >= 6}
    assert members and not [token for token in members if token in response.text]
    # The cluster's coordinator can see who read its figures for the initiative.
    log = p.client.get(p.url("/audit"), headers=p.as_("coordinator")).json()
    assert any(entry["action"] == "initiative.read" and entry["target"] == "tic" for entry in log)


def test_only_the_coordinator_enrols_and_only_analysts_read(platform):
    p = platform
    _create(p)
    assert [_enrol(p, who).status_code for who in ("alpha", "observer", "outsider", "anonymous")] == [403, 403, 404, 401]
    assert _enrol(p, initiative="nowhere").status_code == 404
    assert _enrol(p).status_code == 201 and _enrol(p).status_code == 409
    # Being in the cluster, even as its coordinator, is not being an analyst of the initiative.
    assert [_portfolio(p, who).status_code for who in ("coordinator", "alpha", "outsider", "anonymous")] == \
        [404, 404, 404, 401]  # fmt: skip
    added = p.client.post(f"{API}/initiatives/tic/analysts", json={"email": "outsider@example.org"},
                          headers=p.as_("analyst"))  # fmt: skip
    # An analyst joins by accepting the owner's invitation (issue 14, item 6), no longer on being named.
    assert added.status_code == 201
    accepted = p.client.post(f"{API}/invitations/accept", json={"code": added.json()["code"]},
                             headers=p.as_("outsider"))  # fmt: skip
    assert accepted.status_code == 200
    assert _portfolio(p, "outsider").status_code == 200


def test_a_cluster_below_its_k_is_left_out_of_rows_and_totals(platform):
    p = platform
    _create(p)
    _enrol(p)
    assert p.client.patch(p.url(), json={"k": 4}, headers=p.as_("coordinator")).status_code == 200
    body = _portfolio(p).json()
    assert body["clusters"] == [] and body["totals"]["clusters"] == 0
    assert body["totals"]["baseline_tco2e"] is None
    assert body["left_out"][0]["cluster"] == "port" and "fewer than 4 members" in body["left_out"][0]["reason"]


def test_money_in_another_currency_needs_an_exchange_rate(platform):
    p = platform
    _create(p, currency="USD")
    refused = _enrol(p)
    assert refused.status_code == 409 and "no exchange rate for EUR" in refused.json()["detail"]
    rate = {"EUR": {"rate": 1.1, "year": 2024, "source": "a central bank's yearly average"}}
    changed = p.client.patch(f"{API}/initiatives/tic", json={"exchange_rates": rate}, headers=p.as_("analyst"))
    assert changed.status_code == 200
    assert _enrol(p).status_code == 201
    (row,) = _portfolio(p).json()["clusters"]
    assert row["value_added"] == pytest.approx(1.1 * sum(m["value_added"] for m in MEMBERS.values()))
    bad = p.client.patch(f"{API}/initiatives/tic", json={"exchange_rates": {"XYZ": rate["EUR"]}},
                         headers=p.as_("analyst"))  # fmt: skip
    assert bad.status_code == 422 and "unknown currency 'XYZ'" in bad.text


def test_a_cluster_leaves_by_its_coordinator_or_is_dropped_by_an_analyst(platform):
    p = platform
    _create(p)
    _enrol(p)
    assert p.client.delete(p.url("/initiatives/tic"), headers=p.as_("alpha")).status_code == 403
    assert p.client.delete(p.url("/initiatives/tic"), headers=p.as_("coordinator")).status_code == 204
    assert _portfolio(p).json()["clusters"] == []
    _enrol(p)
    assert p.client.delete(f"{API}/initiatives/tic/clusters/port", headers=p.as_("analyst")).status_code == 204
    assert p.client.get(f"{API}/initiatives/tic", headers=p.as_("analyst")).json()["clusters"] == []


def test_the_pages_create_enrol_and_show_the_portfolio_without_member_figures(platform):
    p = platform
    client = p.client
    as_ = p.sign_in

    csrf = as_("analyst")
    created = client.post("/initiatives", data={"csrf": csrf, "slug": "tic", "name": "Transitioning clusters",
                                                "currency": "EUR"}, follow_redirects=False)  # fmt: skip
    assert created.status_code == 303 and created.headers["location"] == "/initiatives/tic"
    bad = client.post("/initiatives", data={"csrf": csrf, "slug": "x", "name": "X", "currency": "XYZ"})
    assert bad.status_code == 422 and "unknown currency" in bad.text
    code = client.post(f"{API}/initiatives/tic/enrolment-codes", json={"email": "coordinator@example.org"},
                       headers=p.as_("analyst")).json()["code"]  # fmt: skip
    csrf = as_("coordinator")
    enrolled = client.post("/initiatives/enrol", data={"csrf": csrf, "cluster": "port", "initiative": "tic",
                                                       "code": code})  # fmt: skip
    assert enrolled.status_code == 200 and "is now in" in enrolled.text
    assert client.post("/initiatives/enrol", data={"csrf": as_("alpha"), "cluster": "port",
                                                   "initiative": "tic"}).status_code == 403
    as_("analyst")
    page = client.get("/initiatives/tic")
    assert page.status_code == 200 and "Test port" in page.text and 'id="chart-portfolio-map"' in page.text
    members = {f"{v:,.0f}" for m in MEMBERS.values() for v in (m["value_added"],)}
    assert not [token for token in members if token in page.text]
    as_("coordinator")
    assert client.get("/initiatives/tic").status_code == 404
