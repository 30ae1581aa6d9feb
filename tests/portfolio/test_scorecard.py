"""The four-pillar scorecard: every indicator worked out by hand on a three-member cluster with a register."""

from __future__ import annotations

import json

import pytest
import yaml
from typer.testing import CliRunner

from clusterpath.cli import app
from clusterpath.io.load import validate
from clusterpath.pathway.plan import plan
from clusterpath.portfolio.scorecard import PILLARS, scorecard
from clusterpath.schema.scenario import Scenario
from helpers.platform import DESCRIPTION, MEMBERS

pytestmark = pytest.mark.filterwarnings("ignore::linopy.LinopySemanticsWarning")
runner = CliRunner()

M = 1.0e6
PROJECTS = [
    {"id": "eff-alpha", "name": "Alpha efficiency programme", "lever": "efficiency", "members": ["alpha"],
     "stage": "operating", "investment": 2 * M, "committed": 2 * M, "public_funding": 0.5 * M, "operating_year": 2024,
     "abatement": "1000 t"},
    {"id": "solar-shared", "name": "Shared rooftop solar", "lever": "solar_pv", "members": ["alpha", "beta"],
     "stage": "construction", "investment": 4 * M, "committed": 3 * M, "public_funding": 1 * M, "operating_year": 2027,
     "abatement": "800 t"},
    {"id": "biomass-beta", "name": "Beta biomass boiler", "lever": "biomass", "members": ["beta"], "stage": "announced",
     "investment": 1 * M, "operating_year": 2030, "abatement": "300 t"},
    {"id": "ccs-gamma", "name": "Gamma capture study", "lever": "carbon_capture", "members": ["gamma"],
     "stage": "announced", "operating_year": 2045, "abatement": "5 kt"},
    {"id": "h2-hub", "name": "Electrolyser hub", "lever": "electrolysis", "members": ["alpha", "beta"],
     "stage": "final_investment_decision", "investment": 10 * M, "committed": 5 * M, "operating_year": 2030,
     "abatement": "2000 t"},
]  # fmt: skip
POLICIES = [
    {"name": "EU ETS", "kind": "carbon_price", "year": 2005},
    {"name": "Regional capital grant", "kind": "capital_grant"},
    {"name": "Port charter", "kind": "other"},
    {"name": "Second grant", "kind": "capital_grant", "status": "planned"},
    {"name": "Hydrogen strategy", "kind": "hydrogen_strategy", "status": "planned"},
    {"name": "One-stop permit desk", "kind": "permitting", "status": "planned"},
]
RAW = {**DESCRIPTION, "id": "port", "members": [dict(v, id=k) for k, v in MEMBERS.items()],
       "resources": {"renewables": [{"type": "solar_pv", "potential": "5 MW", "full_load_hours": 1000}]},
       "governance": "cluster_association", "companies": 5, "projects": PROJECTS, "policies": POLICIES}  # fmt: skip
SCENARIO = {"name": "small", "periods": [2025, 2035], "target_year": 2040, "typical_days": 1,
            "levers": ["heat_pump", "electric_boiler", "solar_pv"], "economies_of_scale": False,
            "policies": ["eu.ets", "eu.innovation_fund", "us.45q"]}  # fmt: skip


@pytest.fixture(scope="module")
def cluster():
    return validate(RAW, "test")


@pytest.fixture(scope="module")
def scenario():
    return Scenario.model_validate(SCENARIO)


@pytest.fixture(scope="module")
def result(cluster, scenario):
    return plan(cluster, scenario, baseline=False)


def values(card, pillar: str) -> dict:
    return {i.id: i.value for i in card.pillars[pillar].indicators}


