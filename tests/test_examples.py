import csv
from importlib import resources

import pytest
import yaml

from clusterpath import examples
from clusterpath.schema import Cluster

ESTATE = "industrial-estate"


def _package_text(filename: str) -> str:
    return resources.files("clusterpath.data.examples").joinpath(filename).read_text(encoding="utf-8")


@pytest.mark.parametrize("name", examples.names())
def test_example_loads_and_validates(name):
    cluster = examples.load(name)
    assert isinstance(cluster, Cluster)
    assert cluster.id == name
    # The plain data validates on its own, so an exported YAML file can be read back.
    assert Cluster.model_validate(examples.raw(name)) == cluster


@pytest.mark.parametrize("name", examples.names())
def test_example_is_illustrative(name):
    cluster = examples.load(name)
    assert cluster.illustrative is True
    assert "illustrative" in cluster.description.lower()


@pytest.mark.parametrize("name", examples.names())
def test_member_ids_are_unique(name):
    ids = [m.id for m in examples.load(name).members]
    assert len(ids) == len(set(ids))


def test_registry():
    assert set(examples.names()) == {"port-chemicals", "industrial-estate", "hydrogen-hub", "geothermal-park"}
    assert examples.is_example("port-chemicals")
    assert not examples.is_example("no-such-example")
    with pytest.raises(KeyError):
        examples.raw("no-such-example")
    rows = examples.describe()
    assert [r["name"] for r in rows] == examples.names()
    for row in rows:
        assert row["members"] == len(examples.load(row["name"]).members)
        assert row["title"] and row["kind"] and row["country"] and row["description"]


@pytest.mark.parametrize("name", examples.names())
def test_raw_round_trips_through_yaml(name):
    data = examples.raw(name)
    assert yaml.safe_load(yaml.safe_dump(data, sort_keys=False)) == data


def test_raw_is_a_copy():
    data = examples.raw("port-chemicals")
    data["members"].clear()
    assert examples.raw("port-chemicals")["members"]


def test_estate_has_hundreds_of_tenants():
    cluster = examples.load(ESTATE)
    assert len(cluster.members) >= 300
    assert cluster.members[0].id == "t001"


def test_estate_is_reproducible():
    first = examples.raw(ESTATE)
    assert examples.raw(ESTATE) == first
    assert examples.load(ESTATE) == examples.load(ESTATE)

    # A fresh generation from the packaged header and archetypes gives the same tenants.
    generator = yaml.safe_load(_package_text(f"{ESTATE}.yaml"))["generator"]
    fresh = examples.generate_members(
        examples.read_archetypes(generator["archetypes"]),
        generator["tenants"],
        generator["seed"],
        generator["noise"],
    )
    assert fresh == first["members"]
    assert Cluster.model_validate({**first, "members": fresh}) == examples.load(ESTATE)


def test_estate_header_has_no_members():
    header = yaml.safe_load(_package_text(f"{ESTATE}.yaml"))
    assert "members" not in header
    assert "generator" not in examples.raw(ESTATE)


def test_archetypes_have_a_source_on_every_row():
    rows = list(csv.DictReader(_package_text("industrial-estate-archetypes.csv").splitlines()))
    assert rows
    for row in rows:
        assert row["source"].strip(), f"archetype '{row['archetype']}' has no source"
    assert sum(float(r["share_of_tenants"]) for r in rows) == pytest.approx(1.0)


def test_tenant_counts_follow_the_shares():
    archetypes = [
        {**row, "share_of_tenants": share}
        for row, share in zip(examples.read_archetypes("industrial-estate-archetypes.csv")[:3], ("0.5", "0.3", "0.2"))
    ]
    members = examples.generate_members(archetypes, 10, seed=1)
    labels = [m["name"].split("(")[1].rstrip(")") for m in members]
    counts = [labels.count(a["archetype"].replace("_", " ")) for a in archetypes]
    assert counts == [5, 3, 2]
