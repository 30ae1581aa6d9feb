"""`clusterpath report` as a user runs it: three files written, results reused, mistakes exit 2 writing nothing."""

from __future__ import annotations

import json

import pytest
import yaml
from openpyxl import load_workbook
from typer.testing import CliRunner

from report.conftest import CLUSTER, SCENARIO

from clusterpath.cli import app

pytestmark = pytest.mark.filterwarnings("ignore::linopy.LinopySemanticsWarning")
runner = CliRunner()


def write(path, data) -> str:
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return str(path)


@pytest.fixture
def files(tmp_path):
    return write(tmp_path / "cluster.yaml", CLUSTER), write(tmp_path / "scenario.yaml", SCENARIO)


@pytest.fixture
def computed(tmp_path, solved):
    """A folder laid out as `make demo` leaves it: pathway.json, pathway/pathway.nc, allocation.json."""
    folder = tmp_path / "results"
    (folder / "pathway").mkdir(parents=True)
    (folder / "pathway.json").write_text(json.dumps(solved.summary, default=str))
    (folder / "allocation.json").write_text(json.dumps(solved.allocation))
    solved.result.to_netcdf(folder / "pathway" / "pathway.nc")
    return folder


def test_report_solves_and_writes_three_files(tmp_path, files):
    cluster, scenario = files
    out = tmp_path / "report"
    result = runner.invoke(app, ["report", cluster, "--scenario", scenario, "--allocation", "none", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["report.html", "report.pdf", "report.xlsx"]
    assert result.output.count("Written:") == 3
    assert "allocation" not in load_workbook(out / "report.xlsx").sheetnames


def test_report_reuses_computed_results(tmp_path, files, computed, solved):
    cluster, scenario = files
    out = tmp_path / "report"
    result = runner.invoke(app, ["report", cluster, "--scenario", scenario, "--from", str(computed), "--out", str(out)])
    assert result.exit_code == 0, result.output
    book = load_workbook(out / "report.xlsx")
    shares = {row[0]: row[1] for row in book["allocation"].iter_rows(min_row=2, values_only=True)}
    assert shares == pytest.approx({m: v / 1e6 for m, v in solved.allocation["allocation"].items()})


def test_saved_deployment_reads_back(computed, solved):
    from clusterpath.pathway.result import PathwayResult

    back = PathwayResult.from_netcdf(computed / "pathway" / "pathway.nc")
    assert back.periods == solved.result.periods and back.currency == "EUR"
    assert back.objective == pytest.approx(solved.result.objective)
    assert back.levers_used().to_numpy() == pytest.approx(solved.result.levers_used().to_numpy())
    assert back.units["lifetime"].dtype.kind == "f" and back.units["extendable"].dtype == bool
    # Every view works on the result read back, with the numbers of the solved one.
    assert back.macc().to_numpy() == pytest.approx(solved.result.macc().to_numpy())
    assert back.summary()["emissions_tco2e"] == pytest.approx(solved.summary["emissions_tco2e"])
    assert back.shared_assets() == solved.result.shared_assets()
    assert back.baseline_emissions.to_dict() == pytest.approx(solved.result.baseline_emissions.to_dict())


def _fails(tmp_path, argv, expected):
    out = tmp_path / "out"
    result = runner.invoke(app, ["report", *argv, "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert expected in " ".join(result.output.split())
    assert not out.exists(), "nothing is written on bad input"


def test_unknown_allocation_method(tmp_path, files):
    _fails(tmp_path, [files[0], "--allocation", "shapley"], "'shapley' is not a choice: expected core, dual or none")


def test_missing_results_folder(tmp_path, files):
    _fails(tmp_path, [files[0], "--from", str(tmp_path / "nowhere")], "no such folder")


def test_results_without_a_summary(tmp_path, files, computed):
    (computed / "pathway.json").unlink()
    _fails(tmp_path, [files[0], "--from", str(computed)], "pathway.json: is missing")


def test_results_of_another_cluster(tmp_path, files, computed):
    summary = json.loads((computed / "pathway.json").read_text())
    summary["member_emissions_tco2e"] = {"steelworks": {"2025": 1.0, "2035": 0.0}}
    (computed / "pathway.json").write_text(json.dumps(summary))
    _fails(tmp_path, [files[0], "--from", str(computed)], "was planned for another cluster")


def test_allocation_of_other_players(tmp_path, files, computed):
    allocation = json.loads((computed / "allocation.json").read_text())
    allocation["players"] = ["A", "B"]
    (computed / "allocation.json").write_text(json.dumps(allocation))
    _fails(tmp_path, [files[0], "--from", str(computed)], "is not an allocation among the members of 'tiny'")


def test_bad_cluster_file(tmp_path):
    bad = CLUSTER | {"currency": "EURO"}
    _fails(tmp_path, [write(tmp_path / "bad.yaml", bad)], "unknown currency 'EURO'")


def test_out_is_a_file(tmp_path, files):
    target = tmp_path / "out"
    target.write_text("not a folder")
    result = runner.invoke(app, ["report", files[0], "--out", str(target)])
    assert result.exit_code == 2 and "is a file" in result.output
    assert target.read_text() == "not a folder"


def test_results_without_the_deployment_leave_out_its_sections(tmp_path, files, computed):
    (computed / "pathway" / "pathway.nc").unlink()
    out = tmp_path / "report"
    argv = ["report", files[0], "--scenario", files[1], "--from", str(computed), "--out", str(out)]
    result = runner.invoke(app, argv)
    assert result.exit_code == 0, result.output
    sheets = load_workbook(out / "report.xlsx").sheetnames
    assert "scorecard" in sheets and "workforce by phase" not in sheets and "critical path" not in sheets


def test_a_deployment_from_an_older_clusterpath(tmp_path, files, computed):
    import xarray as xr

    xr.Dataset({"capacity": ("unit", [1.0])}, attrs={"currency": "EUR"}).to_netcdf(computed / "pathway" / "pathway.nc")
    _fails(tmp_path, [files[0], "--from", str(computed)], "written by an older clusterpath")
