"""A newcomer's first day (issue 18, item 1): a scenario to start from, and `validate` catching what `plan` needs.

The fixture is the issue's six-company Danish park (brewery, dairy, paper mill, glass plant, cold store, plastics
moulder), entered in the workbook `clusterpath template` writes. Its paper mill burns wood, which has no reference
price, and its PV potential has no full-load hours: the cluster file is valid, yet `plan` cannot run.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from helpers.study import CLUSTER, write

from clusterpath.cli import app

pytestmark = pytest.mark.filterwarnings("ignore::linopy.LinopySemanticsWarning")

runner = CliRunner()
PARK = Path(__file__).parent / "data" / "danish-park.yaml"


@pytest.fixture(scope="module")
def workbook(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("park") / "park.xlsx"
    result = runner.invoke(app, ["template", str(path), "--from", str(PARK)])
    assert result.exit_code == 0, result.output
    return str(path)


def _row_of(workbook: str, sheet: str, **cells) -> int:
    """The workbook row holding these cells (found by reading the sheet, not assumed)."""
    from openpyxl import load_workbook

    rows = list(load_workbook(workbook, read_only=True)[sheet].iter_rows(values_only=True))
    headers = list(rows[0])
    for number, row in enumerate(rows[1:], start=2):
        if all(row[headers.index(k)] == v for k, v in cells.items()):
            return number
    raise AssertionError(f"no row {cells} in sheet {sheet}")


def test_validate_finds_the_missing_biomass_price_and_names_the_demand_row(workbook):
    result = runner.invoke(app, ["validate", workbook])
    assert result.exit_code == 2, result.output
    row = _row_of(workbook, "demands", member_id="paper-mill", carrier="wood")
    assert f"sheet 'demands', row {row}" in result.output
    assert "paper-mill" in result.output
    assert "add `fuel_prices: {biomass: {2025: 30, 2050: 30}}`" in result.output
    assert "clusterpath scenarios --export scope-1-net-zero-2050" in result.output  # how to get a scenario to edit


def test_validate_names_sheet_row_and_column_of_missing_full_load_hours(workbook, tmp_path):
    scenario = write(tmp_path / "priced.yaml", {"name": "priced", "fuel_prices": {"biomass": {2025: 30}}})
    result = runner.invoke(app, ["validate", workbook, "--scenario", scenario])
    assert result.exit_code == 2, result.output
    row = _row_of(workbook, "renewables", type="solar_pv")
    assert f"sheet 'renewables', row {row}, column 'full_load_hours'" in result.output
    assert f"remove `solar_pv` from `levers` in the scenario {scenario}" in result.output
    assert "Traceback" not in result.output


def test_plan_gives_the_same_placed_message_as_validate(workbook, tmp_path):
    scenario = write(tmp_path / "priced.yaml", {"name": "priced", "typical_days": 1,
                                                "fuel_prices": {"biomass": {2025: 30}}})  # fmt: skip
    checked = runner.invoke(app, ["validate", workbook, "--scenario", scenario])
    planned = runner.invoke(app, ["plan", workbook, "--scenario", scenario])
    assert planned.exit_code == checked.exit_code == 2
    assert "column 'full_load_hours'" in planned.output
    assert planned.output.strip().splitlines()[-1] == checked.output.strip().splitlines()[-1]


def _park_with_full_load_hours(tmp_path) -> str:
    park = yaml.safe_load(PARK.read_text())
    park["resources"]["renewables"][0]["full_load_hours"] = 1000
    return write(tmp_path / "park.yaml", park)


@pytest.mark.parametrize(("levers", "named"), [
    # Every lever (the default): the hub's air capture and reformers with capture are left out without a storage
    # site (the plan's notes say so); capture on the members' own stacks is not.
    (None, "remove `carbon_capture` from `levers`"),
    # Asked for by name: each lever that needs a storage site is named.
    (["carbon_capture", "co2_network", "smr_ccs", "hydrogen_network", "direct_air_capture", "biomass"],
     "remove `carbon_capture`, `smr_ccs` and `direct_air_capture` from `levers`"),
])  # fmt: skip
def test_capture_without_storage_says_which_levers_to_remove(tmp_path, levers, named):
    scenario = {"name": "priced", "fuel_prices": {"biomass": {2025: 30}}} | ({"levers": levers} if levers else {})
    result = runner.invoke(app, ["validate", _park_with_full_load_hours(tmp_path), "--scenario",
                                 write(tmp_path / "priced.yaml", scenario)])  # fmt: skip
    assert result.exit_code == 2, result.output
    assert "add one under resources.co2_storage" in result.output
    assert named in " ".join(result.output.split())


def test_validate_says_ready_when_plan_has_everything(tmp_path):
    """The fixes the messages above ask for, made: then `validate` passes."""
    from clusterpath.schema.vocabulary import LEVERS

    levers = [lever for lever in LEVERS if lever not in ("carbon_capture", "smr_ccs", "direct_air_capture")]
    scenario = write(tmp_path / "priced.yaml", {"name": "priced", "fuel_prices": {"biomass": {2025: 30}},
                                                "levers": levers})  # fmt: skip
    result = runner.invoke(app, ["validate", _park_with_full_load_hours(tmp_path), "--scenario", scenario])
    assert result.exit_code == 0, result.output
    assert "ready to plan under 'priced'" in " ".join(result.output.split())


def test_missing_electricity_price_says_which_field_to_add(tmp_path):
    data = json.loads(json.dumps(CLUSTER))
    del data["grid"]["electricity_price"]
    result = runner.invoke(app, ["validate", write(tmp_path / "tiny.yaml", data)])
    assert result.exit_code == 2, result.output
    assert "give grid.electricity_price" in result.output and "add `electricity_price:" in result.output


# -- scenarios --export ------------------------------------------------------------------------------------------
def test_export_writes_the_shipped_scenario_as_shipped(tmp_path):
    path = tmp_path / "mine.yaml"
    result = runner.invoke(app, ["scenarios", "--export", "eu-ets-2050", str(path)])
    assert result.exit_code == 0, result.output
    shipped = resources.files("clusterpath.data").joinpath("scenarios", "eu-ets-2050.yaml").read_text("utf-8")
    assert path.read_text(encoding="utf-8") == shipped  # comments kept: they explain the choices


def test_an_exported_scenario_plans_as_the_shipped_name(tmp_path):
    # The shipped scenario offers air capture, whose CO2 needs a storage site.
    site = {"id": "north-sea", "name": "North Sea aquifer", "setting": "offshore", "distance": "100 km", "injection_capacity": "1 Mt",
            "storage_capacity": "20 Mt"}  # fmt: skip
    cluster = write(tmp_path / "tiny.yaml", {**CLUSTER, "resources": {"co2_storage": [site]}})
    exported = tmp_path / "mine.yaml"
    assert runner.invoke(app, ["scenarios", "--export", "net-zero-2050", str(exported)]).exit_code == 0
    plans = []
    for scenario in ("net-zero-2050", str(exported)):
        summary = tmp_path / f"{len(plans)}.json"
        result = runner.invoke(app, ["plan", cluster, "--scenario", scenario, "--typical-days", "1",
                                     "--json", str(summary)])  # fmt: skip
        assert result.exit_code == 0, result.output
        plans.append(json.loads(summary.read_text()))
    assert plans[0]["objective"] == pytest.approx(plans[1]["objective"], rel=1e-9)
    assert plans[0]["emissions_tco2e"] == plans[1]["emissions_tco2e"]


@pytest.mark.parametrize(("name", "file", "expected"), [
    ("net-zero-2051", "x.yaml", "not a shipped scenario"),
    ("net-zero-2050", "x.xlsx", "ending in .yaml"),
])  # fmt: skip
def test_export_refuses_unknown_names_and_other_formats(tmp_path, name, file, expected):
    result = runner.invoke(app, ["scenarios", "--export", name, str(tmp_path / file)])
    assert result.exit_code == 2 and expected in result.output
    assert not (tmp_path / file).exists()


# -- docs/scenarios.md --------------------------------------------------------------------------------------------
DOC = Path(__file__).parents[1] / "docs" / "scenarios.md"


def test_the_scenario_doc_lists_every_field_as_the_model_has_it():
    from clusterpath.schema.scenario import Scenario
    from clusterpath.schema.scenario_doc import table

    text = DOC.read_text(encoding="utf-8")
    assert table() in text, "docs/scenarios.md is stale: run `python -m clusterpath.schema.scenario_doc docs/scenarios.md`"
    for name, field in Scenario.model_fields.items():
        assert f"| `{name}` |" in text
        assert field.description, f"Scenario.{name} has no description for the doc"


def test_the_complete_example_sets_every_field_and_validates():
    from clusterpath.schema.scenario import Scenario

    text = DOC.read_text(encoding="utf-8")
    block = text.split("```yaml\n", 1)[1].split("```", 1)[0]
    data = yaml.safe_load(block)
    assert set(data) == set(Scenario.model_fields)
    Scenario.model_validate(data)
