"""A whole cluster in one file, in and out of the platform (issue 18, item 2): the command line's file (YAML,
JSON or the workbook) imported as one cluster with its members, their data and one input version, checked whole
(errors with file, sheet, row and field; nothing stored when anything is wrong); exported back to the same
formats so that `clusterpath inventory` of the export equals that of the original; "try it" copies an example
privately; the upload limits hold for imports too."""

from __future__ import annotations

import json
import re

import pytest
import yaml
from helpers.attacks import billion_laughs, cell_bomb
from helpers.platform import API, DESCRIPTION, build, member, register
from openpyxl import load_workbook
from typer.testing import CliRunner

from clusterpath import examples
from clusterpath.cli import app
from clusterpath.io import xlsx
from clusterpath.platform.models import AuditEntry
from clusterpath.platform.pages.web import SESSION_COOKIE, csrf_token

EXAMPLE = "port-chemicals"


def _inventory(source: str) -> dict:
    result = CliRunner().invoke(app, ["inventory", source, "--json"])
    assert result.exit_code == 0, result.output
    return _canonical(json.loads(result.output))


def _canonical(value):
    """The inventory as it means: the platform keeps members in the order of their ids, so rows come in another
    order and sums differ in the last bits of a float."""
    if isinstance(value, dict):
        return {key: _canonical(item) for key, item in value.items()}
    if isinstance(value, list):
        items = [_canonical(item) for item in value]
        return sorted(items, key=json.dumps) if all(isinstance(item, dict) for item in items) else items
    if isinstance(value, float):
        return float(f"{value:.12g}")
    return value


def _upload(client, headers, name: str, content: bytes, url: str = f"{API}/clusters/import", **params):
    return client.post(url, files={"file": (name, content, "application/octet-stream")}, headers=headers,
                       params=params)  # fmt: skip


def _example_yaml() -> bytes:
    return yaml.safe_dump(examples.raw(EXAMPLE), sort_keys=False).encode()


@pytest.fixture
def user(client):
    return register(client, "c@example.org", "Coordinator")


def _clusters(client, headers) -> list[str]:
    return [c["slug"] for c in client.get(f"{API}/clusters", headers=headers).json()]


def test_a_cli_file_imports_as_one_cluster_and_exports_to_the_same_inventory(client, user, tmp_path):
    imported = _upload(client, user, "port.yaml", _example_yaml())
    assert imported.status_code == 201, imported.text
    body = imported.json()
    keys = [m["id"] for m in examples.raw(EXAMPLE)["members"]]
    assert body["slug"] == EXAMPLE and body["input_version"] == 1
    assert body["members"] == [{"key": key, "version": 1} for key in sorted(keys)]
    listed = client.get(f"{API}/clusters/{EXAMPLE}/members", headers=user).json()
    assert [m["key"] for m in listed] == sorted(keys) and all(m["has_data"] for m in listed)
    version = client.get(f"{API}/clusters/{EXAMPLE}/input-versions/1", headers=user).json()
    assert sorted(version["members"]) == sorted(keys)
    expected = _inventory(EXAMPLE)
    for kind in ("yaml", "json", "xlsx"):
        exported = client.get(f"{API}/clusters/{EXAMPLE}/export", params={"format": kind}, headers=user)
        assert exported.status_code == 200, exported.text
        assert exported.headers["content-disposition"] == f'attachment; filename="{EXAMPLE}.{kind}"'
        path = tmp_path / f"export.{kind}"
        path.write_bytes(exported.content)
        assert CliRunner().invoke(app, ["validate", str(path)]).exit_code == 0
        assert _inventory(str(path)) == expected, kind
        # The export imports again as an identical cluster: same data, so the same input version's content.
        again = _upload(client, user, f"again.{kind}", exported.content, slug=f"again-{kind}")
        assert again.status_code == 201, again.text
        assert _inventory_of(client, user, f"again-{kind}", tmp_path) == expected
    with client.app.state.sessions() as session:
        actions = [e.action for e in session.query(AuditEntry).order_by(AuditEntry.id)]
    # Three exports of the first cluster, one of each re-import; each reads every member's data.
    assert actions.count("cluster.import") == 4 and actions.count("cluster.export") == 6
    assert actions.count("data.read") == 6 * len(keys)


