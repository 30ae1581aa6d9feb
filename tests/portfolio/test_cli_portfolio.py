"""`clusterpath portfolio`: tables, JSON, CSV and year on year; bad input exits 2 and writes nothing."""

import json

import yaml
from typer.testing import CliRunner

from clusterpath.cli import app
from helpers.portfolio import cluster, write

runner = CliRunner()
# Net zero in 2030 is about the totals, not permits: with lead times the US cluster could not build its CO2
# network (US data: 7.55 years from 2024) in time and would not be planned.
QUICK = {"name": "quick", "periods": [2025, 2030], "target_year": 2030, "economies_of_scale": False,
         "lead_times": False}


def project(stage: str) -> dict:
    return {"id": "hp", "name": "Heat pump", "lever": "heat_pump", "members": ["chem"], "stage": stage,
            "abatement": "50 t"}  # fmt: skip


def test_bad_input_exits_2_and_writes_nothing(tmp_path, small_cluster):
    folder = write(tmp_path / "p", [cluster(small_cluster, "a"), cluster(small_cluster, "a")])
    out = tmp_path / "out"
    result = runner.invoke(app, ["portfolio", folder, "--csv", str(out / "csv"), "--json-out", str(out / "a.json")])
    assert result.exit_code == 2, result.output
    assert "every cluster of a portfolio needs its own id" in result.output and "Traceback" not in result.output
    assert not out.exists() and not (tmp_path / "p" / ".cache").exists()


def test_unrelated_previous_year_exits_2_before_planning(tmp_path, small_cluster):
    current = write(tmp_path / "now", [cluster(small_cluster, "a")])
    previous = write(tmp_path / "then", [cluster(small_cluster, "a", country="NL")], year=2024)
    result = runner.invoke(app, ["portfolio", current, "--previous", previous, "--csv", str(tmp_path / "csv")])
    assert result.exit_code == 2 and "is not the same cluster" in result.output
    assert not (tmp_path / "csv").exists() and not (tmp_path / "now" / ".cache").exists()


def test_totals_json_csv_and_year_on_year(tmp_path, small_cluster):
    for year in ("now", "then"):
        (tmp_path / year).mkdir()
        (tmp_path / year / "quick.yaml").write_text(yaml.safe_dump(QUICK))
    previous = write(tmp_path / "then", [cluster(small_cluster, "a", projects=[project("feasibility")])], year=2024,
                     scenario="quick.yaml", typical_days=1)  # fmt: skip
    current = write(tmp_path / "now", [cluster(small_cluster, "a", projects=[project("operating")]),
                                       cluster(small_cluster, "b", country="US", currency="USD")],
                    scenario="quick.yaml", typical_days=1,
                    exchange_rates={"USD": {"rate": 0.5, "year": 2024, "source": "test"}})  # fmt: skip
    csv = tmp_path / "csv"
    result = runner.invoke(app, ["portfolio", current, "--previous", previous, "--json", "--csv", str(csv),
                                 "--json-out", str(tmp_path / "p.json")])  # fmt: skip
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload == json.loads((tmp_path / "p.json").read_text())
    totals = payload["totals"]
    assert (totals["clusters"], totals["countries"], totals["continents"], totals["planned"]) == (2, 2, 2, 2)
    # value added of the small cluster: 2.5e8 in EUR (a) and 2.5e8 USD at 0.5 EUR (b)
    assert totals["value_added"] == 2.5e8 + 0.5 * 2.5e8 and totals["jobs_direct"] == 900
    a = next(c for c in payload["clusters"] if c["cluster"] == "a")
    assert a["reduction_target_year_tco2e"] == a["baseline_tco2e"] - a["target_year_tco2e"]
    assert a["construction_job_years"] is not None and a["jobs_region"] == "OECD"
    assert [c["jobs_region"] for c in payload["clusters"]] == ["OECD", "United States"]
    assert set(a) >= {"partnerships_score", "policy_score", "finance_score", "technology_score"}
    progress = payload["progress"]
    assert progress["new_clusters"] == ["b"] and progress["departed_clusters"] == []
    assert [(m["project"], m["from_stage"], m["to_stage"]) for m in progress["stage_changes"]] == [
        ("hp", "feasibility", "operating")]
    assert progress["totals"]["avoided_tco2e"] == {"previous": 0.0, "current": 50.0, "change": 50.0}
    assert progress["totals"]["clusters"]["change"] == 1
    assert progress["totals"]["reduction_target_year_tco2e"]["current"] == totals["reduction_target_year_tco2e"]
    assert sorted(p.name for p in csv.iterdir()) == [".cache", "by_continent.csv", "by_country.csv", "clusters.csv",
                                                     "dropped_projects.csv", "new_projects.csv", "progress_totals.csv",
                                                     "stage_changes.csv", "totals.csv"]  # fmt: skip
    # The second run takes every plan from the cache in the --csv folder, and prints tables.
    again = runner.invoke(app, ["portfolio", current, "--previous", previous, "--csv", str(csv)])
    assert again.exit_code == 0, again.output
    assert "Year on year: 2024 to 2025" in again.output and "Projects that moved stage" in again.output