def test_register_alone(cluster, scenario):
    card = scorecard(cluster, scenario)
    assert list(card.pillars) == list(PILLARS) and card.plan_period is None and card.target_year == 2040

    partnerships = values(card, "partnerships")
    # 3 members of 5 companies; shared projects: solar-shared and h2-hub, 2 members each, reaching alpha and beta.
    assert partnerships == {"members_engaged": 3, "share_engaged": pytest.approx(0.6),
                            "shared_assets_planned": None, "shared_projects_registered": 2,
                            "members_per_shared_project": 2, "members_in_shared_projects": pytest.approx(2 / 3),
                            "governance": "cluster_association"}  # fmt: skip
    # (0.6 + 2/3 + 1 for a formal governance) / 3 = 0.75556
    assert card.pillars["partnerships"].score == pytest.approx(100 * (0.6 + 2 / 3 + 1) / 3)

    policy = values(card, "policy")
    # In place: carbon_price, capital_grant, other; planned: capital_grant (already in place), hydrogen_strategy,
    # permitting. Coverage (2 kinds in place + 0.5 x 2 only planned) / 9 = 1/3. Modelled: eu.ets (carbon price, in
    # place), eu.innovation_fund (capital grant, in place), us.45q (tax credit, not in place): 2/3.
    assert policy == {"policies_in_place": 3, "policies_planned": 3, "policy_kind_coverage": pytest.approx(1 / 3),
                      "scenario_instruments": 3, "modelled_instruments_in_place": pytest.approx(2 / 3)}  # fmt: skip
    assert card.pillars["policy"].indicator("policies_planned").detail == {
        "capital_grant": ["Second grant"], "hydrogen_strategy": ["Hydrogen strategy"],
        "permitting": ["One-stop permit desk"]}  # fmt: skip
    assert card.pillars["policy"].score == pytest.approx(50.0)  # (1/3 + 2/3) / 2

    finance = values(card, "finance")
    # Required 2 + 4 + 1 + 10 = 17 M (ccs-gamma has no investment); committed 2 + 3 + 5 = 10 M; public 1.5 M.
    assert finance == {"required_investment": pytest.approx(17 * M), "committed_investment": pytest.approx(10 * M),
                       "share_committed": pytest.approx(10 / 17), "public_funding": pytest.approx(1.5 * M),
                       "private_leverage": pytest.approx(8.5 / 1.5), "private_share_of_committed": pytest.approx(0.85)}
    assert card.pillars["finance"].indicator("required_investment").detail["source"] == "register"
    assert card.pillars["finance"].score == pytest.approx(100 * (10 / 17 + 0.85) / 2)  # 71.91

    technology = values(card, "technology")
    # Operating by 2040: efficiency 1000, solar 800 + biomass 300 (electrification), electrolysis 2000; the capture
    # study (2045) is not counted.
    assert {k: v for k, v in technology.items() if k.startswith("abatement_")} == {
        "abatement_efficiency_circularity": pytest.approx(1000), "abatement_hydrogen": pytest.approx(2000),
        "abatement_electrification_renewable_heat": pytest.approx(1100), "abatement_ccus": 0}  # fmt: skip
    stages = ("announced", "feasibility", "final_investment_decision", "construction", "operating")
    assert [technology[f"projects_{s}"] for s in stages] == [2, 0, 1, 1, 1]
    assert [technology[f"investment_{s}"] for s in stages] == [1 * M, 0, 10 * M, 4 * M, 2 * M]
    # Maturity (0 + 0 + 0.5 + 0.75 + 1) / 5 = 0.45; 3 of 5 at or past FID.
    assert technology["project_maturity"] == pytest.approx(0.45)
    assert technology["projects_committed"] == pytest.approx(0.6)
    assert technology["planned_abatement_with_projects"] is None
    assert card.pillars["technology"].score == pytest.approx(45.0)