def _inventory_of(client, headers, slug: str, tmp_path) -> dict:
    path = tmp_path / f"{slug}.yaml"
    path.write_bytes(client.get(f"{API}/clusters/{slug}/export", headers=headers).content)
    data = yaml.safe_load(path.read_text())
    data["id"] = EXAMPLE  # the id is the cluster's; the inventory names it
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return _inventory(str(path))


def test_a_workbook_with_mistakes_is_refused_whole_with_sheet_row_and_field(client, user, tmp_path):
    path = tmp_path / "port.xlsx"
    xlsx.write_template(path, examples.load(EXAMPLE))
    book = load_workbook(path)
    sheet = book["demands"]
    sheet.cell(row=3, column=[c.value for c in sheet[1]].index("carrier") + 1, value="unobtainium")
    members = book["members"]
    members.cell(row=2, column=[c.value for c in members[1]].index("jobs") + 1, value="many")
    book.save(path)
    refused = _upload(client, user, "port.xlsx", path.read_bytes())
    assert refused.status_code == 422, refused.text
    problems = refused.json()["problems"]
    wheres = {p["where"] for p in problems}
    assert any("sheet 'demands', row 3" in (w or "") for w in wheres), problems
    assert any("sheet 'members', row 2" in (w or "") for w in wheres), problems
    assert "port.xlsx" in refused.json()["detail"]
    assert _clusters(client, user) == []


def test_a_yaml_file_with_a_bad_member_names_field_and_line_and_stores_nothing(client, user):
    data = examples.raw(EXAMPLE)
    data["members"][1]["value_added"] = "lots"
    text = yaml.safe_dump(data, sort_keys=False)
    refused = _upload(client, user, "port.yaml", text.encode())
    assert refused.status_code == 422
    problem = refused.json()["problems"][0]
    line = next(i for i, row in enumerate(text.splitlines(), 1) if "value_added: lots" in row)
    company = data["members"][1]["id"]
    assert problem["field"] == f"members[1] (id '{company}').value_added" and problem["where"] == f"line {line}"
    assert _clusters(client, user) == []
    long_name = yaml.safe_dump(examples.raw(EXAMPLE) | {"name": "N" * 300}).encode()
    assert _upload(client, user, "port.yaml", long_name).status_code == 422
    nul = examples.raw(EXAMPLE)
    nul["members"][0]["name"] = "North\x00Quay"
    refused = _upload(client, user, "port.json", json.dumps(nul).encode())
    assert refused.status_code == 422 and refused.json()["problems"][0]["field"] == "members[0].name"
    assert _clusters(client, user) == []
    # A file the platform would accept as a new cluster but a member of which was removed from the target: 409.
    p = build(client, uploads=())
    assert client.delete(p.url("/members/beta"), headers=p.as_("coordinator")).status_code == 204
    port = DESCRIPTION | {"id": "port", "members": [member(key) | {"id": key} for key in ("alpha", "beta")]}
    clash = _upload(client, p.as_("coordinator"), "port.yaml", yaml.safe_dump(port).encode(), url=p.url("/import"))
    assert clash.status_code == 409 and "beta" in clash.json()["detail"]
    assert client.get(p.url("/members/alpha/versions"), headers=p.as_("coordinator")).json() == []  # nothing stored


def test_imports_keep_the_upload_limits(make_client):
    client = make_client(max_upload_bytes=200_000)
    user = register(client, "c@example.org")
    for name, content, status in (("bomb.yaml", billion_laughs().encode(), 422), ("cells.xlsx", cell_bomb(), 422),
                                  ("big.yaml", b"#" * 200_001, 413)):  # fmt: skip
        refused = _upload(client, user, name, content)
        assert refused.status_code == status, (name, refused.status_code, refused.text[:300])
    assert _clusters(client, user) == []


