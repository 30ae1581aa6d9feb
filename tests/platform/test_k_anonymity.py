"""Aggregates over the HTTP API: hidden with two members' data, shown once a third member's data arrive."""

from __future__ import annotations

from helpers.platform import build


def test_aggregate_hidden_with_two_members_and_shown_with_three(client):
    p = build(client, uploads=("alpha", "beta"))
    two = client.get(p.url("/aggregates/emissions?by=carrier"), headers=p.as_("alpha")).json()
    assert two["totals"] is None and two["rows"] == [] and two["withheld_rows"] == 2
    everything = client.get(p.url("/aggregates/emissions?by=carrier"), headers=p.as_("coordinator")).json()
    assert everything["totals"]["total_tco2e"] > 0 and len(everything["rows"]) == 2
    assert p.upload("gamma").status_code == 201
    three = client.get(p.url("/aggregates/emissions?by=carrier"), headers=p.as_("alpha")).json()
    assert three["totals"]["total_tco2e"] > everything["totals"]["total_tco2e"] and three["members_with_data"] == 3
    assert {row["carrier"] for row in three["rows"]} == {"electricity", "natural_gas"}
    # By sector, chemicals (two members) and food (one) stay below k = 3.
    sectors = client.get(p.url("/aggregates/emissions?by=sector"), headers=p.as_("observer")).json()
    assert sectors["rows"] == [] and sectors["withheld_rows"] == 2 and sectors["totals"] is not None


def test_k_is_set_per_cluster(client):
    p = build(client, k=4)
    shown = client.get(p.url("/aggregates/emissions?by=carrier"), headers=p.as_("observer")).json()
    assert shown["k"] == 4 and shown["totals"] is None
    client.patch(p.url(), json={"k": 3}, headers=p.as_("coordinator"))
    assert client.get(p.url("/aggregates/emissions"), headers=p.as_("observer")).json()["totals"] is not None


def test_no_data_yet_is_a_clear_409(client):
    p = build(client, uploads=())
    response = client.get(p.url("/aggregates/emissions"), headers=p.as_("observer"))
    assert response.status_code == 409 and "coordinator" in response.json()["detail"]
    response = client.get(p.url("/aggregates/emissions"), headers=p.as_("coordinator"))
    assert response.status_code == 409 and "no member company has uploaded" in response.json()["detail"]
