"""Bad input of every kind: a 4xx with a clear message, nothing changed, nothing leaked, never a 500."""

from __future__ import annotations

import json

import pytest
from helpers.platform import API, DESCRIPTION, build, member, register

INJECTIONS = ["x'); DROP TABLE users; --", "<script>alert('x')</script>", "\" OR 1=1 --", "{{7*7}}", "../../etc/passwd"]


def _versions(p, key="alpha"):
    return p.client.get(p.url(f"/members/{key}/versions"), headers=p.as_("coordinator")).json()


@pytest.fixture
def p(client):
    return build(client, uploads=("alpha",))


def test_oversized_upload_is_refused_and_nothing_stored(make_client):
    client = make_client(max_upload_bytes=2048)
    p = build(client, uploads=())
    big = json.dumps(member("alpha") | {"name": "A" * 4096})
    response = client.post(p.url("/members/alpha/upload"), headers=p.as_("alpha"),
                           files={"file": ("alpha.json", big, "application/json")})  # fmt: skip
    assert response.status_code == 413 and "limit" in response.json()["detail"]
    huge = client.post(p.url("/members/alpha/upload"), headers=p.as_("alpha"),
                       files={"file": ("alpha.json", "x" * 200_000, "application/json")})  # fmt: skip
    assert huge.status_code == 413
    assert _versions(p) == []


@pytest.mark.parametrize(("name", "content", "expected"), [
    ("alpha.yaml", "name: [unclosed\n", "is not valid YAML"),
    ("alpha.json", "{\"name\": ", "is not valid JSON"),
    ("alpha.yaml", "", "empty"),
    ("alpha.xlsx", "not a workbook", "is not an Excel workbook"),
    ("alpha.exe", "MZ", "give a .yaml"),
    ("alpha.yaml", "- just\n- a list\n", "expected a member description"),
    ("alpha.yaml", "id: beta\nname: B\nsector: chemicals\nvalue_added: 1\njobs: 1\n", "describes 'beta'"),
])  # fmt: skip
def test_malformed_files_get_422_naming_the_problem(p, name, content, expected):
    response = p.client.post(p.url("/members/alpha/upload"), headers=p.as_("alpha"),
                             files={"file": (name, content, "application/octet-stream")})  # fmt: skip
    assert response.status_code == 422 and expected in response.json()["detail"], response.text
    assert len(_versions(p)) == 1


def test_validation_errors_name_field_and_line(p):
    text = "name: Alpha\nsector: chemicals\nvalue_added: 5\njobs: -3\ndemands:\n  - {service: steam, carrier: coal2, " \
           "final_energy: 3 MWh}\n"  # fmt: skip
    response = p.client.post(p.url("/members/alpha/upload"), headers=p.as_("alpha"),
                             files={"file": ("alpha.yaml", text, "application/yaml")})  # fmt: skip
    problems = {item["field"]: item for item in response.json()["problems"]}
    assert response.status_code == 422
    assert problems["jobs"]["where"] == "line 4"
    assert problems["demands[0].carrier"]["where"] == "line 6" and "coal2" in problems["demands[0].carrier"]["problem"]


def test_excel_errors_name_sheet_and_row(p, tmp_path):
    from openpyxl import load_workbook

    from clusterpath.io import xlsx
    from clusterpath.schema import Cluster

    path = tmp_path / "alpha.xlsx"
    xlsx.write_template(path, Cluster.model_validate({**DESCRIPTION, "id": "port", "members": [member("alpha") | {
        "id": "alpha"}]}))
    book = load_workbook(path)
    sheet = book["demands"]
    header = [cell.value for cell in sheet[1]]
    sheet.cell(row=3, column=header.index("carrier") + 1, value="unobtainium")
    book.save(path)
    response = p.client.post(p.url("/members/alpha/upload"), headers=p.as_("alpha"),
                             files={"file": ("alpha.xlsx", path.read_bytes(), "application/octet-stream")})  # fmt: skip
    assert response.status_code == 422, response.text
    problem = response.json()["problems"][0]
    assert "sheet 'demands'" in problem["where"] and "row 3" in problem["where"] and "unobtainium" in problem["problem"]


