"""Policy packs and the scenario's choice of instruments: shipped data loads, bad input is named, exit code 2."""

from __future__ import annotations

import copy
import json

import pytest
import yaml
from typer.testing import CliRunner

from clusterpath.cli import app
from clusterpath.io import InputError, load_cluster, load_scenario, scenario_names
from clusterpath.pathway.build import NetworkBuilder
from clusterpath.pathway.errors import PlanningError
from clusterpath.policy import known_instruments, load_pack, pack_names
from clusterpath.schema.scenario import Scenario

runner = CliRunner()

CLUSTER = {
    "id": "tiny", "name": "Tiny cluster", "country": "BE", "location": {"lat": 51.3, "lon": 4.3}, "kind": "port",
    "currency": "EUR", "base_year": 2023, "discount_rate": 0.05,
    "grid": {"emission_factor": {2023: "0.01 tCO2e/MWh"}, "electricity_price": {2023: 80}},
    "members": [
        {"id": "chem", "name": "Chem", "sector": "chemicals", "value_added": 1e7, "jobs": 10,
         "demands": [{"service": "electricity", "carrier": "electricity", "final_energy": "2000 MWh"},
                     {"service": "hydrogen_feedstock", "carrier": "hydrogen", "final_energy": "8760 MWh"}]},
    ],
}  # fmt: skip
BASE = {"name": "policy", "periods": [2025, 2030], "target_year": 2040, "typical_days": 1,
        "levers": ["electrolysis", "hydrogen_network"], "economies_of_scale": False}  # fmt: skip


def write(path, data) -> str:
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return str(path)


def scenario_error(tmp_path, **fields) -> str:
    path = write(tmp_path / "scenario.yaml", {**BASE, **fields})
    with pytest.raises(InputError) as caught:
        load_scenario(path)
    message = caught.value.message
    assert path in message
    return message


# ------------------------------------------------------------------ shipped data


def test_every_shipped_pack_loads_and_sources_every_figure():
    assert {"us", "eu", "uk", "cn", "none"} <= set(pack_names())
    for name in pack_names():
        for inst in load_pack(name).instruments.values():
            assert set(inst.figures()) <= set(inst.sources), (name, inst.title)


def test_every_pack_has_a_shipped_scenario_using_it():
    used = {s.key.split(".")[0] for name in scenario_names() for s in load_scenario(name).instruments()}
    assert set(pack_names()) <= used


def test_scenarios_command_lists_instruments():
    result = runner.invoke(app, ["scenarios", "--json"])
    assert result.exit_code == 0, result.output
    listing = {item["name"]: item for item in json.loads(result.output)}
    assert [i["name"] for i in listing["us-ira-2050"]["instruments"]] == ["us.45v", "us.45q"]
    assert listing["scope-1-net-zero-2050"]["instruments"] == []
    table = runner.invoke(app, ["scenarios"])
    assert table.exit_code == 0 and "us.45v, us.45q" in table.output


# ------------------------------------------------------------------ bad input


def test_unknown_instrument_names_the_known_ones(tmp_path):
    message = scenario_error(tmp_path, policies=["us.45x"])
    assert "policies" in message and "us.45x" in message and "us.45v" in message and "us.45q" in message


def test_unknown_pack_names_the_packs(tmp_path):
    message = scenario_error(tmp_path, policies=["fr.ets"])
    assert "fr.ets" in message and all(p in message for p in pack_names())


def test_unknown_instrument_type(tmp_path):
    message = scenario_error(tmp_path, policies=[{"name": "mine", "type": "feed_in_tariff", "title": "x"}])
    assert "feed_in_tariff" in message and "renewable_mandate" in message


@pytest.mark.parametrize(("tiers", "expected"), [
    ([{"above": 0, "below": 1.0, "share": 1}, {"above": 0.5, "below": 4, "share": 0.2}], "tiers overlap: 0.0-1.0 and 0.5-4.0"),
    ([{"above": 0, "below": 0.45, "share": 1}, {"above": 1.5, "below": 4, "share": 0.2}], "gap between 0.45 and 1.5"),
    ([{"above": 2, "below": 1, "share": 1}], "tier bounds 2.0 to 1.0"),
])  # fmt: skip
def test_bad_credit_tiers_name_their_bounds(tmp_path, tiers, expected):
    message = scenario_error(tmp_path, policies=[{"use": "us.45v", "tiers": tiers}])
    assert expected in message and "tiers" in message


