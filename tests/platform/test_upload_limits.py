"""Uploads and form fields that would cost the server far more than their size (issue 14, item 5): each is
answered 413 or 422 naming the file (or field) and the limit, never 500, and nothing is stored."""

from __future__ import annotations

import json

import pytest
from helpers.attacks import billion_laughs, cell_bomb, deep_json, deep_yaml, recursive_yaml, wide_dimension_bomb
from helpers.platform import API, build, member

# Six levels (531,441 values) rather than nine: above the limit all the same, and a run on code without the
# limit expands it in seconds instead of exhausting the machine.
ATTACKS = {
    "alpha.yaml": (billion_laughs(levels=6), "aliases expand to more than 200,000 values"),
    "alpha-loop.yaml": (recursive_yaml(), "alias inside its own anchor"),
    "alpha-deep.yaml": (deep_yaml(), "nested more than 32 levels deep"),
    "alpha.json": (deep_json(), "nested more than 32 levels deep"),
    "alpha.xlsx": (cell_bomb(), "more than 16,384 cells in one row"),
    "alpha-rows.xlsx": (cell_bomb(rows=250_000, cells=250_000), "more than 100,000 rows"),
    "alpha-wide.xlsx": (wide_dimension_bomb(), "reads as more than 500,000 cells"),
}


@pytest.fixture
def p(client):
    return build(client, uploads=("alpha",))


def _versions(p, key="alpha"):
    return p.client.get(p.url(f"/members/{key}/versions"), headers=p.as_("coordinator")).json()


@pytest.mark.parametrize("name", list(ATTACKS))
def test_each_attack_upload_gets_422_naming_the_file_and_the_limit(p, name):
    content, expected = ATTACKS[name]
    response = p.client.post(p.url("/members/alpha/upload"), headers=p.as_("alpha"),
                             files={"file": (name, content, "application/octet-stream")})  # fmt: skip
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert detail.startswith(name) and expected in detail, detail
    assert len(_versions(p)) == 1


@pytest.mark.parametrize("depth", [40, 100_000])
def test_a_deeply_nested_json_body_gets_a_4xx(p, depth):
    body = '{"name": "Alpha", "extra": ' + "[" * depth + "]" * depth + "}"
    response = p.client.put(p.url("/members/alpha/data"), content=body.encode(),
                            headers=p.as_("alpha") | {"Content-Type": "application/json"})  # fmt: skip
    assert response.status_code in (400, 422), response.text
    assert "nested more than 32 levels deep" in response.json()["detail"]
    assert len(_versions(p)) == 1


def test_the_new_cluster_forms_extra_field_has_the_same_limits(p):
    csrf = p.sign_in("outsider")
    form = {"csrf": csrf, "slug": "laughs", "name": "Laughs", "country": "BE", "lat": "51", "lon": "4",
            "kind": "port", "currency": "EUR", "base_year": "2023", "discount_rate": "0.05"}  # fmt: skip
    for extra, expected in ((billion_laughs(levels=6), "aliases expand to more than 200,000 values"),
                            (deep_yaml(), "nested more than 32 levels deep")):  # fmt: skip
        response = p.client.post("/new-cluster", data=form | {"extra": extra})
        assert response.status_code == 422 and expected in response.text, response.text[-2000:]
    assert p.client.get(f"{API}/clusters", headers=p.as_("outsider")).json() == []


def test_the_custom_scenario_field_has_the_same_limits(p):
    csrf = p.sign_in("coordinator")
    for custom, expected in ((billion_laughs(levels=6), "aliases expand to more than 200,000 values"),
                             (deep_yaml(), "nested more than 32 levels deep")):  # fmt: skip
        response = p.client.post("/clusters/port/jobs", data={"csrf": csrf, "kind": "plan", "custom": custom})
        assert response.status_code == 422 and expected in response.text, response.text[-2000:]
    assert p.client.get(p.url("/jobs"), headers=p.as_("coordinator")).json() == []


def test_parsing_waits_for_one_of_few_slots_and_answers_503_when_none_frees(make_client):
    client = make_client(upload_parsers=1, upload_wait_seconds=0.2)
    p = build(client, uploads=())
    slots = client.app.state.upload_slots
    assert slots.acquire(timeout=1)
    try:
        busy = client.post(p.url("/members/alpha/upload"), headers=p.as_("alpha"),
                           files={"file": ("alpha.json", json.dumps(member("alpha")), "application/json")})  # fmt: skip
        assert busy.status_code == 503 and "Retry-After" in busy.headers, busy.text
    finally:
        slots.release()
    stored = client.post(p.url("/members/alpha/upload"), headers=p.as_("alpha"),
                         files={"file": ("alpha.json", json.dumps(member("alpha")), "application/json")})  # fmt: skip
    assert stored.status_code == 201, stored.text


def test_a_legitimate_upload_with_anchors_is_stored(p):
    text = ("name: Alpha Chemicals\nsector: chemicals\nvalue_added: 1000\njobs: 3\n"
            "demands:\n  - &gas {service: steam, carrier: natural_gas, equipment: boiler, efficiency: 0.9,"
            " useful_energy: 10 MWh}\n  - {<<: *gas, service: heat_low}\n")  # fmt: skip
    response = p.client.post(p.url("/members/alpha/upload"), headers=p.as_("alpha"),
                             files={"file": ("alpha.yaml", text, "application/yaml")})  # fmt: skip
    assert response.status_code == 201, response.text
    content = p.client.get(p.url("/members/alpha/versions/2"), headers=p.as_("alpha")).json()["content"]
    assert content["demands"][1] == {"service": "heat_low", "carrier": "natural_gas", "equipment": "boiler",
                                     "efficiency": 0.9, "useful_energy": "10 MWh"}  # fmt: skip


def test_the_upload_page_answers_an_attack_file_with_the_form_and_the_limit(p):
    csrf = p.sign_in("alpha")
    response = p.client.post("/clusters/port/members/alpha/upload", data={"csrf": csrf},
                             files={"file": ("alpha.xlsx", cell_bomb(), "application/octet-stream")})  # fmt: skip
    assert response.status_code == 422 and "more than 16,384 cells in one row" in response.text
    assert len(_versions(p)) == 1
