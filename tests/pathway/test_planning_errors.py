"""What the builder says is missing, as data (pathway/errors.py), and the levers that need a CO2 storage site."""

from __future__ import annotations

import copy
import json

import pytest
from typer.testing import CliRunner

from clusterpath.cli import app
from clusterpath.io import load_cluster, readiness
from clusterpath.pathway.build import NetworkBuilder
from clusterpath.pathway.errors import PlanningError
from clusterpath.schema.scenario import Scenario
from helpers.study import CLUSTER, write

pytestmark = pytest.mark.filterwarnings("ignore::linopy.LinopySemanticsWarning")

runner = CliRunner()
BASE = {"name": "s", "periods": [2025, 2030], "typical_days": 1, "economies_of_scale": False}


def problem(tmp_path, cluster=None, **scenario) -> PlanningError:
    path = write(tmp_path / "cluster.yaml", cluster or CLUSTER)
    with pytest.raises(PlanningError) as caught:
        NetworkBuilder(load_cluster(path), Scenario.model_validate({**BASE, **scenario})).build()
    return caught.value


def test_storage_names_every_lever_that_needs_it(tmp_path):
    # Air capture alone: the message named carbon_capture and smr_ccs, neither of which the scenario offers.
    error = problem(tmp_path, levers=["direct_air_capture", "co2_network"])
    assert "remove 'direct_air_capture' from the scenario's levers" in str(error)
    assert (error.missing, error.file, error.field) == ("co2_storage", "cluster", ("resources", "co2_storage"))
    assert error.names == {"levers": ["direct_air_capture"]}
    both = problem(tmp_path, levers=["smr_ccs", "hydrogen_network", "direct_air_capture", "co2_network"])
    assert both.names["levers"] == ["smr_ccs", "direct_air_capture"]
    assert "remove 'smr_ccs' and 'direct_air_capture'" in str(both)


def test_fields_of_the_other_missing_inputs(tmp_path):
    data = copy.deepcopy(CLUSTER)
    del data["grid"]["electricity_price"]
    error = problem(tmp_path, data, levers=["electric_boiler"])
    assert (error.missing, error.file, error.field) == ("electricity_price", "cluster", ("grid", "electricity_price"))
    data = copy.deepcopy(CLUSTER)
    data["members"][0]["demands"][1]["carrier"] = "wood"
    error = problem(tmp_path, data, levers=["electric_boiler"])
    assert (error.missing, error.file, error.field) == ("fuel_price", "scenario", ("fuel_prices", "biomass"))
    assert error.names == {"market": "biomass", "fuel": "wood"}
    data = copy.deepcopy(CLUSTER)
    data["resources"] = {"renewables": [{"type": "onshore_wind", "potential": "10 MW"},
                                        {"type": "solar_pv", "potential": "5 MW"}]}  # fmt: skip
    error = problem(tmp_path, data, levers=["solar_pv"])
    assert (error.missing, error.field) == ("full_load_hours", ("resources", "renewables", 1, "full_load_hours"))
    data = copy.deepcopy(CLUSTER) | {"country": "US"}  # no shipped biomass potential to share
    error = problem(tmp_path, data, levers=["biomass"], biomass_supply={"price": {2025: 30}})
    assert (error.missing, error.file, error.field) == ("biomass_limit", "scenario", ("biomass_supply", "limit"))


def test_readiness_places_the_error_by_its_fields_not_its_words(tmp_path):
    # Any wording: the fields say what is missing and where, so the fix is placed all the same.
    cluster = load_cluster(write(tmp_path / "cluster.yaml", CLUSTER))
    error = PlanningError("no price for the grid", missing="electricity_price", file="cluster",
                          field=("grid", "electricity_price"))  # fmt: skip
    placed = readiness.explain(error, cluster, Scenario.model_validate(BASE), str(tmp_path / "cluster.yaml"), "s")
    assert placed.problems[0].startswith("grid.electricity_price (line ")
    assert "give grid.electricity_price" in placed.problems[0]
    # An error without fields passes unchanged.
    plain = readiness.explain(PlanningError("something else"), cluster, Scenario.model_validate(BASE), "c.yaml", "s")
    assert plain.problems == ["something else"]


def test_every_lever_by_default_leaves_out_the_hub_levers_that_need_storage(tmp_path):
    # The tiny cluster's boiler emits too little for point-source capture; air capture and reformers with capture
    # on the hub needed a storage site, so under the default (every lever) its plan failed for want of one.
    network = NetworkBuilder(load_cluster(write(tmp_path / "c.yaml", CLUSTER)), Scenario.model_validate(BASE)).build()
    assert not {"direct_air_capture", "smr_ccs"} & set(network.units["lever"])
    note = network.meta["notes"]["co2_storage"]
    assert note.startswith("smr_ccs and direct_air_capture not offered: the cluster has no CO2 storage site")
    cluster, out = write(tmp_path / "c.yaml", CLUSTER), tmp_path / "plan.json"
    scenario = write(tmp_path / "s.yaml", {**BASE, "target": "carbon_price_only", "carbon_price": {2025: 50}})
    result = runner.invoke(app, ["plan", cluster, "--scenario", scenario, "--json", str(out)])
    assert result.exit_code == 0, result.output
    assert f"note: {note}" in " ".join(result.output.split())
    assert json.loads(out.read_text())["notes"] == [note]