def test_only_the_coordinator_imports_into_and_exports_a_cluster(client):
    p = build(client, uploads=("alpha", "beta", "gamma"))
    for who, status in (("alpha", 403), ("observer", 403), ("outsider", 404)):
        assert client.get(p.url("/export"), headers=p.as_(who)).status_code == status
        assert _upload(client, p.as_(who), "x.yaml", b"id: port", url=p.url("/import")).status_code == status
    exported = client.get(p.url("/export"), params={"format": "json"}, headers=p.as_("coordinator")).json()
    assert [m["id"] for m in exported["members"]] == ["alpha", "beta", "gamma"]
    # Importing changes the description and the data given; companies the file leaves out stay and are listed.
    exported["members"] = [exported["members"][0] | {"jobs": 12, "name": "A" * 300}]
    exported["base_year"] = 2024
    exported["grid"]["emission_factor"] = {"2024": "0.2 tCO2e/MWh"}
    exported["grid"]["electricity_price"] = {"2024": 80}
    changed = _upload(client, p.as_("coordinator"), "port.json", json.dumps(exported).encode(), url=p.url("/import"))
    assert changed.status_code == 200, changed.text
    assert changed.json()["members"] == [{"key": "alpha", "version": 2}]
    assert changed.json()["not_in_file"] == ["beta", "gamma"] and changed.json()["description"]["base_year"] == 2024


def test_try_it_makes_a_private_copy_of_an_example(client, user):
    first = client.post(f"{API}/clusters/try", json={"example": EXAMPLE}, headers=user)
    second = client.post(f"{API}/clusters/try", json={"example": EXAMPLE}, headers=user)
    assert first.status_code == second.status_code == 201, first.text
    assert (first.json()["slug"], second.json()["slug"]) == (EXAMPLE, f"{EXAMPLE}-2")
    other = register(client, "someone@example.org")
    mine = client.post(f"{API}/clusters/try", json={"example": EXAMPLE}, headers=other)
    assert mine.json()["slug"] == EXAMPLE  # ids are each user's own: nothing tells him of the others' copies
    memberships = client.get(f"{API}/clusters/{EXAMPLE}/memberships", headers=other).json()
    assert [m["user"] for m in memberships] == ["someone@example.org"]
    assert client.post(f"{API}/clusters/try", json={"example": "nowhere"}, headers=user).status_code == 422


def test_the_pages_import_export_and_try(client, user, tmp_path):
    token = user["Authorization"].split(" ", 1)[1]
    client.cookies.set(SESSION_COOKIE, token)
    csrf = csrf_token(token)
    page = client.get("/clusters").text
    assert 'action="/clusters/try"' in page and 'action="/clusters/import"' in page
    tried = client.post("/clusters/try", data={"csrf": csrf, "example": EXAMPLE}, follow_redirects=False)
    assert tried.status_code == 303 and tried.headers["location"] == f"/clusters/{EXAMPLE}/members"
    assert client.post("/clusters/try", data={"example": EXAMPLE}).status_code == 403  # no CSRF token
    data = examples.raw(EXAMPLE)
    data["members"][0]["sector"] = "alchemy"
    refused = client.post("/clusters/import", data={"csrf": csrf, "slug": "mine"},
                          files={"file": ("mine.yaml", yaml.safe_dump(data).encode(), "application/yaml")})  # fmt: skip
    assert refused.status_code == 422
    assert f'<td class="field">members[0] (id &#39;{data["members"][0]["id"]}&#39;).sector</td>' in refused.text
    assert re.search(r'<td class="where">mine.yaml, line \d+</td>', refused.text)
    imported = client.post("/clusters/import", data={"csrf": csrf, "slug": "mine"},
                           files={"file": ("mine.yaml", _example_yaml(), "application/yaml")},
                           follow_redirects=False)  # fmt: skip
    assert imported.status_code == 303 and imported.headers["location"] == "/clusters/mine/members"
    members = client.get("/clusters/mine/members").text
    for kind in ("yaml", "json", "xlsx"):
        assert f'href="/clusters/mine/export?format={kind}"' in members
    exported = client.get("/clusters/mine/export?format=yaml")
    assert exported.status_code == 200 and exported.headers["cache-control"] == "no-store"
    path = tmp_path / "mine.yaml"
    path.write_bytes(exported.content)
    assert CliRunner().invoke(app, ["validate", str(path)]).exit_code == 0
    replaced = client.post("/clusters/mine/import", data={"csrf": csrf},
                           files={"file": ("mine.yaml", exported.content, "application/yaml")})  # fmt: skip
    assert replaced.status_code == 200 and "Imported" in replaced.text