def test_with_a_plan(cluster, scenario, result):
    card = scorecard(cluster, scenario, result)
    # The plan's periods are 2025 and 2035; the target year 2040 is read from 2035.
    assert card.plan_period == 2035

    partnerships = values(card, "partnerships")
    # Shared solar serves all three members; with the register's two shared projects, (3 + 2 + 2) / 3 members each.
    assert result.shared_assets()["solar_pv"]["2035"]["members"] == "all"
    assert partnerships["shared_assets_planned"] == 1
    assert partnerships["members_per_shared_project"] == pytest.approx(7 / 3)
    assert partnerships["members_in_shared_projects"] == pytest.approx(1.0)
    assert card.pillars["partnerships"].score == pytest.approx(100 * (0.6 + 1 + 1) / 3)

    finance = values(card, "finance")
    required = sum(result.investment_by_period().values())  # both periods are before 2040
    assert required > 0 and finance["required_investment"] == pytest.approx(required)
    assert finance["share_committed"] == pytest.approx(10 * M / required)
    normalized = min(10 * M / required, 1.0)
    assert card.pillars["finance"].score == pytest.approx(100 * (normalized + 0.85) / 2)

    technology = values(card, "technology")
    macc = result.macc(2035)["abatement_tco2e"]
    # At most 5 MW of shared solar x 1000 full-load hours x 0.2 tCO2e/MWh of grid power = 1000 t (less if curtailed).
    assert 0 < macc["solar_pv"] <= 1000.0 + 1e-6
    assert technology["abatement_electrification_renewable_heat"] == pytest.approx(macc.sum())
    assert technology["abatement_hydrogen"] == technology["abatement_ccus"] == technology[
        "abatement_efficiency_circularity"] == 0
    # The plan abates with solar and heat pumps; the register has a solar project but no heat pump.
    assert set(macc.index) == {"solar_pv", "heat_pump"}
    with_project = macc["solar_pv"]
    assert technology["planned_abatement_with_projects"] == pytest.approx(with_project / macc.sum())
    assert card.pillars["technology"].score == pytest.approx(100 * (0.45 + with_project / macc.sum()) / 2)

    as_dict = card.to_dict()
    assert json.loads(json.dumps(as_dict)) == as_dict
    assert set(as_dict["pillars"]) == set(PILLARS)
    for pillar in as_dict["pillars"].values():
        assert 0 <= pillar["score"] <= 100
        for indicator in pillar["indicators"]:
            assert {"id", "name", "value", "unit", "formula"} <= set(indicator) and indicator["formula"]


def test_nothing_to_divide_by(cluster, scenario):
    bare = cluster.model_copy(update={"projects": [], "policies": [], "companies": None, "governance": None})
    plain = scenario.model_copy(update={"policies": []})
    card = scorecard(bare, plain)
    assert values(card, "partnerships")["share_engaged"] is None
    assert values(card, "partnerships")["members_per_shared_project"] is None
    assert card.pillars["partnerships"].score == 0.0  # no member in a shared project, no governance
    assert values(card, "policy")["modelled_instruments_in_place"] is None
    assert card.pillars["policy"].score == 0.0
    finance = card.pillars["finance"]
    assert [i.value for i in finance.indicators] == [None, 0, None, 0, None, None]
    assert finance.indicator("private_leverage").detail == {"note": "undefined: no public funding secured"}
    assert finance.score is None and card.pillars["technology"].score is None
    assert card.to_dict()["pillars"]["finance"]["score"] is None


def test_committed_without_public_money_has_no_leverage(cluster, scenario):
    private = [dict(p, public_funding=0.0) for p in PROJECTS]
    card = scorecard(validate({**RAW, "projects": private}, "test"), scenario)
    finance = values(card, "finance")
    assert finance["private_leverage"] is None and finance["private_share_of_committed"] == pytest.approx(1.0)
    # A register without investments and no plan: nothing is required, so no share is committed.
    money = ("investment", "committed", "public_funding")
    unpriced = [{k: v for k, v in p.items() if k not in money} for p in PROJECTS]
    finance = values(scorecard(validate({**RAW, "projects": unpriced}, "test"), scenario), "finance")
    assert finance["required_investment"] is None and finance["share_committed"] is None


