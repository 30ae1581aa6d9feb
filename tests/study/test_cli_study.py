"""`clusterpath compare` and `clusterpath sweep` as a user runs them: outputs, files, exit codes."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from helpers.study import SCENARIO, write
from typer.testing import CliRunner

from clusterpath.cli import app

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::linopy.LinopySemanticsWarning")

runner = CliRunner()


@pytest.fixture
def two_scenarios(tiny, tmp_path):
    cluster, cheap, _ = tiny
    dear = write(tmp_path / "dear.yaml", {**SCENARIO, "name": "tiny-dear", "carbon_price": {2025: 300, 2050: 600}})
    return cluster, cheap, dear


@pytest.mark.slow
def test_compare_json_has_every_scenario_in_order(two_scenarios, tmp_path):
    cluster, cheap, dear = two_scenarios
    out = tmp_path / "cmp"
    result = runner.invoke(app, ["compare", cluster, "--scenarios", cheap, dear, "--json", "--out", str(out)])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["cluster"] == "tiny" and report["currency"] == "EUR"
    assert [s["scenario"] for s in report["scenarios"]] == ["tiny-price", "tiny-dear"]
    first, second = report["scenarios"]
    for entry in (first, second):
        assert {"status", "total_cost", "cost_by_kind", "emissions_tco2e", "investments", "periods"} <= set(entry)
        assert "credits" in entry["cost_by_kind"]
        assert entry["total_cost"] == pytest.approx(sum(entry["cost_by_kind"].values()), rel=1e-6)
        assert set(entry["emissions_tco2e"]) == {"2025", "2035", "2050"}
    assert second["total_cost"] > first["total_cost"]
    assert second["emissions_tco2e"]["2025"] < first["emissions_tco2e"]["2025"]
    assert "electric_boiler" in second["investments"]
    for name in ("comparison.json", "costs.csv", "emissions.csv", "investments.csv", "comparison.html"):
        assert (out / name).is_file()
    page = (out / "comparison.html").read_text(encoding="utf-8")
    assert 'src="http' not in page  # no script fetched from a CDN
    assert len(page) > 1_000_000  # plotly.js itself is inside the file
    costs = pd.read_csv(out / "costs.csv", index_col=0)
    assert list(costs.columns) == ["tiny-price", "tiny-dear"]
    assert "credits" not in costs.index  # no scenario earns credits: no row of zeros
    assert costs.loc["total", "tiny-dear"] == pytest.approx(second["total_cost"])


@pytest.mark.slow
def test_compare_reports_an_infeasible_scenario_and_compares_the_rest(tiny, tmp_path):
    cluster, feasible, _ = tiny
    # A cap on scope 1 with no lever that cuts it: the gas boiler's emissions cannot fall.
    stuck = write(tmp_path / "stuck.yaml", {**SCENARIO, "name": "stuck", "target": "cluster_cap", "levers": []})
    out = tmp_path / "cmp"
    result = runner.invoke(app, ["compare", cluster, "--scenarios", f"{stuck},{feasible}", "--json", "--out", str(out)])
    assert result.exit_code == 0, result.output
    first, second = json.loads(result.stdout)["scenarios"]
    assert (first["scenario"], first["status"]) == ("stuck", "infeasible")
    assert "emission cap" in first["message"] and "total_cost" not in first
    assert second["status"] == "optimal"
    assert list(pd.read_csv(out / "costs.csv", index_col=0).columns) == ["tiny-price"]


def test_compare_unknown_scenario_lists_the_known_ones_and_writes_nothing(tiny, tmp_path):
    cluster, scenario, _ = tiny
    out = tmp_path / "cmp"
    result = runner.invoke(app, ["compare", cluster, "--scenarios", scenario, "net-zero-2099", "--out", str(out)])
    assert result.exit_code == 2
    assert "net-zero-2099" in result.stderr and "scope-1-net-zero-2050" in result.stderr and "member-caps-2050" in result.stderr
    assert "Traceback" not in result.output
    assert not out.exists()


def test_compare_needs_scenarios(tiny):
    cluster, *_ = tiny
    result = runner.invoke(app, ["compare", cluster])
    assert result.exit_code == 2 and "--scenarios" in result.output


@pytest.mark.slow
def test_sweep_end_to_end_then_resume(tiny, tmp_path):
    cluster, _, sweep = tiny
    path = sweep({"parameters": {"carbon_price": {"values": [0.2, 3.0]}, "capex": {"values": [1.0]}}})
    out = tmp_path / "sw"
    args = ["sweep", cluster, path, "--out", str(out), "--workers", "1", "--json"]
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    summary = json.loads(first.stdout)
    # A capex factor of 1 changes nothing: with it the grid points are the carbon price's tornado cases,
    # and its own tornado cases are the base case. Two grid cases and the base case.
    assert summary["samples"] == 2 and summary["cases"] == 3
    assert summary["computed"] == 3 and summary["reused"] == 0
    results = pd.read_parquet(out / "results.parquet")
    assert {"key", "roles", "status", "total_cost", "emissions_target", "param:carbon_price"} <= set(results.columns)
    assert len(results) == summary["cases"]
    assert (results["status"] == "optimal").all()
    for name in ("fan.html", "tornado.html", "tornado.csv", "sweep.json"):
        assert (out / name).is_file()
    tornado = pd.read_csv(out / "tornado.csv").set_index("parameter")
    assert tornado.loc["carbon_price", "cost_high"] > tornado.loc["carbon_price", "cost_base"] > tornado.loc[
        "carbon_price", "cost_low"]
    assert tornado.loc["capex", "swing"] == 0

    again = runner.invoke(app, args)
    assert again.exit_code == 0, again.output
    resumed = json.loads(again.stdout)
    assert resumed["computed"] == 0 and resumed["reused"] == summary["cases"] and resumed["workers"] == 0


SWEEP_ERRORS = [
    ({"parameters": {"carbon_prise": {"values": [1]}}}, "unknown parameter(s) carbon_prise"),
    ({"parameters": {"carbon_price": {"values": []}}}, "no cases"),
    ({"method": "random", "samples": 0, "parameters": {"capex": {"low": 0.5, "high": 1.5}}}, "no cases"),
    ({"parameters": {"capex.heat_pump": {"values": [-1]}}}, "not a factor of 0 or more"),
    ({"parameters": {"discount_rate": {"values": [1.0]}}}, "not a rate from 0 to below 1"),
    ({"parameters": {"carbon_price": {"trajectories": [{2020: 5, 2050: 90}]}}}, "outside the scenario's horizon"),
]


@pytest.mark.parametrize(("spec", "message"), SWEEP_ERRORS)
def test_sweep_bad_input_exits_2_and_writes_nothing(tiny, tmp_path, spec, message):
    cluster, _, sweep = tiny
    out = tmp_path / "sw"
    result = runner.invoke(app, ["sweep", cluster, sweep(spec), "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert message in result.stderr.replace("\n", " ")
    assert "Traceback" not in result.output
    assert not out.exists()


def test_sweep_missing_file_exits_2(tiny, tmp_path):
    cluster, *_ = tiny
    result = runner.invoke(app, ["sweep", cluster, str(tmp_path / "nope.yaml"), "--out", str(tmp_path / "sw")])
    assert result.exit_code == 2 and "no such sweep file" in result.stderr
    assert not (tmp_path / "sw").exists()


@pytest.mark.slow
def test_a_killed_sweep_resumes_where_it_stopped(tiny, tmp_path):
    """Ctrl-C reaches the whole process group; the run stops cleanly and the next one solves only the rest."""
    import os
    import signal
    import subprocess
    import sys
    import time
    from pathlib import Path

    cluster, _, sweep = tiny
    path = sweep({"method": "random", "samples": 12, "tornado": False,
                  "parameters": {"carbon_price": {"low": 0.1, "high": 4.0}}})  # fmt: skip
    out = tmp_path / "sw"
    src = Path(__file__).resolve().parents[2] / "src"
    command = [sys.executable, "-m", "clusterpath", "sweep", cluster, path, "--out", str(out), "--workers", "1"]
    env = dict(os.environ, PYTHONPATH=str(src))
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               start_new_session=True)  # fmt: skip
    cases = out / "cases"
    deadline = time.monotonic() + 300  # a guard against hanging, not a measurement
    while len(list(cases.glob("*.parquet"))) < 2 and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.2)
    os.killpg(process.pid, signal.SIGINT)
    _, stderr = process.communicate(timeout=120)
    kept = {p.stem for p in cases.glob("*.parquet")}
    if process.returncode == 0:
        pytest.skip("the sweep finished before it could be interrupted")
    assert process.returncode == 130, stderr
    assert "run the same command again" in " ".join(stderr.split()) and "Traceback" not in stderr
    assert 2 <= len(kept) < 12 and not list(cases.glob(".*"))

    again = subprocess.run([*command, "--json"], env=env, capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr
    summary = json.loads(again.stdout)
    assert summary["reused"] == len(kept) and summary["computed"] == 12 - len(kept)
    assert kept < {p.stem for p in cases.glob("*.parquet")}
