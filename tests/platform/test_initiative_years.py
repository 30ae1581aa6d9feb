"""Closed years of an initiative and what changed since: a frozen portfolio per year, compared with a later
one or with now by the CLI's comparison, seen by the initiative's analysts only and only as an observer
of each cluster would see it; a cluster's project register only while its coordinator shares it, and
never its money."""

from __future__ import annotations

import math

import pytest
from helpers.platform import API, DESCRIPTION, MEMBERS, SCENARIO, Platform, numbers_in, register

from clusterpath.portfolio.progress import YearTables, compare

REGISTER = [{"id": "steam-hp", "name": "Alpha's heat pump", "lever": "heat_pump", "members": ["alpha"],
             "stage": "feasibility", "investment": 4_242_424.0, "committed": 3_131_313.0, "public_funding": 2_020_202.0,
             "operating_year": 2027, "abatement": "1234 t"}]  # fmt: skip
# Every way the register's money could be written in a body or a page.
MONEY = ("4242424", "4,242,424", "3131313", "3,131,313", "2020202", "2,020,202")


@pytest.fixture
def platform(make_client):
    from helpers.platform import build

    p = build(make_client(run_worker=True))
    job = p.wait(p.submit("plan", {"scenario": SCENARIO}).json()["id"])
    assert job["status"] == "done", job["log"]
    p.headers["analyst"] = register(p.client, "analyst@example.org", "Analyst")
    body = {"slug": "tic", "name": "Transitioning clusters", "currency": "EUR", "exchange_rates": {}}
    assert p.client.post(f"{API}/initiatives", json=body, headers=p.as_("analyst")).status_code == 201
    assert _enrol(p).status_code == 201
    return p


def _code(p: Platform) -> str:
    """The initiative's owner asks the coordinator to enrol a cluster (issue 14, item 6: enrolment by consent)."""
    response = p.client.post(f"{API}/initiatives/tic/enrolment-codes", json={"email": "coordinator@example.org"},
                             headers=p.as_("analyst"))  # fmt: skip
    assert response.status_code == 201, response.text
    return response.json()["code"]


def _enrol(p: Platform, slug: str = "port"):
    return p.client.post(f"{API}/clusters/{slug}/initiatives", json={"initiative": "tic", "code": _code(p)},
                         headers=p.as_("coordinator"))  # fmt: skip


def _share(p: Platform, on: bool, who: str = "coordinator", slug: str = "port", initiative: str = "tic"):
    return p.client.patch(f"{API}/clusters/{slug}/initiatives/{initiative}", json={"share_register": on},
                          headers=p.as_(who))  # fmt: skip


def _close(p: Platform, year: int, who: str = "analyst"):
    return p.client.post(f"{API}/initiatives/tic/years", json={"year": year}, headers=p.as_(who))


def _get(p: Platform, path: str, who: str = "analyst", **params):
    return p.client.get(f"{API}/initiatives/tic{path}", params=params, headers=p.as_(who))


def _set_register(p: Platform, projects: list[dict], slug: str = "port", description: dict = DESCRIPTION) -> None:
    changed = p.client.patch(f"{API}/clusters/{slug}", json={"description": description | {"projects": projects}},
                             headers=p.as_("coordinator"))  # fmt: skip
    assert changed.status_code == 200, changed.text


def _second_cluster(p: Platform) -> Platform:
    """Cluster 'dock' in another country, by the same coordinator, with the same three companies' data, planned."""
    dock = Platform(p.client, slug="dock", headers=p.headers)
    description = DESCRIPTION | {"name": "Test dock", "country": "NL", "location": {"lat": 52.0, "lon": 4.1}}
    body = {"slug": "dock", "name": "Test dock", "description": description}
    assert p.client.post(f"{API}/clusters", json=body, headers=p.as_("coordinator")).status_code == 201
    for key in MEMBERS:
        added = p.client.post(dock.url("/members"), json={"key": key, "name": MEMBERS[key]["name"]},
                              headers=p.as_("coordinator"))  # fmt: skip
        assert added.status_code == 201 and dock.upload(key).status_code == 201
    job = dock.wait(dock.submit("plan", {"scenario": SCENARIO}).json()["id"])
    assert job["status"] == "done", job["log"]
    return dock