@pytest.mark.parametrize("path", ["/members/nobody/versions", "/members/alpha/versions/99", "/jobs/99999",
                                  "/results/99999", "/input-versions/77", "/jobs/99999999999999"])  # fmt: skip
def test_unknown_ids_get_404_or_422(p, path):
    response = p.client.get(p.url(path), headers=p.as_("coordinator"))
    assert response.status_code in (404, 422) and response.json()["detail"]


def test_another_clusters_ids_are_unknown(p):
    other = p.client.post(f"{API}/clusters", json={"slug": "other", "name": "Other", "description": DESCRIPTION},
                          headers=p.as_("outsider"))  # fmt: skip
    assert other.status_code == 201
    job = p.submit("inventory").json()["id"]
    assert p.client.get(f"{API}/clusters/other/jobs/{job}", headers=p.as_("outsider")).status_code == 404
    assert p.client.get(p.url(f"/jobs/{job}"), headers=p.as_("outsider")).status_code == 404


@pytest.mark.parametrize("text", INJECTIONS)
def test_injection_in_text_fields_is_stored_as_text_and_harmless(p, text):
    client = p.client
    coordinator = p.as_("coordinator")
    assert client.post(p.url("/members"), json={"key": "delta", "name": text}, headers=coordinator).status_code == 201
    assert client.patch(p.url(), json={"name": text}, headers=coordinator).json()["name"] == text
    stored = p.upload("alpha", data=member("alpha") | {"name": text})
    assert stored.status_code == 201
    content = client.get(p.url("/members/alpha/versions/2"), headers=coordinator)
    assert content.json()["content"]["name"] == text and content.headers["content-type"] == "application/json"
    # Text where an id belongs is refused, not interpreted.
    assert client.post(p.url("/members"), json={"key": text, "name": "x"}, headers=coordinator).status_code == 422
    assert client.get(f"{API}/clusters/{text}", headers=coordinator).status_code in (404, 422)
    login = client.post(f"{API}/auth/login", json={"email": "coordinator@example.org", "password": text})
    assert login.status_code == 401
    # The tables are all there and unchanged in count.
    assert [m["key"] for m in client.get(p.url("/members"), headers=coordinator).json()] == ["alpha", "beta",
                                                                                              "delta", "gamma"]
    assert client.get(f"{API}/auth/me", headers=coordinator).status_code == 200


@pytest.mark.parametrize("body", [{"key": "nul", "name": "a\x00b"}, {"key": "x" * 65, "name": "x"},
                                  {"key": "ok", "name": ""}, {"key": "ok", "name": "x" * 201}, ["not", "a", "mapping"],
                                  {"key": "ok", "name": "ok", "extra": 1}])  # fmt: skip
def test_malformed_request_bodies_get_422(p, body):
    response = p.client.post(p.url("/members"), json=body, headers=p.as_("coordinator"))
    assert response.status_code == 422 and "invalid request" in response.json()["detail"]


def test_broken_json_body_gets_422(p):
    response = p.client.post(p.url("/members"), content=b"{\"key\": ", headers=p.as_("coordinator") | {
        "Content-Type": "application/json"})  # fmt: skip
    assert response.status_code == 422


def test_bad_cluster_description_names_the_field(client):
    headers = register(client, "c@example.org")
    response = client.post(f"{API}/clusters", json={"slug": "bad", "name": "Bad", "description": {
        **DESCRIPTION, "country": "XX"}}, headers=headers)  # fmt: skip
    assert response.status_code == 422 and response.json()["problems"][0]["field"] == "country"
    assert client.get(f"{API}/clusters", headers=headers).json() == []
