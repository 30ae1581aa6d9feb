"""The pages without a browser: every page as every role, forms with and without CSRF tokens, escaping of
what users typed, cookies, and no asset from another origin.

Like the API's authorization matrix, every page a role may open is searched for the numbers of the
members whose data that role may not see: as JSON writes them (in chart data) and as the pages print them.
"""

from __future__ import annotations

import html
import itertools
import json
import re
import time

import pytest
import yaml

from clusterpath.platform.pages.web import SESSION_COOKIE, _number, csrf_token
from helpers.platform import API, MEMBERS, PASSWORD, SCENARIO, build, login, member

ROLES = ("coordinator", "alpha", "beta", "observer", "outsider", "anonymous")
COMPANY = {"alpha": "alpha", "beta": "beta"}

# path under /clusters/port, and who may open it: every role in the cluster, or the company's own users
PAGES = [
    ("", "all"), ("/emissions", "all"), ("/pathway", "all"), ("/pathway?result={plan}", "all"), ("/macc", "all"),
    ("/collaboration", "all"), ("/comparison", "all"), ("/jobs", "all"), ("/jobs/{job}", "all"), ("/members", "all"),
    ("/members/{key}", "own"), ("/members/{key}/versions/1", "own"),
]  # fmt: skip


def _as(client, token: str | None) -> None:
    client.cookies.clear()
    if token:
        client.cookies.set(SESSION_COOKIE, token)


def _token(p, role: str) -> str | None:
    header = p.as_(role).get("Authorization")
    return header.split(" ", 1)[1] if header else None


def _tokens(value: float) -> set[str]:
    """The ways a page can print a member's number: in chart JSON and in tables."""
    out = {json.dumps(value)} | {_number(value, digits) for digits in (0, 1, 2)}
    # Short figures could occur by chance elsewhere on a page; zeros are everyone's.
    return {t for t in out if len(t.replace(",", "").replace(".", "").replace("-", "")) >= 4 and t.strip("0,.-")}


def _secrets(p, results: dict, key: str) -> set[str]:
    values: list[float] = [MEMBERS[key]["value_added"]]
    for demand in MEMBERS[key]["demands"]:
        for field in ("final_energy", "useful_energy"):
            if field in demand:
                values.append(float(demand[field].split()[0]))
    row = next(r for r in results["inventory"]["members"] if r["id"] == key)
    values += [v for name, v in row.items() if name.endswith(("_tco2e", "_mwh")) and isinstance(v, float)]
    values += list(results["plan"]["member_emissions_tco2e"][key].values())
    for name in ("allocation", "standalone"):
        values.append(results["allocate"][name][key])
        for split in results["collaborate"]["rules"].values():
            values.append(split[name][key])
    found = set()
    for value in values:
        if abs(value) >= 1:
            found |= _tokens(value)
    return found


@pytest.fixture
def site(make_client):
    client = make_client(run_worker=True)
    p = build(client)
    p.jobs, p.results = {}, {}
    for kind, options in (("inventory", {}), ("plan", {"scenario": SCENARIO}),
                          ("allocate", {"scenario": SCENARIO, "method": "shapley"}),
                          ("collaborate", {"scenario": SCENARIO, "samples": 4})):  # fmt: skip
        job = p.wait(p.submit(kind, options).json()["id"])
        assert job["status"] == "done", job["log"]
        p.jobs[kind] = job
        p.results[kind] = p.result_of(job)
    return p


def _expected(role: str, rule: str, key: str | None) -> set[int]:
    if role == "anonymous":
        return {303}
    if role == "outsider":
        return {404}
    if role == "coordinator" or rule == "all" or COMPANY.get(role) == key:
        return {200}
    return {403}


