"""`clusterpath plan` and `clusterpath scenarios` as a user runs them: files written, clear errors, exit codes."""

from __future__ import annotations

import copy
import json
import subprocess
import sys

import pytest
import yaml
from typer.testing import CliRunner

from helpers.study import CLUSTER  # one member, electricity and steam

from clusterpath.cli import app

pytestmark = pytest.mark.filterwarnings("ignore::linopy.LinopySemanticsWarning")

runner = CliRunner()

SCENARIO = {"name": "small", "periods": [2025, 2035], "target_year": 2040, "typical_days": 1,
            "levers": ["heat_pump", "electric_boiler"], "economies_of_scale": False}  # fmt: skip


def write(path, data) -> str:
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return str(path)


@pytest.fixture
def files(tmp_path):
    return write(tmp_path / "cluster.yaml", CLUSTER), write(tmp_path / "scenario.yaml", SCENARIO)


def test_scenarios_lists_the_shipped_ones():
    result = runner.invoke(app, ["scenarios"])
    assert result.exit_code == 0, result.output
    for name in ("scope-1-net-zero-2050", "scope-1-net-zero-2040", "member-caps-2050", "scope-1-and-2-2050"):
        assert name in result.output


def test_scenarios_json():
    result = runner.invoke(app, ["scenarios", "--json"])
    assert result.exit_code == 0, result.output
    listing = {item["name"]: item for item in json.loads(result.output)}
    assert listing["scope-1-net-zero-2040"]["target_year"] == 2040
    assert listing["member-caps-2050"]["target"] == "member_caps"
    assert listing["scope-1-and-2-2050"]["cap_scopes"] == [1, 2]
    assert {"name", "description", "target", "target_year", "cap_scopes"} <= set(listing["scope-1-net-zero-2050"])


def test_no_shipped_scenario_called_net_zero_caps_scope_1_alone():
    """A shipped scenario named net zero without its scope says so in its name; the old names still load."""
    from clusterpath.io import load_scenario, scenario_names

    for name in scenario_names():
        chosen = load_scenario(name)
        assert chosen.name == name
        assert not (name.startswith("net-zero") and chosen.cap_scopes != [1, 2]), name
    assert load_scenario("net-zero-2050").name == "scope-1-net-zero-2050"
    assert load_scenario("net-zero-2040").target_year == 2040


def test_plan_writes_json_netcdf_and_csv(tmp_path, files):
    import xarray as xr

    cluster, scenario = files
    summary, out = tmp_path / "res" / "summary.json", tmp_path / "out"
    result = runner.invoke(app, ["plan", cluster, "--scenario", scenario, "--typical-days", "1",
                                 "--json", str(summary), "--out", str(out)])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Tiny cluster" in result.output and "optimal" in result.output
    assert "Net present cost" in result.output and "Emissions" in result.output
    payload = json.loads(summary.read_text())
    assert payload["status"] == "optimal" and payload["periods"] == [2025, 2035]
    assert payload["objective"] == pytest.approx(sum(payload["cost_breakdown"].values()), rel=1e-9)
    with xr.open_dataset(out / "pathway.nc") as data:
        assert {"capacity", "energy", "emissions"} <= set(data.data_vars)
        assert list(data["period"].values) == [2025, 2035]
        assert data.attrs["currency"] == "EUR"
    for table in ("capacity", "energy", "emissions", "member_emissions", "levers", "costs"):
        assert (out / f"{table}.csv").stat().st_size > 0, table
    assert not list(tmp_path.rglob("*.tmp"))


def test_plan_overrides_target_year_and_typical_days(tmp_path, files):
    cluster, scenario = files
    summary = tmp_path / "s.json"
    result = runner.invoke(app, ["plan", cluster, "--scenario", scenario, "--target-year", "2035",
                                 "--typical-days", "2", "--json", str(summary)])  # fmt: skip
    assert result.exit_code == 0, result.output
    # Net zero in 2035 now: scope 1 is gone in the last period.
    assert json.loads(summary.read_text())["emissions_by_scope_tco2e"]["scope1"]["2035"] == pytest.approx(0, abs=1e-3)