def test_negative_grant_budget(tmp_path):
    message = scenario_error(tmp_path, policies=[{"use": "eu.innovation_fund", "cap": -5e6}])
    assert "cap" in message and "greater than or equal to 0" in message


def test_years_outside_the_horizon(tmp_path):
    # The horizon of periods 2025 and 2030 is 2025-2034.
    message = scenario_error(tmp_path, policies=[{"use": "eu.innovation_fund", "years": [2020, 2030]},
                                                 {"name": "share", "type": "renewable_mandate", "title": "x",
                                                  "share": {2040: 0.5}}])  # fmt: skip
    assert "years 2020 is outside the scenario's horizon 2025-2034" in message
    assert "share 2040 is outside" in message


def test_carbon_price_given_twice(tmp_path):
    message = scenario_error(tmp_path, carbon_price={2025: 80}, policies=["eu.ets"])
    assert "carbon_price is given twice" in message and "eu.ets" in message


def test_two_carbon_prices(tmp_path):
    assert "more than one carbon price" in scenario_error(tmp_path, policies=["eu.ets", "uk.ets"])


def test_field_not_of_the_instrument(tmp_path):
    message = scenario_error(tmp_path, policies=[{"use": "us.45q", "strike": 100}])
    assert "strike" in message and "not a field of a sequestration_credit" in message


def test_pack_file_without_sources_is_refused(tmp_path):
    path = write(tmp_path / "pack.yaml", {"jurisdiction": "xx", "title": "X", "instruments": {
        "ets": {"type": "carbon_price", "title": "X ETS", "prices": {2024: 10}}}})  # fmt: skip
    with pytest.raises(InputError) as caught:
        load_pack(path)
    assert str(path) in caught.value.message and "instruments.ets.prices" in caught.value.message


def test_pack_file_with_unknown_type_names_the_types(tmp_path):
    path = write(tmp_path / "pack.yaml", {"jurisdiction": "xx", "title": "X", "instruments": {
        "fit": {"type": "feed_in_tariff", "title": "X"}}})  # fmt: skip
    with pytest.raises(InputError) as caught:
        load_pack(path)
    assert "instruments.fit.type" in caught.value.message and "production_credit" in caught.value.message


def test_plan_with_bad_policies_exits_2_and_writes_nothing(tmp_path):
    cluster = write(tmp_path / "cluster.yaml", CLUSTER)
    scenario = write(tmp_path / "scenario.yaml", {**BASE, "policies": [{"use": "eu.innovation_fund", "cap": -1}]})
    out = tmp_path / "plan.json"
    result = runner.invoke(app, ["plan", cluster, "--scenario", scenario, "--json", str(out)])
    assert result.exit_code == 2, result.output
    assert "policies" in result.output and "Traceback" not in result.output
    assert not out.exists()


def test_cbam_for_an_eu_cluster_exits_2(tmp_path):
    cluster = write(tmp_path / "cluster.yaml", CLUSTER)
    scenario = write(tmp_path / "scenario.yaml", {**BASE, "policies": [{"use": "eu.cbam", "exports": {"steel": 0.3}}]})
    out = tmp_path / "plan.json"
    result = runner.invoke(app, ["plan", cluster, "--scenario", scenario, "--json", str(out)])
    assert result.exit_code == 2, result.output
    assert "CBAM" in result.output and "eu.ets" in result.output and not out.exists()


# ------------------------------------------------------------------ what the builder makes of them


