"""No answer tells someone who may not see a cluster or an initiative whether its id exists (issue 14, item 7):
for every route under a cluster or an initiative, an outsider gets the same status and body for an existing
id as for an unknown one (the id itself aside)."""

from __future__ import annotations

import re

import pytest
from helpers.platform import API, build


@pytest.fixture
def p(client):
    p = build(client, uploads=("alpha",))
    created = client.post(f"{API}/initiatives", json={"slug": "tic", "name": "TIC", "currency": "EUR"},
                          headers=p.as_("coordinator"))  # fmt: skip
    assert created.status_code == 201
    return p


def _routes(client, prefix: str) -> list[tuple[str, str]]:
    schema = client.get(f"{API}/openapi.json").json()
    found = []
    for path, operations in schema["paths"].items():
        if not path.startswith(f"{API}{prefix}/{{slug}}"):
            continue
        for method in operations:
            found.append((method.upper(), path))
    return found


def _fill(path: str, slug: str) -> str:
    path = path.replace("{slug}", slug)
    # Other ids in the path: a plausible value of the right kind, the same for both requests.
    return re.sub(r"\{[^}]+\}", lambda m: "1" if m.group(0).endswith("id}") or "number" in m.group(0)
                  or "year" in m.group(0) else "alpha", path)  # fmt: skip


@pytest.mark.parametrize(("prefix", "existing"), [("/clusters", "port"), ("/initiatives", "tic")])
def test_an_outsider_cannot_tell_an_existing_id_from_an_unknown_one(p, prefix, existing):
    routes = _routes(p.client, prefix)
    assert len(routes) > 5
    for method, path in routes:
        for body in (None, {}):
            answers = []
            for slug in (existing, "nowhere"):
                response = p.client.request(method, _fill(path, slug), headers=p.as_("outsider"),
                                            params={"previous": 2024, "by": "sector"}, json=body)  # fmt: skip
                answers.append((response.status_code, response.text.replace(slug, "ID")))
            assert answers[0] == answers[1], (method, path, body, answers)
            assert answers[0][0] in (404, 422), (method, path, answers[0])