def test_every_page_as_every_role_and_no_other_members_numbers(site):
    p = site
    client = p.client
    raw = {kind: result["result"] for kind, result in p.results.items()}
    secret = {key: _secrets(p, raw, key) for key in MEMBERS}
    mine = {key: secret[key] - set().union(*(secret[o] for o in MEMBERS if o != key)) for key in MEMBERS}
    ids = {"plan": p.results["plan"]["id"], "job": p.jobs["plan"]["id"]}
    checked = 0
    for role, (path, rule) in itertools.product(ROLES, PAGES):
        _as(client, _token(p, role))
        for key in ("alpha", "beta") if "{key}" in path else (None,):
            url = "/clusters/port" + path.format(key=key, **ids)
            response = client.get(url, follow_redirects=False)
            assert response.status_code in _expected(role, rule, key), (role, url, response.status_code)
            if response.status_code == 303:
                assert response.headers["location"].startswith("/login?next=")
            if response.status_code == 200:
                assert response.headers["content-type"].startswith("text/html")
                assert response.headers["cache-control"] == "no-store"
            forbidden = set().union(*(mine[m] for m in MEMBERS if role != "coordinator" and COMPANY.get(role) != m))
            leaked = sorted(token for token in forbidden if token in response.text)
            assert not leaked, (role, url, leaked)
            checked += 1
    assert checked == len(ROLES) * (len(PAGES) + 2)


def test_the_coordinator_sees_every_members_numbers(site):
    """The other half of the matrix: the numbers searched for are really on the pages when allowed, so the
    search above could find them."""
    p = site
    _as(p.client, _token(p, "coordinator"))
    raw = {kind: result["result"] for kind, result in p.results.items()}
    pages = "".join(p.client.get(f"/clusters/port{path}").text for path in ("/emissions", "/pathway", "/collaboration"))
    for key in MEMBERS:
        plan_value = next(iter(raw["plan"]["member_emissions_tco2e"][key].values()))
        assert _number(plan_value) in pages and json.dumps(plan_value) in pages
        assert _number(raw["allocate"]["allocation"][key]) in pages
    _as(p.client, _token(p, "alpha"))
    own = p.client.get("/clusters/port/pathway").text
    assert json.dumps(next(iter(raw["plan"]["member_emissions_tco2e"]["alpha"].values()))) in own
    assert "withheld" in p.client.get("/clusters/port/macc").text


def _post_routes() -> list[str]:
    from clusterpath.platform.pages import access, account, initiatives, views

    return sorted({route.path for module in (views, account, initiatives, access) for route in module.router.routes
                   if "POST" in getattr(route, "methods", ())})  # fmt: skip


def test_every_form_post_needs_the_csrf_token_of_its_session(client):
    p = build(client, uploads=("alpha",))
    routes = _post_routes()
    assert len(routes) >= 10
    coordinator, other = _token(p, "coordinator"), _token(p, "alpha")
    for route in routes:
        url = re.sub(r"\{[a-z_]+_id\}", "1", route).format(slug="port", key="alpha")
        for token, csrf in ((coordinator, None), (coordinator, "not-a-token"), (coordinator, csrf_token(other)),
                            (None, csrf_token(coordinator))):  # fmt: skip
            _as(client, token)
            data = {"csrf": csrf} if csrf is not None else {}
            response = client.post(url, data=data, files={"file": ("a.yaml", b"x: 1", "text/yaml")} if
                                   route.endswith("/upload") else None, follow_redirects=False)  # fmt: skip
            assert response.status_code == 403, (route, token == coordinator, csrf, response.status_code)
            assert "did not come from this site" in response.text
    # With its token a form goes through: the token is what was missing.
    _as(client, coordinator)
    response = client.post("/clusters/port/members", data={"csrf": csrf_token(coordinator), "key": "delta",
                                                           "name": "Delta"}, follow_redirects=False)  # fmt: skip
    assert response.status_code == 303
    listed = client.get(f"{API}/clusters/port/members", headers=p.as_("coordinator")).json()
    assert "delta" in [m["key"] for m in listed]


INJECTION = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_what_users_type_is_shown_as_text(client):
    p = build(client, uploads=())
    client.patch(p.url(), json={"name": f"Port {INJECTION}"}, headers=p.as_("coordinator"))
    client.post(p.url("/members"), json={"key": "evil", "name": f"Evil {INJECTION}"}, headers=p.as_("coordinator"))
    assert p.upload("alpha", data=member("alpha") | {"name": f"Alpha {INJECTION}"}).status_code == 201
    _as(client, _token(p, "coordinator"))
    pages = [client.get(f"/clusters/port{path}") for path in ("", "/members", "/members/alpha",
                                                               "/members/alpha/versions/1", "/emissions")]
    pages.append(client.get("/clusters"))
    for response in pages:
        assert response.status_code == 200, response.url
        assert "<script>alert" not in response.text and "<img src=x" not in response.text, response.url
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in pages[1].text
    # In the map's hover text (chart JSON inside an attribute) the name is escaped twice: for plotly, then HTML.
    figure = re.search(r'id="chart-sites" data-figure="([^"]*)"', pages[0].text).group(1)
    assert "&lt;script&gt;" in json.loads(html.unescape(figure))["data"][0]["hovertext"][0]
    # A job's custom scenario name comes back as text on the job's page.
    csrf = csrf_token(_token(p, "coordinator"))
    response = client.post("/clusters/port/jobs", data={"csrf": csrf, "kind": "plan", "custom": yaml.safe_dump(
        SCENARIO | {"name": INJECTION})})  # fmt: skip
    assert response.status_code == 200 and "/jobs/" in str(response.url)
    assert "<script>alert" not in response.text and "\\u003cscript\\u003e" in response.text