def test_45v_tier_from_the_grid_factor(tmp_path):
    # Grid at 0.01 t/MWh = 0.01 kg/kWh; electrolysis (catalog efficiency eta) needs 33.3 / eta kWh per kg,
    # so the intensity is 0.333 / eta kg CO2e/kg: below 0.45 for eta > 0.74, else the 33.4 % tier.
    cluster = load_cluster(write(tmp_path / "cluster.yaml", CLUSTER))
    scenario = Scenario.model_validate({**BASE, "policies": ["us.45v"]})
    network = NetworkBuilder(cluster, scenario).build()
    (credit,) = network.policy.credits
    eta = float(network.ports.query("unit == '@cluster|electrolysis' and bus == '@cluster|hydrogen'")["coefficient"].iloc[0])
    share = 1.0 if 0.333 / eta < 0.45 else 0.334
    # 45V's $3.00 is money of 2022 (data/policies/us.yaml): to USD of 2024 by the CPI-U (+4.1 %, +2.9 %), which
    # has no 2025 rate, into EUR at 2024's 1.0824 USD per EUR, to EUR of 2025 by the HICP (+2.5 %).
    usd = 1.041 * 1.029 / 1.0824 * 1.025
    assert credit.per_flow["@cluster|electrolysis"] == pytest.approx(eta * 1000 / 33.3)
    assert credit.rate.tolist() == pytest.approx([3.0 * share * usd] * 2)
    assert credit.build_before == 2028 and credit.credit_years == 10


def test_cbam_unknown_exporter_is_named(tmp_path):
    data = copy.deepcopy(CLUSTER)
    data["country"] = "CN"
    data["currency"] = "CNY"
    data["members"][0]["sector"] = "steel"
    cluster = load_cluster(write(tmp_path / "cluster.yaml", data))
    scenario = Scenario.model_validate({**BASE, "policies": [{"use": "eu.cbam", "exports": {"nobody": 0.3}}]})
    with pytest.raises(PlanningError, match="nobody is neither a member"):
        NetworkBuilder(cluster, scenario).build()
    charged = Scenario.model_validate({**BASE, "policies": ["cn.ets", {"use": "eu.cbam", "exports": {"chem": 0.5}}]})
    (charge,) = NetworkBuilder(cluster, charged).build().policy.charges
    # 2025: phase-in 0; 2030: 48.5 % of (EU 67 EUR - China 95.96 CNY), both money of 2024, in CNY of 2025 (the
    # price year), on half the output: the yuan has no price index of its own, so it goes through the euro at
    # 2024's 7.7875 CNY per EUR, the HICP (+2.5 % in 2025) and 2025's 8.1185 CNY per EUR.
    to_2025 = 1.025 * 8.1185
    expected = 0.5 * 0.485 * (67 * to_2025 - 95.96 / 7.7875 * to_2025)
    assert charge.price.loc["chem|scope1"].tolist() == pytest.approx([0.0, expected])


def test_every_known_instrument_resolves():
    from clusterpath.policy.selection import resolve

    assert [s.key for s in resolve(known_instruments()[:1])] == known_instruments()[:1]


def test_plan_reports_a_grant_as_its_own_negative_cost(tmp_path):
    # A steam boiler on gas and a cap to zero by 2040: the heat pump is built, and the Innovation
    # Fund grant on it shows in the summary as grant_eu_innovation_fund < 0.
    data = copy.deepcopy(CLUSTER)
    data["members"][0]["demands"] = [
        {"service": "electricity", "carrier": "electricity", "final_energy": "2000 MWh"},
        {"service": "steam", "carrier": "natural_gas", "equipment": "boiler", "efficiency": 0.9,
         "useful_energy": "8760 MWh"}]  # fmt: skip
    cluster = write(tmp_path / "cluster.yaml", data)
    scenario = write(tmp_path / "scenario.yaml", {
        **BASE, "levers": ["heat_pump"], "policies": [{"use": "eu.innovation_fund", "levers": ["heat_pump"]}]})  # fmt: skip
    out = tmp_path / "plan.json"
    result = runner.invoke(app, ["plan", cluster, "--scenario", scenario, "--json", str(out)])
    assert result.exit_code == 0, result.output
    costs = json.loads(out.read_text())["cost_breakdown"]
    assert costs["grant_eu_innovation_fund"] < 0
    # The capex term counts the heat pump's full investment: the grant is 60 % of that at most.
    assert -costs["grant_eu_innovation_fund"] <= 0.6 * costs["capex"] * (1 + 1e-9)
