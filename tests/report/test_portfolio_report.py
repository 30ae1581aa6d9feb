"""A portfolio's report: totals, countries, map and pillars carry the assessment's numbers; the command writes it."""

from __future__ import annotations

import pytest
import yaml
from openpyxl import load_workbook
from typer.testing import CliRunner

from helpers.portfolio import cluster, write
from report.conftest import CLUSTER

from clusterpath.cli import app
from clusterpath.report import figures

pytestmark = pytest.mark.filterwarnings("ignore::linopy.LinopySemanticsWarning")
QUICK = {"name": "quick", "periods": [2025, 2035], "target_year": 2035, "typical_days": 1,
         "levers": ["heat_pump", "electric_boiler"], "economies_of_scale": False}  # fmt: skip


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    root = tmp_path_factory.mktemp("portfolio")
    (root / "quick.yaml").write_text(yaml.safe_dump(QUICK), encoding="utf-8")
    far = cluster(CLUSTER, "far", country="NL", location={"lat": 53.4, "lon": 6.8})
    return write(root, [cluster(CLUSTER, "near"), far], scenario="quick.yaml")


@pytest.fixture(scope="module")
def assessed(folder):
    from clusterpath.portfolio import assess, load_portfolio
    from clusterpath.report.portfolio import portfolio_report

    portfolio = load_portfolio(folder)
    assessment = assess(portfolio, cache=None)
    return assessment, portfolio_report(portfolio, assessment)


def test_totals_and_map_carry_the_assessment(assessed):
    assessment, report = assessed
    totals = report.tables()[0].frame.set_index("indicator")["value"]
    t = assessment.totals
    assert totals["clusters"] == 2 and totals["countries"] == 2
    assert totals["baseline emissions, scope 1 + 2"] == pytest.approx(t["baseline_tco2e"] / 1e6)
    reduction = totals["reduction potential in each cluster's target year"]
    assert reduction == pytest.approx(t["reduction_target_year_tco2e"] / 1e6)
    assert totals["jobs in the members"] == t["jobs_direct"] == 2 * 30  # two clusters of chem (10) and food (20)

    chart = next(c for c in report.charts() if c.kind == "map")
    bubbles = figures.figure(chart).data[1]
    assert list(bubbles.x) == [4.3, 6.8] and list(bubbles.y) == [51.3, 53.4]
    reductions = assessment.clusters["reduction_target_year_tco2e"] / 1e6
    assert list(bubbles.customdata) == pytest.approx(list(reductions))
    # The same cluster twice: the same reduction, the same bubble.
    assert bubbles.marker.size[0] == pytest.approx(bubbles.marker.size[1])


def test_countries_and_pillars(assessed):
    assessment, report = assessed
    tables = {t.name: t.frame for t in report.tables()}
    assert list(tables["by country"]["country"]) == ["BE", "NL"]
    scores = tables["pillar scores"].set_index("cluster")
    assert scores.loc["near", "policy, 0-100"] == pytest.approx(assessment.clusters.loc["near", "policy_score"])
    radar = next(c for c in report.charts() if c.kind == "radar").data.set_index("pillar")["score"]
    assert radar["finance"] == pytest.approx(assessment.clusters["finance_score"].fillna(0).mean())


def test_report_command_writes_a_portfolios_report(tmp_path, folder):
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["report", folder, "--cache", str(tmp_path / "cache"), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["report.html", "report.pdf", "report.xlsx"]
    assert {"totals", "by country", "clusters", "pillar scores"} <= set(load_workbook(out / "report.xlsx").sheetnames)


def test_a_portfolio_takes_no_scenario(tmp_path, folder):
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["report", folder, "--scenario", "scope-1-net-zero-2040", "--out", str(out)])
    assert result.exit_code == 2 and "--scenario and --from are for a cluster" in " ".join(result.output.split())
    assert not out.exists()


def test_a_bad_portfolio_exits_2_writing_nothing(tmp_path):
    folder = write(tmp_path / "p", [cluster(CLUSTER, "a"), cluster(CLUSTER, "a")])
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["report", folder, "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert "every cluster of a portfolio needs its own id" in " ".join(result.output.split())
    assert not out.exists() and not (tmp_path / "p" / ".cache").exists()




def test_with_the_previous_year_the_report_says_what_changed(tmp_path, folder):
    hp = {"id": "hp", "name": "Heat pump", "lever": "heat_pump", "members": ["chem"], "stage": "feasibility",
          "abatement": "2 kt"}  # fmt: skip
    before = write(tmp_path / "2024", [cluster(CLUSTER, "near", projects=[hp])], year=2024,
                   scenario=str(tmp_path / "quick.yaml"))  # fmt: skip
    (tmp_path / "quick.yaml").write_text(yaml.safe_dump(QUICK), encoding="utf-8")
    now = write(tmp_path / "2025", [cluster(CLUSTER, "near", projects=[hp | {"stage": "operating"}]),
                                    cluster(CLUSTER, "far", country="NL")], scenario=str(tmp_path / "quick.yaml"))
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["report", now, "--previous", before, "--cache", str(tmp_path / "cache"),
                                      "--out", str(out)])  # fmt: skip
    assert result.exit_code == 0, result.output
    book = load_workbook(out / "report.xlsx")
    assert {"year on year", "moved stage"} <= set(book.sheetnames)
    moved = [[cell.value for cell in row] for row in book["moved stage"].iter_rows()]
    assert moved[1][:2] == ["near", "hp"] and "feasibility" in moved[1] and "operating" in moved[1]
    totals = {row[0].value: [c.value for c in row[1:]] for row in book["year on year"].iter_rows(min_row=2)}
    # One cluster then, two now; the heat pump now operating avoids 2 kt a year that it did not before.
    assert totals["clusters"][:2] == [1, 2] and totals["avoided_tco2e"][:2] == [0, 2000]
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "Since 2024" in html and "New clusters: far" in html


def test_previous_is_for_a_portfolio(tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["report", "port-chemicals", "--previous", "x", "--out", str(out)])
    assert result.exit_code == 2 and "two years of a portfolio" in " ".join(result.output.split())
    assert not out.exists()