def test_a_closed_year_is_the_portfolio_then_and_never_changes(platform):
    p = platform
    _set_register(p, REGISTER)
    live = _get(p, "/portfolio").json()
    closed = _close(p, 2024)
    assert closed.status_code == 201, closed.text
    body = closed.json()
    assert body["year"] == 2024 and body["closed_by"] == {"name": "Analyst", "email": "analyst@example.org"}
    assert body["portfolio"]["year"] == 2024
    assert body["totals"] == live["totals"] and body["clusters"] == live["clusters"]
    # The coordinator did not share the register (the default) and an observer of 'port' sees none of it, so
    # neither does the analyst nor the closed year.
    assert body["projects"] == [] and body["registers"] == [] and body["register"]["projects"] is None
    assert "Alpha's heat pump" not in closed.text and "4242424" not in closed.text

    again = _close(p, 2024)
    assert again.status_code == 409
    assert "year 2024 of initiative 'tic' was closed already on" in again.json()["detail"]
    assert "a closed year is never changed" in again.json()["detail"]

    # The cluster falls below its k afterwards: the portfolio now leaves it out, the closed year keeps it.
    assert p.client.patch(p.url(), json={"k": 4}, headers=p.as_("coordinator")).status_code == 200
    assert _get(p, "/portfolio").json()["clusters"] == []
    kept = _get(p, "/years/2024").json()
    assert kept["clusters"] == body["clusters"] and kept["totals"] == body["totals"] and kept["year"] == 2024
    (listed,) = _get(p, "/years").json()
    assert (listed["year"], listed["clusters"], listed["closed_by"]["name"]) == (2024, 1, "Analyst")

    since = _get(p, "/progress", previous=2024).json()
    assert (since["previous_year"], since["current_year"]) == (2024, None)
    assert since["departed_clusters"] == ["port"] and since["new_clusters"] == []
    assert since["left_out"][0]["cluster"] == "port" and "fewer than 4 members" in since["left_out"][0]["reason"]
    assert since["totals"]["clusters"] == {"previous": 1, "current": 0, "change": -1}
    # Nothing is counted now: the baseline now is missing, and so is its change (not minus the past baseline).
    assert since["totals"]["baseline_tco2e"]["current"] is None and since["totals"]["baseline_tco2e"]["change"] is None

    # The cluster's coordinator sees in its audit log who closed and who read its figures of then.
    log = p.client.get(p.url("/audit"), headers=p.as_("coordinator")).json()
    actions = {(entry["action"], entry["target"]) for entry in log}
    assert {("initiative.year.close", "tic"), ("initiative.year.read", "tic")} <= actions


def test_unknown_years_and_bad_years_say_what_to_do(platform):
    p = platform
    none_yet = _get(p, "/progress", previous=2024)
    assert none_yet.status_code == 404
    assert none_yet.json()["detail"].startswith("year 2024 of initiative 'tic' is not closed (no year is closed yet)")
    assert _close(p, 2024).status_code == 201
    unknown = _get(p, "/years/2023")
    assert unknown.status_code == 404 and "year 2023 of initiative 'tic' is not closed (closed years: 2024)" in \
        unknown.json()["detail"]  # fmt: skip
    assert _get(p, "/progress", previous=2023).status_code == 404
    assert _get(p, "/progress", previous=2024, current=2025).status_code == 404
    backwards = _get(p, "/progress", previous=2024, current=2024)
    assert backwards.status_code == 422 and "current: 2024 is not after the previous year 2024" in backwards.text
    assert _close(p, 1800).status_code == 422
    assert p.client.post(f"{API}/initiatives/tic/years", json={"year": 2025, "extra": 1},
                         headers=p.as_("analyst")).status_code == 422  # fmt: skip