def test_login_sets_an_httponly_samesite_cookie_and_logout_revokes_it(make_client):
    client = make_client(cookie_secure=True)
    client.base_url = "https://testserver"  # the browser sends a Secure cookie back over HTTPS only
    build(client, uploads=())
    page = client.get("/login?next=/clusters/port/jobs")
    token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    assert "HttpOnly" in page.headers["set-cookie"]
    wrong = client.post("/login", data={"csrf": token, "email": "alpha@example.org", "password": "wrong password!",
                                        "next": "/clusters/port/jobs"})  # fmt: skip
    assert wrong.status_code == 401 and "wrong email or password" in wrong.text and "wrong password!" not in wrong.text
    response = client.post("/login", data={"csrf": token, "email": "alpha@example.org", "password": PASSWORD,
                                           "next": "/clusters/port/jobs"}, follow_redirects=False)  # fmt: skip
    assert response.status_code == 303 and response.headers["location"] == "/clusters/port/jobs"
    cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith(f"{SESSION_COOKIE}="))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" in cookie
    session = cookie.split(";")[0].split("=", 1)[1]
    assert client.get(f"{API}/auth/me", headers={"Authorization": f"Bearer {session}"}).status_code == 200
    _as(client, session)
    assert client.get("/clusters/port/jobs").status_code == 200
    assert client.post("/logout", data={"csrf": csrf_token(session)}, follow_redirects=False).status_code == 303
    assert client.get(f"{API}/auth/me", headers={"Authorization": f"Bearer {session}"}).status_code == 401


def test_login_pages_refuse_other_sites_next_and_keep_the_rate_limit(make_client):
    client = make_client(login_failures_per_account=2)
    build(client, uploads=())
    client.cookies.clear()
    page = client.get("/login")
    token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    ok = client.post("/login", data={"csrf": token, "email": "beta@example.org", "password": PASSWORD,
                                     "next": "//evil.example/x"}, follow_redirects=False)  # fmt: skip
    assert ok.headers["location"] == "/clusters"
    client.cookies.clear()
    page = client.get("/login")
    token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    wrong = {"csrf": token, "email": "alpha@example.org", "password": "not the one at all"}
    statuses = [client.post("/login", data=wrong).status_code for _ in range(3)]
    assert statuses == [401, 401, 429]
    right = client.post("/login", data={"csrf": token, "email": "alpha@example.org", "password": PASSWORD})
    assert right.status_code == 429 and "too many failed logins" in right.text


def test_pages_load_nothing_from_another_origin(site):
    p = site
    _as(p.client, _token(p, "coordinator"))
    paths = ["/login", "/register", "/clusters", "/new-cluster"] + [f"/clusters/port{path}" for path, _ in PAGES]
    ids = {"plan": p.results["plan"]["id"], "job": p.jobs["plan"]["id"], "key": "alpha"}
    for path in paths:
        response = p.client.get(path.format(**ids))
        assert response.status_code == 200, path
        sources = re.findall(r'<(?:script|link|img|iframe)\b[^>]*?\b(?:src|href)="([^"]*)"', response.text)
        assert sources and all(s.startswith("/") and not s.startswith("//") for s in sources), (path, sources)
        assert not re.search(r'(?:src|href|action)="(?:https?:)?//', response.text), path
        assert "script-src 'self'" in response.headers["content-security-policy"]
    bundle = p.client.get("/static/vendor/plotly.min.js")
    from clusterpath.platform.pages import plotly_js

    assert bundle.status_code == 200 and bundle.content == plotly_js().read_bytes()
    assert p.client.get("/static/pages.js").status_code == 200 and p.client.get("/static/style.css").status_code == 200
    # A world map (geo, map or mapbox) would fetch its outlines or tiles online: the sites use plain axes.
    overview = p.client.get("/clusters/port").text
    sites = json.loads(html.unescape(re.search(r'id="chart-sites" data-figure="([^"]*)"', overview).group(1)))
    assert {trace["type"] for trace in sites["data"]} == {"scatter"}
    assert not {"geo", "map", "mapbox"} & set(sites["layout"])


