"""The pages in a real browser against a real server: a coordinator sets up a cluster and runs a plan, a
member uploads its data (a bad file first), and each sees what their role allows, charts drawn by the
locally served plotly.js, nothing fetched from anywhere else."""

from __future__ import annotations

import json
import re

import pytest
import yaml

from helpers.platform import DESCRIPTION, MEMBERS, PASSWORD, SCENARIO

pytestmark = pytest.mark.slow

GRID = yaml.safe_dump({"grid": DESCRIPTION["grid"]})
PLAN_TIMEOUT_MS = 600_000  # two shared cores: a bound so a stuck job fails the test, not a speed target


def _file(key: str, data: dict | None = None) -> dict:
    body = yaml.safe_dump(data if data is not None else MEMBERS[key], sort_keys=False)
    return {"name": f"{key}.yaml", "mimeType": "application/yaml", "buffer": body.encode()}


def _register(page, email: str, name: str) -> None:
    page.goto("/register")
    page.fill("input[name=email]", email)
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/register'] button[type=submit]")
    page.wait_for_url("**/clusters")


def _login(page, email: str) -> None:
    page.goto("/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_url("**/clusters")


def _logout(page) -> None:
    page.click("form[action='/logout'] button")
    page.wait_for_url("**/login")


def _upload(page, slug: str, key: str, file: dict) -> None:
    page.goto(f"/clusters/{slug}/members/{key}")
    page.set_input_files("input[name=file]", files=[file])
    page.click("form[action$='/upload'] button[type=submit]")
    page.wait_for_load_state()


def _run(page, slug: str, kind: str, scenario: dict | None = None) -> None:
    page.goto(f"/clusters/{slug}/jobs")
    page.select_option("select[name=kind]", kind)
    if scenario is not None:
        page.fill("textarea[name=custom]", yaml.safe_dump(scenario))
    page.click("form[action$='/jobs'] button[type=submit]")
    page.wait_for_url(re.compile(r".*/jobs/\d+$"))
    # The job page reloads itself while the job is queued or running.
    page.wait_for_selector("#job-status.status-done, #job-status.status-failed", timeout=PLAN_TIMEOUT_MS)
    assert page.inner_text("#job-status") == "done", page.inner_text("main")


def _traces(page, chart: str) -> list[dict]:
    page.wait_for_selector(f"#chart-{chart}.js-plotly-plot")
    return page.evaluate(f"""() => Array.from(document.getElementById('chart-{chart}').data,
                                              t => ({{name: t.name, y: Array.from(t.y || [])}}))""")


def test_coordinator_and_member_work_in_the_browser(browser):
    context, watch = browser
    page = context.new_page()

    # The coordinator creates the cluster, its member companies and an invitation.
    _register(page, "coordinator@example.org", "Coordinator")
    page.click("a[href='/new-cluster']")
    for field, value in (("slug", "port"), ("name", "Test port"), ("country", "BE"), ("lat", "51.3"), ("lon", "4.3"),
                         ("currency", "EUR"), ("base_year", "2023"), ("discount_rate", "0.05")):  # fmt: skip
        page.fill(f"input[name={field}]", value)
    page.fill("textarea[name=extra]", GRID)
    page.click("form[action='/new-cluster'] button[type=submit]")
    page.wait_for_url("**/clusters/port/members")
    for key in ("alpha", "beta", "gamma"):
        page.fill("form[action$='/members'] input[name=key]", key)
        page.fill("form[action$='/members'] input[name=name]", MEMBERS[key]["name"])
        page.click("form[action$='/members'] button[type=submit]")
        page.wait_for_selector(f"text={MEMBERS[key]['name']}")
    page.fill("form[action$='/invitations'] input[name=email]", "alpha@example.org")
    page.select_option("form[action$='/invitations'] select[name=role]", "member")
    page.select_option("form[action$='/invitations'] select[name=member]", "alpha")
    page.click("form[action$='/invitations'] button[type=submit]")
    code = page.inner_text("#invitation-code").strip()
    assert code.startswith("cpi_")
    for key in ("beta", "gamma"):  # on the companies' behalf
        _upload(page, "port", key, _file(key))
        assert "Stored as version 1" in page.inner_text("#stored")
    _logout(page)

    # The member joins, sees a bad file refused with its field and line, then uploads a good one.
    _register(page, "alpha@example.org", "Alpha")
    page.fill("input[name=code]", code)
    page.click("form[action='/invitations/accept'] button[type=submit]")
    page.wait_for_url("**/clusters/port")
    _upload(page, "port", "alpha", _file("alpha", {**MEMBERS["alpha"], "jobs": "many"}))
    problem = page.locator(".problems tr.problem").first
    assert problem.locator("td.field").inner_text() == "jobs"
    assert problem.locator("td.where").inner_text().startswith("line ")
    assert page.locator("#stored").count() == 0
    _upload(page, "port", "alpha", _file("alpha"))
    assert "Stored as version 1" in page.inner_text("#stored")
    assert page.goto("/clusters/port/members/beta").status == 403
    _logout(page)

    # The coordinator runs the inventory and a plan, and sees the plan's charts with every member's line.
    _login(page, "coordinator@example.org")
    _run(page, "port", "inventory")
    _run(page, "port", "plan", SCENARIO)
    page.click("#job-result")
    page.wait_for_url("**/pathway?result=*")
    traces = _traces(page, "emissions")
    assert {t["name"] for t in traces} >= {"alpha", "beta", "gamma", "cluster total"}
    assert all(len(t["y"]) == len(SCENARIO["periods"]) for t in traces)
    assert _traces(page, "investment")[0]["y"], "the investment chart has no data"
    others = [y for t in traces if t["name"] in ("beta", "gamma") for y in t["y"]]
    page.goto("/clusters/port")
    assert len(_traces(page, "sites")) == 2  # the hub and the member sites
    _logout(page)

    # The member sees the cluster's aggregates and its own line, never another member's numbers.
    _login(page, "alpha@example.org")
    page.goto("/clusters/port/pathway")
    mine = _traces(page, "emissions")
    assert "alpha" in {t["name"] for t in mine} and not {"beta", "gamma"} & {t["name"] for t in mine}
    html = page.content()
    leaked = [y for y in others if json.dumps(y) in html or f"{y:,.0f}" in page.inner_text("main")]
    assert not leaked
    page.goto("/clusters/port/emissions")
    rows = page.locator("h2:has-text('By member') + p + div.chart + table tbody tr")
    assert rows.count() == 1 and "alpha" in rows.first.inner_text()
    text = page.inner_text("main")
    for key in ("beta", "gamma"):
        assert f"{MEMBERS[key]['value_added']:,.0f}" not in text and MEMBERS[key]["name"] not in text

    assert not watch.foreign, f"pages fetched from elsewhere: {watch.foreign}"
    assert not watch.errors, f"the browser logged errors: {watch.errors}"
    assert any(url.endswith("/static/vendor/plotly.min.js") for url in watch.requests)


def test_a_new_user_tries_an_example_imports_a_file_and_exports_it(browser, tmp_path):
    from clusterpath import examples

    context, watch = browser
    page = context.new_page()
    _register(page, "newcomer@example.org", "Newcomer")
    page.select_option("form[action='/clusters/try'] select[name=example]", "port-chemicals")
    page.click("form[action='/clusters/try'] button[type=submit]")
    page.wait_for_url("**/clusters/port-chemicals/members")
    keys = [m["id"] for m in examples.raw("port-chemicals")["members"]]
    text = page.inner_text("main")
    assert all(key in text for key in keys)
    with page.expect_download() as download:
        page.click("a[href='/clusters/port-chemicals/export?format=xlsx']")
    saved = tmp_path / "port.xlsx"
    download.value.save_as(saved)
    # The exported workbook, with a mistake, is refused whole on the import form; as exported it imports.
    page.goto("/clusters")
    bad = yaml.safe_dump(examples.raw("port-chemicals") | {"base_year": "soon"}).encode()
    page.set_input_files("form[action='/clusters/import'] input[name=file]",
                         files=[{"name": "bad.yaml", "mimeType": "application/yaml", "buffer": bad}])  # fmt: skip
    page.fill("form[action='/clusters/import'] input[name=slug]", "mine")
    page.click("form[action='/clusters/import'] button[type=submit]")
    page.wait_for_selector(".problems")
    assert page.locator(".problems td.field").first.inner_text() == "base_year"
    page.set_input_files("form[action='/clusters/import'] input[name=file]", str(saved))
    page.fill("form[action='/clusters/import'] input[name=slug]", "mine")
    page.click("form[action='/clusters/import'] button[type=submit]")
    page.wait_for_url("**/clusters/mine/members")
    assert all(key in page.inner_text("main") for key in keys)
    assert not watch.foreign, f"pages fetched from elsewhere: {watch.foreign}"
    assert not watch.errors, f"the browser logged errors: {watch.errors}"