def test_only_the_initiatives_analysts_close_and_read_years(platform):
    p = platform
    assert _close(p, 2024).status_code == 201
    # The coordinator of an enrolled cluster, its members and others: the initiative is unknown to them.
    for who, status in (("coordinator", 404), ("alpha", 404), ("observer", 404), ("outsider", 404),
                        ("anonymous", 401)):  # fmt: skip
        assert _close(p, 2025, who).status_code == status, who
        for path, params in (("/years", {}), ("/years/2024", {}), ("/progress", {"previous": 2024})):
            response = _get(p, path, who, **params)
            assert response.status_code == status, (who, path)
            assert "Test port" not in response.text
    assert [row["year"] for row in _get(p, "/years").json()] == [2024]  # nobody else closed 2025
    added = p.client.post(f"{API}/initiatives/tic/analysts", json={"email": "outsider@example.org"},
                          headers=p.as_("analyst"))  # fmt: skip
    # An analyst joins by accepting the owner's invitation (issue 14, item 6), no longer on being named.
    assert added.status_code == 201
    accepted = p.client.post(f"{API}/invitations/accept", json={"code": added.json()["code"]},
                             headers=p.as_("outsider"))  # fmt: skip
    assert accepted.status_code == 200 and _get(p, "/years/2024", "outsider").status_code == 200


def test_a_cluster_below_its_k_is_left_out_of_the_closed_year_whole(platform):
    p = platform
    _set_register(p, REGISTER)
    assert _share(p, True).status_code == 200
    assert p.client.patch(p.url(), json={"k": 4}, headers=p.as_("coordinator")).status_code == 200
    closed = _close(p, 2024)
    body = closed.json()
    assert body["clusters"] == [] and body["totals"]["clusters"] == 0 and body["totals"]["baseline_tco2e"] is None
    assert body["left_out"][0]["cluster"] == "port"
    # Even a shared register stays out with the cluster's figures.
    assert body["projects"] == [] and "Alpha's heat pump" not in closed.text
    assert body["registers"] == [] and body["register"]["projects"] is None
    members = {token for m in MEMBERS.values() for token in numbers_in(m) if len(token) >= 6}
    assert members and not [token for token in members if token in closed.text]


def test_a_cluster_that_joins_and_a_project_that_moves_stage(platform):
    p = platform
    _set_register(p, REGISTER)
    assert _share(p, True).json() == {"initiative": "tic", "name": "Transitioning clusters", "share_register": True,
                                      "enrolled_at": _share(p, True).json()["enrolled_at"]}  # fmt: skip
    closed = _close(p, 2024)
    before = closed.json()
    # What the coordinator shares: no money, no companies.
    assert before["projects"] == [{"cluster": "port", "project": "steam-hp", "name": "Alpha's heat pump",
                                   "lever": "heat_pump", "stage": "feasibility", "abatement_tco2e": 1234.0,
                                   "operating_year": 2027}]  # fmt: skip
    assert not [token for token in MONEY if token in closed.text] and "alpha" not in str(before["projects"])
    assert before["registers"] == ["port"]
    assert before["register"] == {"registers_shared": 1, "projects": 1, "projects_committed": 0,
                                  "projects_announced": 0, "projects_feasibility": 1, "projects_final_investment_decision": 0,
                                  "projects_construction": 0, "projects_operating": 0, "avoided_tco2e": 0}  # fmt: skip
    # A year later: the heat pump is being built, a solar project is announced, an electric boiler runs, and
    # cluster 'dock' joins without sharing its register.
    _set_register(p, [REGISTER[0] | {"stage": "construction"},
                      {"id": "roof-pv", "name": "Roof solar", "lever": "solar_pv", "members": ["beta"],
                       "stage": "announced", "abatement": "50 t"},
                      {"id": "e-boiler", "name": "Electric boiler", "lever": "electric_boiler", "members": ["gamma"],
                       "stage": "operating", "investment": 4_242_424.0, "abatement": "300 t"}])  # fmt: skip
    _second_cluster(p)
    dock = DESCRIPTION | {"name": "Test dock", "country": "NL", "location": {"lat": 52.0, "lon": 4.1}}
    _set_register(p, REGISTER, slug="dock", description=dock)
    assert _enrol(p, "dock").status_code == 201
    dock = _get(p, "/portfolio").json()["clusters"][1]
    assert dock["cluster"] == "dock"

    since = _get(p, "/progress", previous=2024).json()
    assert since["new_clusters"] == ["dock"] and since["departed_clusters"] == []
    assert since["stage_changes"] == [{"cluster": "port", "project": "steam-hp", "name": "Alpha's heat pump",
                                       "lever": "heat_pump", "from_stage": "feasibility", "to_stage": "construction",
                                       "direction": "forward", "abatement_tco2e": 1234.0}]  # fmt: skip
    new = [(r["cluster"], r["project"], r["stage"]) for r in since["new_projects"]]
    assert new == [("port", "e-boiler", "operating"), ("port", "roof-pv", "announced")]
    assert since["dropped_projects"] == []
    # Hand-counted: three projects now, the heat pump and the boiler committed, the boiler's 300 t avoided.
    register = since["totals"]
    assert register["registers_shared"] == {"previous": 1, "current": 1, "change": 0}
    assert register["projects"] == {"previous": 1, "current": 3, "change": 2}
    assert register["projects_committed"] == {"previous": 0, "current": 2, "change": 2}
    assert register["projects_feasibility"] == {"previous": 1, "current": 0, "change": -1}
    assert register["avoided_tco2e"] == {"previous": 0, "current": 300, "change": 300}
    assert "investment_registered" not in register and "committed" not in register
    # Dock's register is not shared: none of it is seen, and its money never.
    response = _get(p, "/progress", previous=2024)
    assert not [token for token in MONEY if token in response.text]
    assert [r["cluster"] for r in _get(p, "/portfolio").json()["projects"]] == ["port"] * 3
    assert since["totals"]["clusters"] == {"previous": 1, "current": 2, "change": 1}
    assert since["totals"]["countries"] == {"previous": 1, "current": 2, "change": 1}
    baseline = since["totals"]["baseline_tco2e"]
    assert baseline["previous"] == pytest.approx(before["totals"]["baseline_tco2e"])
    assert baseline["change"] == pytest.approx(dock["baseline_tco2e"])

    # Closing 2025 and comparing the two closed years gives the same changes.
    assert _close(p, 2025).status_code == 201
    closed = _get(p, "/progress", previous=2024, current=2025).json()
    assert closed["current_year"] == 2025
    for key in ("new_clusters", "departed_clusters", "stage_changes", "new_projects", "dropped_projects", "totals"):
        assert closed[key] == since[key], key