def test_member_forms_show_problems_inline_with_field_and_line(client, tmp_path):
    p = build(client, uploads=())
    alpha = _token(p, "alpha")
    _as(client, alpha)
    csrf = csrf_token(alpha)
    bad = yaml.safe_dump(member("alpha") | {"jobs": "many"}, sort_keys=False)
    line = next(i for i, text in enumerate(bad.splitlines(), 1) if text.startswith("jobs:"))
    response = client.post("/clusters/port/members/alpha/upload", data={"csrf": csrf},
                           files={"file": ("alpha.yaml", bad.encode(), "application/yaml")})  # fmt: skip
    assert response.status_code == 422
    assert re.search(rf'<td class="field">jobs</td><td class="where">line {line}</td>', response.text), response.text
    from openpyxl import load_workbook

    from clusterpath.io import xlsx
    from clusterpath.schema import Cluster
    from helpers.platform import DESCRIPTION

    workbook = tmp_path / "alpha.xlsx"
    xlsx.write_template(workbook, Cluster.model_validate({**DESCRIPTION, "id": "port", "members": [member("alpha") | {
        "id": "alpha"}]}))  # fmt: skip
    good = workbook.read_bytes()
    book = load_workbook(workbook)
    sheet = book["demands"]
    sheet.cell(row=3, column=[c.value for c in sheet[1]].index("carrier") + 1, value="unobtainium")
    book.save(workbook)
    response = client.post("/clusters/port/members/alpha/upload", data={"csrf": csrf},
                           files={"file": ("alpha.xlsx", workbook.read_bytes(), "application/xlsx")})  # fmt: skip
    assert response.status_code == 422 and "sheet &#39;demands&#39;, row 3" in response.text, response.text
    response = client.post("/clusters/port/members/alpha/upload", data={"csrf": csrf},
                           files={"file": ("alpha.xlsx", good, "application/octet-stream")})  # fmt: skip
    assert response.status_code == 201 and "Stored as version 1" in response.text
    edit = {"csrf": csrf, "name": "Alpha Chemicals", "sector": "chemicals", "value_added": "lots", "jobs": "12"}
    response = client.post("/clusters/port/members/alpha/edit", data=edit)
    assert response.status_code == 422 and '<td class="field">value_added</td>' in response.text
    response = client.post("/clusters/port/members/alpha/edit", data=edit | {"value_added": "12345678.9"})
    assert response.status_code == 201 and "Stored as version 2" in response.text
    versions = client.get(p.url("/members/alpha/versions"), headers=p.as_("alpha")).json()
    assert [v["source"] for v in versions] == ["xlsx", "form"]
    first, latest = (client.get(p.url(f"/members/alpha/versions/{n}"), headers=p.as_("alpha")).json()["content"]
                     for n in (1, 2))  # fmt: skip
    assert latest["value_added"] == 12345678.9 and latest["demands"] == first["demands"]
    page = client.get("/clusters/port/members/alpha").text
    assert "2,000.3 MWh" in page and "{" not in page.split('id="latest"')[1].split("Versions")[0]
    response = client.post("/clusters/port/members/beta/edit", data=edit)
    assert response.status_code == 403