def _bad(tmp_path, cluster_data, scenario_arg, *extra):
    cluster = write(tmp_path / "cluster.yaml", cluster_data)
    out, summary = tmp_path / "out", tmp_path / "summary.json"
    result = runner.invoke(app, ["plan", cluster, "--scenario", scenario_arg, "--typical-days", "1",
                                 "--json", str(summary), "--out", str(out), *extra])  # fmt: skip
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and "error" in result.output
    assert not out.exists() and not summary.exists(), "nothing is written when the input is wrong"
    return " ".join(result.output.split())  # rich wraps long lines


@pytest.mark.parametrize("change, expected", [
    ({"colour": "blue"}, "colour (line 11): is not a known field"),
    ({"periods": [2035, 2025]}, "periods must be increasing"),
    ({"periods": [2025, 2025]}, "periods must be increasing"),
    ({"target_year": 2020}, "target_year 2020 is before the first period 2025"),
    ({"levers": ["heat_pump", "fusion"]}, "unknown lever(s) fusion"),
    ({"fuel_prices": {"natural_gas": {2025: -5}}}, "non-negative price"),
    ({"carbon_price": {2025: -1}}, "non-negative price"),
    ({"target": "carbon_price_only"}, "needs a carbon_price"),
    ({"max_build_per_year": {"warp_drive": 10}}, "unknown lever(s) warp_drive"),
    ({"target": "zero"}, "'zero' is not allowed"),
])  # fmt: skip
def test_bad_scenario_file_exits_2_with_a_clear_message(tmp_path, change, expected):
    scenario = write(tmp_path / "scenario.yaml", {**SCENARIO, **change})
    output = _bad(tmp_path, CLUSTER, scenario)
    assert "scenario.yaml" in output
    assert expected in output


def test_unknown_scenario_name_exits_2(tmp_path):
    output = _bad(tmp_path, CLUSTER, "net-zero-2099")
    assert "no such file, and not a scenario name" in output and "scope-1-net-zero-2050" in output


def test_scenario_as_a_workbook_exits_2(tmp_path):
    workbook = tmp_path / "scenario.xlsx"
    workbook.write_bytes(b"PK\x03\x04 not really a workbook")
    output = _bad(tmp_path, CLUSTER, str(workbook))
    assert "a scenario is a YAML or JSON file, not a workbook" in output


def test_missing_electricity_price_exits_2(tmp_path):
    data = copy.deepcopy(CLUSTER)
    del data["grid"]["electricity_price"]
    scenario = write(tmp_path / "scenario.yaml", SCENARIO)
    output = _bad(tmp_path, data, scenario)
    assert "grid.electricity_price" in output


def test_renewable_without_full_load_hours_exits_2(tmp_path):
    data = copy.deepcopy(CLUSTER)
    data["resources"] = {"renewables": [{"type": "solar_pv", "potential": "20 MW"}]}
    scenario = write(tmp_path / "scenario.yaml", {**SCENARIO, "levers": ["heat_pump", "solar_pv"]})
    output = _bad(tmp_path, data, scenario)
    assert "full_load_hours" in output and "solar_pv" in output


def test_buying_hydrogen_without_the_hydrogen_network_exits_2(tmp_path):
    data = copy.deepcopy(CLUSTER)
    data["members"][0]["demands"].append({"service": "hydrogen_feedstock", "carrier": "hydrogen",
                                          "final_energy": "1000 MWh"})  # fmt: skip
    scenario = write(tmp_path / "scenario.yaml", SCENARIO)
    output = _bad(tmp_path, data, scenario)
    assert "hydrogen_network" in output


@pytest.mark.parametrize("days", ["0", "366", "2.5", "twelve", "-1", ""])
def test_bad_typical_days_option_exits_2(tmp_path, files, days):
    cluster, scenario = files
    result = runner.invoke(app, ["plan", cluster, "--scenario", scenario, "--typical-days", days])
    assert result.exit_code == 2
    output = " ".join(result.output.replace("│", " ").split())  # rich boxes and wraps the message
    assert "Traceback" not in output and "--typical-days" in output
    assert "give a whole number from 1 to 365" in output and "'full'" in output


def test_typical_days_option_takes_the_full_year_by_name():
    from clusterpath.cli import _typical_days

    assert _typical_days("full") == _typical_days("Full-Year") == _typical_days("365") == 365
    assert _typical_days(" 12") == 12