def test_with_sharing_off_nothing_of_the_register_leaks(platform):
    p = platform
    _set_register(p, REGISTER)
    assert _close(p, 2024).status_code == 201
    _set_register(p, [REGISTER[0] | {"stage": "operating"}])
    responses = [_get(p, "/portfolio"), _get(p, "/years/2024"), _get(p, "/years"), _get(p, ""),
                 _get(p, "/progress", previous=2024)]  # fmt: skip
    assert _close(p, 2025).status_code == 201
    responses.append(_get(p, "/progress", previous=2024, current=2025))
    assert all(r.status_code == 200 for r in responses)
    p.sign_in("analyst")
    responses += [p.client.get("/initiatives/tic"), p.client.get("/initiatives/tic?since=2024")]
    for response in responses:
        text = response.text
        assert "Alpha's heat pump" not in text and "Alpha&#39;s heat pump" not in text and "steam-hp" not in text
        assert not [token for token in MONEY if token in text], response.url
    since = _get(p, "/progress", previous=2024).json()
    assert since["stage_changes"] == [] and since["new_projects"] == [] and since["dropped_projects"] == []
    assert since["totals"]["projects"] == {"previous": None, "current": None, "change": None}
    assert "No cluster counted shares its project register" in responses[-2].text


def test_only_the_coordinator_shares_and_every_change_is_audited(platform):
    p = platform
    # The cluster's member company, its observer, the initiative's analyst, a stranger: none may change it.
    for who, status in (("alpha", 403), ("observer", 403), ("analyst", 404), ("outsider", 404), ("anonymous", 401)):
        assert _share(p, True, who).status_code == status, who
    assert _get(p, "").json()["clusters"][0]["share_register"] is False
    assert _share(p, True, initiative="nowhere").status_code == 404
    assert p.client.patch(f"{API}/clusters/port/initiatives/tic", json={"share_register": True, "money": True},
                          headers=p.as_("coordinator")).status_code == 422  # fmt: skip
    assert _share(p, True).json()["share_register"] is True
    assert _get(p, "").json()["clusters"][0]["share_register"] is True
    assert _share(p, False).json()["share_register"] is False
    listed = p.client.get(p.url("/initiatives"), headers=p.as_("coordinator")).json()
    assert [(row["initiative"], row["share_register"]) for row in listed] == [("tic", False)]
    log = p.client.get(p.url("/audit"), headers=p.as_("coordinator")).json()
    shares = [entry["detail"]["share_register"] for entry in log if entry["action"] == "initiative.share"]
    assert shares == [False, True]  # newest first
    (join,) = [entry for entry in log if entry["action"] == "initiative.join"]
    assert join["detail"]["share_register"] is False