def test_a_carbon_price_trajectory_counts_as_a_modelled_instrument(cluster):
    priced = Scenario.model_validate({**SCENARIO, "policies": [], "carbon_price": {2025: 80}})
    policy = values(scorecard(cluster, priced), "policy")
    assert policy["scenario_instruments"] == 1 and policy["modelled_instruments_in_place"] == 1.0


@pytest.fixture
def files(tmp_path):
    cluster_file, scenario_file = tmp_path / "port.yaml", tmp_path / "small.yaml"
    cluster_file.write_text(yaml.safe_dump(RAW, sort_keys=False))
    scenario_file.write_text(yaml.safe_dump(SCENARIO))
    return str(cluster_file), str(scenario_file)


def test_cli_json_with_and_without_a_plan(files, cluster, scenario):
    cluster_file, scenario_file = files
    alone = runner.invoke(app, ["scorecard", cluster_file, "--scenario", scenario_file, "--no-plan", "--json"])
    assert alone.exit_code == 0, alone.output
    assert json.loads(alone.stdout) == json.loads(json.dumps(scorecard(cluster, scenario).to_dict()))
    planned = runner.invoke(app, ["scorecard", cluster_file, "--scenario", scenario_file, "--json"])
    assert planned.exit_code == 0, planned.output
    payload = json.loads(planned.stdout)
    assert payload["plan_period"] == 2035
    assert payload["pillars"]["finance"]["indicators"][0]["detail"]["source"] == "plan"
    text = runner.invoke(app, ["scorecard", cluster_file, "--scenario", scenario_file, "--no-plan"])
    assert text.exit_code == 0, text.output
    assert "partnerships: 76/100" in text.output and "Leverage of private capital" in text.output


def test_cli_bad_input_exits_2(files, tmp_path):
    cluster_file, scenario_file = files
    wrong = tmp_path / "wrong.yaml"
    wrong.write_text(yaml.safe_dump({**RAW, "projects": [dict(PROJECTS[0], members=["omega"])]}, sort_keys=False))
    result = runner.invoke(app, ["scorecard", str(wrong), "--no-plan"])
    assert result.exit_code == 2 and "unknown member(s) omega" in result.output
    result = runner.invoke(app, ["scorecard", cluster_file, "--scenario", "no-such-scenario", "--no-plan"])
    assert result.exit_code == 2 and "no-such-scenario" in result.output
    result = runner.invoke(app, ["scorecard", cluster_file, "--typical-days", "0", "--no-plan"])
    assert result.exit_code == 2


@pytest.mark.parametrize("name", ["port-chemicals", "industrial-estate", "hydrogen-hub", "geothermal-park"])
def test_shipped_examples_carry_a_register_and_score_every_pillar(name):
    from clusterpath import examples

    cluster = examples.load(name)
    assert cluster.governance is not None and cluster.policies and cluster.companies
    assert len({p.stage for p in cluster.projects}) >= 3
    assert any(p.public_funding > 0 for p in cluster.projects)
    card = scorecard(cluster, Scenario(name="default"))
    assert all(0 < score <= 100 for score in card.scores().values())


def test_cli_shows_money_rounded_in_millions(tmp_path):
    """Issue 18: the scorecard printed money to the unit (4,123,457 EUR); a board reads millions."""
    projects = [dict(PROJECTS[1], investment=4_123_456.78, committed=3_049_999.0)]
    path = tmp_path / "port.yaml"
    path.write_text(yaml.safe_dump({**RAW, "projects": projects}, sort_keys=False))
    result = runner.invoke(app, ["scorecard", str(path), "--no-plan"], env={"COLUMNS": "120"})
    assert result.exit_code == 0, result.output
    rows = {line.split("│")[1].strip(): (line.split("│")[2].strip(), line.split("│")[3].strip())
            for line in result.output.splitlines() if line.count("│") == 4}  # fmt: skip
    assert rows["Investment committed"] == ("3.0", "million EUR")
    assert rows["Investment: construction"] == ("4.1", "million EUR")
    assert "4,123,457" not in result.output and "3,049,999" not in result.output
