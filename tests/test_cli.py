"""The command line as a user runs it: help everywhere, examples by name, the demo path end to end."""

import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from clusterpath.cli import app

runner = CliRunner()
COMMANDS = ["inventory", "validate", "template", "examples", "version"]


@pytest.mark.parametrize("command", [[], *([c] for c in COMMANDS)])
def test_help_on_every_command(command):
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage" in result.output


def test_examples_json_lists_the_four():
    result = runner.invoke(app, ["examples", "--json"])
    names = {e["name"] for e in json.loads(result.output)}
    assert {"port-chemicals", "industrial-estate", "hydrogen-hub", "geothermal-park"} <= names


@pytest.mark.parametrize("name", ["port-chemicals", "industrial-estate", "hydrogen-hub", "geothermal-park"])
def test_inventory_of_each_example_as_json(name):
    result = runner.invoke(app, ["inventory", name, "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["cluster"]["id"]
    assert payload["total_tco2e"] == pytest.approx(sum(m["total_tco2e"] for m in payload["members"]))
    assert {"id", "scope1_tco2e", "scope2_tco2e", "total_tco2e"} <= set(payload["members"][0])


def test_export_and_reload_an_example(tmp_path):
    for suffix in (".yaml", ".json", ".xlsx"):
        path = tmp_path / f"hub{suffix}"
        assert runner.invoke(app, ["examples", "--export", "hydrogen-hub", str(path)]).exit_code == 0
        exported = json.loads(runner.invoke(app, ["inventory", str(path), "--json"]).output)
        original = json.loads(runner.invoke(app, ["inventory", "hydrogen-hub", "--json"]).output)
        assert exported["total_tco2e"] == pytest.approx(original["total_tco2e"], rel=1e-12)


def test_validate(tmp_path):
    result = runner.invoke(app, ["validate", "geothermal-park"])
    assert result.exit_code == 0 and "OK" in result.output


def test_template_needs_xlsx_name(tmp_path):
    result = runner.invoke(app, ["template", str(tmp_path / "t.txt")])
    assert result.exit_code == 2 and "ending in .xlsx" in result.output
    assert not (tmp_path / "t.txt").exists()


@pytest.mark.slow
def test_demo_path_end_to_end(tmp_path):
    """What `make demo` runs, through the installed module entry point in a fresh process."""
    out = tmp_path / "out"
    command = [sys.executable, "-m", "clusterpath", "inventory", "port-chemicals",
               "--csv", str(out / "inventory"), "--json-out", str(out / "inventory.json")]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr
    assert "Total scope 1 + 2" in result.stdout
    payload = json.loads((out / "inventory.json").read_text())
    assert payload["cluster"]["id"] == "port-chemicals"
    for table in ("members", "sectors", "carriers", "emission_lines", "summary"):
        assert (out / "inventory" / f"{table}.csv").stat().st_size > 0


def test_user_error_exit_code_from_a_real_process(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: [\n")
    result = subprocess.run([sys.executable, "-m", "clusterpath", "inventory", str(bad)],
                            capture_output=True, text=True, timeout=300, check=False)  # fmt: skip
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and "is not valid YAML" in result.stderr