def test_sharing_when_enrolling_and_withdrawing_later_keeps_the_closed_year(platform):
    p = platform
    _set_register(p, REGISTER)
    assert p.client.delete(p.url("/initiatives/tic"), headers=p.as_("coordinator")).status_code == 204
    body = {"initiative": "tic", "code": _code(p), "share_register": True}
    enrolled = p.client.post(p.url("/initiatives"), json=body, headers=p.as_("coordinator"))
    assert enrolled.status_code == 201 and enrolled.json()["share_register"] is True
    assert [row["name"] for row in _get(p, "/portfolio").json()["projects"]] == ["Alpha's heat pump"]
    assert _close(p, 2024).status_code == 201
    assert _share(p, False).status_code == 200
    now = _get(p, "/portfolio").json()
    assert now["projects"] == [] and now["registers"] == [] and "Alpha's heat pump" not in str(now)
    # The year closed while shared keeps what it showed; the withdrawn register is not taken for dropped projects.
    assert [row["project"] for row in _get(p, "/years/2024").json()["projects"]] == ["steam-hp"]
    since = _get(p, "/progress", previous=2024).json()
    assert since["dropped_projects"] == [] and since["stage_changes"] == []
    assert since["totals"]["projects"] == {"previous": 1, "current": None, "change": None}
    assert _close(p, 2025).json()["projects"] == []


def test_the_pages_share_the_register_and_show_what_moved(platform):
    p = platform
    _set_register(p, REGISTER)
    csrf = p.sign_in("coordinator")
    listing = p.client.get("/initiatives")
    assert 'name="share_register"' in listing.text and "not shared" in listing.text
    # Enrolling with the box ticked shares; the button stops it.
    assert p.client.delete(f"{API}/clusters/port/initiatives/tic", headers=p.as_("coordinator")).status_code == 204
    enrolled = p.client.post("/initiatives/enrol", data={"csrf": csrf, "cluster": "port", "initiative": "tic",
                                                         "code": _code(p), "share_register": "yes"})  # fmt: skip
    assert enrolled.status_code == 200 and "Stop sharing the register" in enrolled.text
    assert _get(p, "").json()["clusters"][0]["share_register"] is True
    stopped = p.client.post("/initiatives/share", data={"csrf": csrf, "cluster": "port", "initiative": "tic"})
    assert stopped.status_code == 200 and "no longer shares its register with" in stopped.text
    assert _get(p, "").json()["clusters"][0]["share_register"] is False
    shared = p.client.post("/initiatives/share", data={"csrf": csrf, "cluster": "port", "initiative": "tic",
                                                       "share_register": "yes"})  # fmt: skip
    assert shared.status_code == 200 and "port&#39; shares its register with" in shared.text
    assert "Stop sharing the register" in shared.text
    csrf = p.sign_in("alpha")
    refused = p.client.post("/initiatives/share", data={"csrf": csrf, "cluster": "port", "initiative": "tic"})
    assert refused.status_code == 403
    assert _get(p, "").json()["clusters"][0]["share_register"] is True

    csrf = p.sign_in("analyst")
    assert p.client.post("/initiatives/tic/years", data={"csrf": csrf, "year": "2024"}).status_code == 200
    _set_register(p, [REGISTER[0] | {"stage": "construction"},
                      {"id": "roof-pv", "name": "Roof solar", "lever": "solar_pv", "members": ["beta"],
                       "stage": "announced", "abatement": "50 t"}])  # fmt: skip
    p.sign_in("analyst")
    page = p.client.get("/initiatives/tic?since=2024")
    assert page.status_code == 200 and "Since 2024" in page.text
    assert "Projects that moved stage (1)" in page.text and "New projects (1)" in page.text
    assert "Roof solar" in page.text and "construction" in page.text and "(shares its register)" in page.text
    assert "projects in the shared registers" in page.text
    assert not [token for token in MONEY if token in page.text]