def test_plan_says_its_representation_error_is_not_measured_for_an_unmeasured_cluster(tmp_path, files):
    cluster, scenario = files
    summary = tmp_path / "s.json"
    result = runner.invoke(app, ["plan", cluster, "--scenario", scenario, "--typical-days", "1",
                                 "--json", str(summary)])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "representation error vs full year: not measured for this cluster at 1 typical days" in (
        " ".join(result.output.split()))
    assert json.loads(summary.read_text())["representation_error"] == {"measured": False, "typical_days": 1, "segments": 24}


def test_infeasible_target_exits_3_and_explains(tmp_path, files):
    cluster, _ = files
    scenario = write(tmp_path / "nz.yaml", {**SCENARIO, "levers": [], "periods": [2025], "target_year": 2025})
    out, summary = tmp_path / "out", tmp_path / "summary.json"
    result = runner.invoke(app, ["plan", cluster, "--scenario", scenario, "--json", str(summary), "--out", str(out)])
    assert result.exit_code == 3, result.output
    output = " ".join(result.output.split())
    assert "infeasible" in output and "tiny under 'small'" in output
    assert "short by" in output
    assert "Traceback" not in output
    assert not out.exists() and not summary.exists()


@pytest.mark.slow
def test_plan_from_a_real_process(tmp_path, files):
    cluster, scenario = files
    summary = tmp_path / "summary.json"
    command = [sys.executable, "-m", "clusterpath", "plan", cluster, "--scenario", scenario, "--typical-days", "1",
               "--json", str(summary), "--out", str(tmp_path / "out")]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 0, result.stderr
    assert "Net present cost" in result.stdout
    assert json.loads(summary.read_text())["status"] == "optimal"
    assert (tmp_path / "out" / "pathway.nc").stat().st_size > 0
    # An infeasible target from a real process: exit 3, an explanation, no traceback.
    nz = write(tmp_path / "nz.yaml", {**SCENARIO, "levers": [], "periods": [2025], "target_year": 2025})
    result = subprocess.run([sys.executable, "-m", "clusterpath", "plan", cluster, "--scenario", nz],
                            capture_output=True, text=True, timeout=600, check=False)  # fmt: skip
    assert result.returncode == 3, result.stderr
    assert "infeasible" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize(("sold", "noted"), [({}, True), ({"sold": True, "sale_price": 60}, False)])
def test_a_power_plant_whose_output_is_its_own_demand_gets_a_note(tmp_path, sold, noted):
    data = copy.deepcopy(CLUSTER)
    data["members"].append({"id": "ccgt", "name": "CCGT", "sector": "power", "value_added": 1e6, "jobs": 5,
                            "demands": [{"service": "electricity", "carrier": "natural_gas", "equipment": "other",
                                         "efficiency": 0.5, "final_energy": "1000 MWh", **sold}]})  # fmt: skip
    scenario = {**SCENARIO, "target": "carbon_price_only", "carbon_price": {2025: 50}}
    result = runner.invoke(app, ["plan", write(tmp_path / "c.yaml", data), "--scenario",
                                 write(tmp_path / "s.yaml", scenario)])  # fmt: skip
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert ("member 'ccgt' (sector power) makes electricity from natural_gas as its own demand" in text) is noted
    assert ("'sold: true' with a 'sale_price'" in text) is noted


def test_plan_takes_segmented_days(tmp_path, files):
    cluster, scenario = files
    summary = tmp_path / "s.json"
    result = runner.invoke(app, ["plan", cluster, "--scenario", scenario, "--segments", "6", "--json", str(summary)])
    assert result.exit_code == 0, result.output
    error = json.loads(summary.read_text())["representation_error"]
    assert error == {"measured": False, "typical_days": 1, "segments": 6}
    assert "not measured for this cluster at 1 typical days x 6 segments" in " ".join(result.output.split())


@pytest.mark.parametrize("segments", ["0", "25", "six"])
def test_bad_segments_option_exits_2(tmp_path, files, segments):
    cluster, scenario = files
    result = runner.invoke(app, ["plan", cluster, "--scenario", scenario, "--segments", segments])
    assert result.exit_code == 2
    assert "Traceback" not in result.output and "--segments" in result.output
