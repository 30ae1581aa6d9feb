"""Projects of a solved plan: the finance view reconciles with the plan it reads.

One tiny plan (one member, heat pumps, one typical day, two periods) is solved once.
"""

from __future__ import annotations

import json

import pytest
from pathway.test_build import cluster, gas, member, power, scenario

from clusterpath.finance import FinanceError, Financing, appraise
from clusterpath.finance.metrics import npv
from clusterpath.finance.projects import projects
from clusterpath.finance.report import finance_report, yearly_cash_flows
from clusterpath.pathway.plan import plan
from clusterpath.pathway.tables import annuity

pytestmark = pytest.mark.filterwarnings("ignore::linopy.LinopySemanticsWarning")
UNIT = "chem|heat_pump:steam"


@pytest.fixture(scope="module")
def solved():
    c = cluster(member("chem", [power(2000), gas("steam", 8760)]))
    # A carbon price high enough that heat pumps serve all the steam from the first period.
    s = scenario(["heat_pump"], periods=[2025, 2035], target="carbon_price_only", carbon_price={2025: 1000},
                 typical_days=1, economies_of_scale=False)  # fmt: skip
    return plan(c, s, baseline=False)


def test_every_investment_of_the_plan_is_in_a_project(solved):
    found = sum(float(p.series("investment").sum()) for p in projects(solved))
    assert found > 0
    assert found == pytest.approx(float(solved.data["investment"].sum()), rel=1e-12)


def test_capital_charge_matches_the_plans_annuity(solved):
    """All equity at the plan's rate: capex and fixed O&M per MWh equal the plan's annuity charge per MWh."""
    heat_pump = next(p for p in projects(solved) if p.name == "chem:heat_pump")
    rate = float(solved.data["discount_rate"])
    a = appraise(heat_pump, Financing(rate), base_year=solved.periods[0])
    table = a.table
    output = table["output:steam_mwh"]
    charge = npv(rate, table["capex"] + table["fixed_om"], base_year=2025) / npv(rate, output, base_year=2025)
    period = 2025
    invested = float(solved.data["investment"].sel(unit=UNIT).sum())
    lifetime = float(solved.units.loc[UNIT, "lifetime"])
    fom = float(solved.units.loc[UNIT, "fom"])
    plan_charge = invested * (float(annuity(rate, lifetime)) + fom) / float(output.loc[period])
    assert float(output.loc[period]) == pytest.approx(8760, rel=1e-6)  # all the steam, so the check means something
    assert charge == pytest.approx(plan_charge, rel=1e-9)


def test_operating_costs_are_the_plans(solved):
    heat_pump = next(p for p in projects(solved) if p.name == "chem:heat_pump")
    table = appraise(heat_pump, Financing(0.05)).table
    energy = float(solved.data["energy"].sel(unit=UNIT, period=2025))
    price = float(solved.prices.loc["chem|electricity", 2025])
    ports = solved.ports[(solved.ports["unit"] == UNIT) & (solved.ports["bus"] == "chem|electricity")]
    assert table.loc[2026, "electricity"] == pytest.approx(-float(ports["coefficient"].iloc[0]) * energy * price)
    variable = solved.data["variable_cost"].sel(unit=UNIT)
    assert table.loc[2030, "variable_om"] == pytest.approx(float(variable.sel(period=2025)))
    assert table.loc[2040, "variable_om"] == pytest.approx(float(variable.sel(period=2035)))
    assert table["savings"].loc[2025] > 0 and table["abated_t"].loc[2025] > 0  # the gas boiler's fuel and carbon


def test_policy_credits_plug_in_as_plain_yearly_amounts(solved):
    base = finance_report(solved)
    credited = finance_report(solved, policy={"chem:heat_pump": {"credits": {2030: 1000.0}}})
    npvs = {p["project"]: p["npv"] for p in base["projects"]}
    after = {p["project"]: p["npv"] for p in credited["projects"]}
    rate = float(solved.data["discount_rate"])
    assert after["chem:heat_pump"] - npvs["chem:heat_pump"] == pytest.approx(1000 / (1 + rate) ** 5)
    with pytest.raises(FinanceError, match="policy.nowhere"):
        finance_report(solved, policy={"nowhere": {"credits": {2030: 1.0}}})
    with pytest.raises(FinanceError, match="chem:heat_pump.bonus"):
        finance_report(solved, policy={"chem:heat_pump": {"bonus": {2030: 1.0}}})


def test_report_is_plain_data_with_member_roll_up(solved):
    report = finance_report(solved)
    text = json.dumps({k: v for k, v in report.items() if k != "tables"})
    assert "chem:heat_pump" in text
    chem = report["members"]["chem"]
    assert chem["npv"] == pytest.approx(sum(p["npv"] for p in report["projects"] if p["member"] == "chem"))
    flows = yearly_cash_flows(report)
    assert flows.index[0] == 2024  # the construction year before the first period
    assert list(flows.columns) == [p["project"] for p in report["projects"]]


def test_a_hub_plant_sells_to_members_at_the_cost_they_are_charged():
    """The members' heat links pay the hub's levelized cost of heat; the hub's heat pump earns it, so at
    the plan's rate, all equity and no tax, it breaks even: the cluster's cost is counted once."""
    from ..coalition.test_cluster_game import LEVERS, four

    # Lead times off: the hub's heat pump serves from 2025, before the shipped heat network lead time allows.
    s = scenario(LEVERS, periods=[2025, 2030, 2035], target_year=2040, economies_of_scale=False, typical_days=1,
                 carbon_price={2025: 80, 2035: 150}, lead_times=False)  # fmt: skip
    result = plan(four(), s, baseline=False)
    found = {p["project"]: p for p in finance_report(result)["projects"]}
    hub = found["shared:large_heat_pump"]
    spent = float(result.data["investment"].sel(unit=result.units.index[result.units["lever"] == "large_heat_pump"]).sum())
    assert spent > 0 and hub["npv"] == pytest.approx(0.0, abs=1e-9 * spent)
    # The members' links carry what they took at that price.
    links = [p for name, p in found.items() if name.endswith(":heat_network")]
    assert links and all(p["npv"] != 0 for p in links)
