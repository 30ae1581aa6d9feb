"""The finance command: every project of a solved plan with its NPV, levelized cost and funding gap."""

from __future__ import annotations

import json

import pytest
import yaml
from typer.testing import CliRunner

from clusterpath.cli import app

from .coalition.test_cluster_game import files  # noqa: F401  (a small cluster and scenario as files)

pytestmark = pytest.mark.filterwarnings("ignore::linopy.LinopySemanticsWarning")
runner = CliRunner()


def test_finance_reports_projects_and_members_and_writes_cash_flows(files, tmp_path):  # noqa: F811
    cluster_file, scenario_file = files
    out = tmp_path / "flows"
    result = runner.invoke(app, ["finance", cluster_file, "--scenario", scenario_file, "--json", "--csv", str(out)])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["projects"] and set(report["members"]) <= {"a", "b", "c", "d", "shared"}
    for member, row in report["members"].items():
        own = [p for p in report["projects"] if (p["member"] or "shared") == member]
        assert row["npv"] == pytest.approx(sum(p["npv"] for p in own), rel=1e-9)
    assert len(list(out.glob("*.csv"))) == len(report["projects"])
    text = runner.invoke(app, ["finance", cluster_file, "--scenario", scenario_file])
    assert text.exit_code == 0 and "By member" in text.output


def test_bad_financing_terms_exit_2_naming_the_field(files, tmp_path):  # noqa: F811
    cluster_file, scenario_file = files
    terms = tmp_path / "terms.yaml"
    terms.write_text(yaml.safe_dump({"default": {"debt_share": 1.5}}))
    result = runner.invoke(app, ["finance", cluster_file, "--scenario", scenario_file, "--finance", str(terms)])
    assert result.exit_code == 2
    assert "debt_share" in result.output


def test_plan_appraises_its_own_projects_without_solving_again(files, tmp_path):  # noqa: F811
    cluster_file, scenario_file = files
    out = tmp_path / "finance"
    result = runner.invoke(app, ["plan", cluster_file, "--scenario", scenario_file, "--finance", str(out)])
    assert result.exit_code == 0, result.output
    report = json.loads((out / "finance.json").read_text())
    alone = json.loads(runner.invoke(app, ["finance", cluster_file, "--scenario", scenario_file, "--json"]).stdout)
    assert [p["project"] for p in report["projects"]] == [p["project"] for p in alone["projects"]]
    for mine, theirs in zip(report["projects"], alone["projects"], strict=True):
        assert mine["npv"] == pytest.approx(theirs["npv"], rel=1e-6, abs=1.0)
    assert len(list((out / "cash-flows").glob("*.csv"))) == len(report["projects"])