def test_compare_works_on_plain_tables():
    """The shared comparison on hand-made tables: the platform's live year has no year number, and a metric
    one year lacks compares with a missing value."""
    row = {"cluster": "a", "project": "p", "name": "P", "lever": "heat_pump", "abatement_tco2e": 10.0}
    then = YearTables("tic", 2024, "EUR", ["a", "b"], [row | {"stage": "construction"}],
                      {"clusters": 2, "baseline_tco2e": 100.0, "old_metric": 5.0})  # fmt: skip
    now = YearTables("tic", None, "EUR", ["c", "a"], [row | {"stage": "feasibility"}],
                     {"clusters": 2, "baseline_tco2e": None})  # fmt: skip
    progress = compare(then, now)
    assert (progress.new_clusters, progress.departed_clusters) == (["c"], ["b"])
    assert progress.stage_changes[["from_stage", "to_stage", "direction"]].values.tolist() == \
        [["construction", "feasibility", "back"]]  # fmt: skip
    assert progress.totals.loc["clusters"].tolist() == [2, 2, 0]
    assert math.isnan(progress.totals.loc["baseline_tco2e", "change"])
    assert progress.to_dict()["totals"]["old_metric"] == {"previous": 5.0, "current": None, "change": None}
    assert progress.to_dict()["current_year"] is None
    # A register the later year does not see (its coordinator stopped sharing it) is not a dropped project.
    unseen = compare(then, YearTables("tic", None, "EUR", ["a"], [], {}, registers=[]))
    assert unseen.dropped_projects.empty and unseen.stage_changes.empty
    assert compare(then, YearTables("tic", None, "EUR", ["a"], [], {})).dropped_projects["project"].tolist() == ["p"]


def test_the_page_closes_a_year_and_shows_what_changed_since(platform):
    p = platform
    client = p.client
    as_ = p.sign_in

    csrf = as_("analyst")
    page = client.get("/initiatives/tic")
    assert page.status_code == 200 and "No year closed yet" in page.text
    assert 'action="/initiatives/tic/years"' in page.text
    assert 'id="since"' not in page.text
    assert client.post("/initiatives/tic/years", data={"year": "2024"}).status_code == 403  # no CSRF token
    closed = client.post("/initiatives/tic/years", data={"csrf": csrf, "year": "2024"}, follow_redirects=False)
    assert closed.status_code == 303 and closed.headers["location"] == "/initiatives/tic"
    page = client.get("/initiatives/tic")
    assert page.status_code == 200 and 'id="since"' in page.text and "Since 2024" in page.text
    assert "clusters counted" in page.text and "Projects that moved stage (0)" in page.text
    assert 'href="/initiatives/tic?since=2024"' in page.text and "<script>" not in page.text
    again = client.post("/initiatives/tic/years", data={"csrf": csrf, "year": "2024"})
    assert again.status_code == 409 and "was closed already" in again.text
    bad = client.post("/initiatives/tic/years", data={"csrf": csrf, "year": "next"})
    assert bad.status_code == 422 and "year" in bad.text
    # The year just closed opens against the year before it.
    closed = client.post("/initiatives/tic/years", data={"csrf": csrf, "year": "2025"}, follow_redirects=False)
    assert closed.headers["location"] == "/initiatives/tic?since=2024&until=2025"
    assert "Since 2024" in client.get(closed.headers["location"]).text
    assert client.get("/initiatives/tic?since=2023").status_code == 404
    csrf = as_("coordinator")
    assert client.post("/initiatives/tic/years", data={"csrf": csrf, "year": "2026"}).status_code == 404
    assert client.get("/initiatives/tic?since=2024").status_code == 404
