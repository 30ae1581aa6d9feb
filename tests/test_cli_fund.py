"""The fund command: a public budget over a solved plan's projects, and what it refuses."""

from __future__ import annotations

import json

import pytest
import yaml
from typer.testing import CliRunner

from clusterpath.cli import app

from .coalition.test_cluster_game import files  # noqa: F401  (a small cluster and scenario as files)

pytestmark = pytest.mark.filterwarnings("ignore::linopy.LinopySemanticsWarning")
runner = CliRunner()


def test_fund_spends_within_budget_and_its_totals_add_up(files, tmp_path):  # noqa: F811
    cluster_file, scenario_file = files
    written = tmp_path / "out" / "fund.json"
    # A budget above the heat pump's gap (about 104,000 EUR of 2025 since issue 15's price-year and vintage changes)
    # and below it plus the next gap (81,000), so that the money runs out.
    result = runner.invoke(app, ["fund", cluster_file, "--scenario", scenario_file, "--budget", "150000", "--json",
                                 "--json-out", str(written)])  # fmt: skip
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert json.loads(written.read_text()) == report
    chosen = [p for p in report["projects"] if p["selected"]]
    totals = report["totals"]
    assert chosen and totals["projects_supported"] == len(chosen)
    assert totals["public_money"] <= report["budget"] * (1 + 1e-9)
    assert totals["public_money"] == pytest.approx(sum(p["grant"] for p in chosen), rel=1e-9)
    assert totals["abated_tco2e"] == pytest.approx(sum(p["abated_tco2e"] for p in chosen), rel=1e-9)
    assert totals["private_capital"] == pytest.approx(sum(p["investment"] - p["grant"] for p in chosen), rel=1e-9)
    assert totals["leverage"] == pytest.approx(totals["private_capital"] / totals["public_money"], rel=1e-9)
    for p in chosen:
        assert p["funding_gap"] * (1 - 1e-9) <= p["grant"] <= p["max_share"] * p["investment"] * (1 + 1e-9)
        assert p["tco2e_per_money"] == pytest.approx(p["abated_tco2e"] / p["grant"], rel=1e-9)
    for p in report["projects"]:
        if not p["selected"] and not p["excluded"]:
            # Left out only because the money ran out: it would not have fitted in what is left.
            assert p["funding_gap"] > totals["budget_left"]
    text = runner.invoke(app, ["fund", cluster_file, "--scenario", scenario_file, "--budget", "150000",
                               "--objective", "leverage"])  # fmt: skip
    assert text.exit_code == 0 and "Projects needing support" in text.output and "leverage" in text.output


@pytest.mark.parametrize("args, message", [
    (["--budget", "-5"], "--budget"),
    (["--budget", "lots"], "--budget"),
    (["--budget", "nan"], "--budget"),
    (["--budget", "10", "--objective", "cheapest"], "not an objective"),
    (["--budget", "10", "--max-share", "0"], "outside (0, 1]"),
    (["--budget", "10", "--max-share", "1.5"], "outside (0, 1]"),
    (["--budget", "10", "--member-cap", "-1"], "--member-cap"),
])  # fmt: skip
def test_bad_input_exits_2_and_writes_nothing(files, tmp_path, args, message):  # noqa: F811
    cluster_file, scenario_file = files
    written = tmp_path / "fund.json"
    result = runner.invoke(app, ["fund", cluster_file, "--scenario", scenario_file, *args, "--json-out", str(written)])
    assert result.exit_code == 2
    assert message in result.output
    assert not written.exists()


def test_a_plan_with_nothing_to_support_says_so(files, tmp_path):  # noqa: F811
    cluster_file, _ = files
    scenario_file = tmp_path / "no-levers.yaml"
    scenario_file.write_text(yaml.safe_dump({"name": "none", "periods": [2025, 2030], "target_year": 2030,
                                             "typical_days": 1, "levers": [], "target": "carbon_price_only",
                                             "carbon_price": {2025: 50}}))  # fmt: skip
    result = runner.invoke(app, ["fund", cluster_file, "--scenario", str(scenario_file), "--budget", "1000000"])
    assert result.exit_code == 0, result.output
    assert "The plan has no projects to support." in result.output