def test_coordinator_creates_a_cluster_invites_and_runs_a_job_through_the_pages(make_client):
    client = make_client(run_worker=True)
    token = client.post(f"{API}/auth/register", json={"email": "c@example.org", "name": "C", "password": PASSWORD})
    assert token.status_code == 201
    headers = login(client, "c@example.org")
    session = headers["Authorization"].split(" ", 1)[1]
    _as(client, session)
    csrf = csrf_token(session)
    form = {"csrf": csrf, "slug": "bay", "name": "Bay", "k": "", "country": "BE", "lat": "51.3", "lon": "north",
            "kind": "port", "currency": "EUR", "base_year": "2023", "discount_rate": "0.05",
            "extra": "grid:\n  emission_factor: {2023: 0.2 tCO2e/MWh}\n  electricity_price: {2023: 80}\n"}  # fmt: skip
    response = client.post("/new-cluster", data=form)
    assert response.status_code == 422 and '<td class="field">location.lon</td>' in response.text
    response = client.post("/new-cluster", data=form | {"lon": "4.3", "extra": "grid: [unclosed"})
    assert response.status_code == 422 and "not valid YAML" in response.text
    response = client.post("/new-cluster", data=form | {"lon": "4.3"}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/clusters/bay/members"
    for key in ("alpha", "beta"):
        client.post("/clusters/bay/members", data={"csrf": csrf, "key": key, "name": MEMBERS[key]["name"]})
        response = client.put(f"{API}/clusters/bay/members/{key}/data", json=member(key), headers=headers)
        assert response.status_code == 201
    response = client.post("/clusters/bay/invitations", data={"csrf": csrf, "email": "a@example.org", "role": "member",
                                                             "member": "alpha"})  # fmt: skip
    assert response.status_code == 201
    code = re.search(r'id="invitation-code">([^<]+)<', response.text).group(1)
    # The invited person registers and joins through the pages too.
    client.cookies.clear()
    page = client.get("/register")
    pre = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    response = client.post("/register", data={"csrf": pre, "email": "a@example.org", "name": "A", "password": PASSWORD},
                           follow_redirects=False)  # fmt: skip
    assert response.status_code == 303
    member_session = client.cookies.get(SESSION_COOKIE)
    response = client.post("/invitations/accept", data={"csrf": csrf_token(member_session), "code": code},
                           follow_redirects=False)  # fmt: skip
    assert response.headers["location"] == "/clusters/bay"
    refused = client.post("/clusters/bay/jobs", data={"csrf": csrf_token(member_session), "kind": "plan"})
    assert refused.status_code == 403
    _as(client, session)
    response = client.post("/clusters/bay/jobs", data={"csrf": csrf, "kind": "plan", "typical_days": "0"})
    assert response.status_code == 422 and "typical_days" in response.text
    response = client.post("/clusters/bay/jobs", data={"csrf": csrf, "kind": "plan",
                                                       "custom": yaml.safe_dump(SCENARIO)}, follow_redirects=False)
    assert response.status_code == 303
    job = response.headers["location"]
    start = time.monotonic()
    while "status-done" not in (page := client.get(job).text):
        # A bound so a stuck worker fails the test instead of hanging it; not a speed target.
        assert "status-failed" not in page and time.monotonic() - start < 600, page
        time.sleep(0.2)
    result = re.search(r'href="(/clusters/bay/pathway\?result=\d+)"', page).group(1)
    pathway = client.get(result).text
    figure = re.search(r'id="chart-emissions" data-figure="([^"]*)"', pathway).group(1)
    traces = json.loads(html.unescape(figure))["data"]
    assert {t["name"] for t in traces} >= {"alpha", "beta", "cluster total"}
    # Compare and fund take their own fields; what they lack comes back inline, not as an error page.
    response = client.post("/clusters/bay/jobs", data={"csrf": csrf, "kind": "compare", "compare": ["scope-1-net-zero-2050"]})
    assert response.status_code == 422 and "scenarios" in response.text
    response = client.post("/clusters/bay/jobs", data={"csrf": csrf, "kind": "fund", "budget": "-5"})
    assert response.status_code == 422 and "budget" in response.text
    response = client.post("/clusters/bay/jobs", data={"csrf": csrf, "kind": "compare", "typical_days": "1",
                                                       "compare": ["scope-1-net-zero-2050", "scope-1-net-zero-2040"]},
                           follow_redirects=False)  # fmt: skip
    assert response.status_code == 303
    response = client.post("/clusters/bay/jobs", data={"csrf": csrf, "kind": "fund", "budget": "1e6",
                                                       "objective": "leverage", "custom": yaml.safe_dump(SCENARIO)},
                           follow_redirects=False)  # fmt: skip
    assert response.status_code == 303
    funded = client.get(response.headers["location"]).text
    assert "fund" in funded
