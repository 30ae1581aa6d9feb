"""Permitting and construction lead times: the earliest year a lever operates, and the critical path.

Clusters come from test_build.py (Belgium, base year 2023, one typical day). Lead times are
set with the scenario's ``lead_time_overrides`` so every expected year is worked out by hand.
"""

from __future__ import annotations

import json
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
import xarray as xr
import yaml
from typer.testing import CliRunner

from clusterpath.cli import app
from clusterpath.pathway.build import NetworkBuilder
from clusterpath.pathway.errors import PlanningError
from clusterpath.pathway.lead_times import critical_path, lead_time_table, lookup
from clusterpath.pathway.network import PathwayModel
from clusterpath.pathway.plan import InfeasiblePlan, plan
from clusterpath.schema import Cluster

from .test_build import BASE_YEAR, CATALOG, LAT, LON, cluster, gas, member, power, scenario

pytestmark = pytest.mark.filterwarnings("ignore::linopy.LinopySemanticsWarning")

HEAT_PUMP_7_YEARS = {"heat_pump": {"permitting_years": 4, "construction_years": 3}}
PRICE = 80.0  # EUR/MWh, the grid price of test_build.cluster


def heat_user(*extra) -> Cluster:
    """One member: 1,000 MWh of grid power and 8,760 MWh of low-temperature heat (1 MW flat) from a gas boiler."""
    return cluster(member("chem", [power(1000), gas("heat_low", 8760)]), *extra)


def raw(members: list[dict] | None = None, **extra) -> dict:
    """The cluster of test_build.cluster as a file would hold it, with a project register etc."""
    return {"id": "tiny", "name": "Tiny cluster", "country": "BE", "location": {"lat": LAT, "lon": LON}, "kind": "port",
            "currency": "EUR", "base_year": BASE_YEAR, "discount_rate": 0.05,
            "grid": {"emission_factor": {BASE_YEAR: "0.2 tCO2e/MWh"}, "electricity_price": {BASE_YEAR: 80}},
            "members": members or [member("chem", [power(1000), gas("heat_low", 8760)])], **extra}  # fmt: skip


def net_zero_2030(**kw):
    # Base year 2023, target 2030: the cap is zero in 2030 and 2035.
    return scenario(["heat_pump", "electric_boiler"], periods=[2030, 2035], target_year=2030, **kw)


def new(result, unit: str) -> dict[int, float]:
    return {int(p): float(v) for p, v in result.data["new_capacity"].sel(unit=unit).to_series().items()}


def energy(result, unit: str, period: int) -> float:
    return float(result.data["energy"].sel(unit=unit, period=period))


def buildable(network, unit: str) -> dict[int, bool]:
    labels = PathwayModel(network).new.labels.sel(unit=unit).to_series()
    return {int(p): bool(v >= 0) for p, v in labels.items()}


# -- the optimizer ------------------------------------------------------------------------------------


def test_a_lever_kept_out_of_2030_leaves_it_to_the_next_best_lever():
    """Heat pump decided in 2024 + 4 permitting + 3 construction = 2031: not in 2030, in 2035."""
    c = heat_user()
    late = plan(c, net_zero_2030(decision_year=2024, lead_time_overrides=HEAT_PUMP_7_YEARS), baseline=False)
    free = plan(c, net_zero_2030(lead_times=False), baseline=False)
    hp, boiler, grid = "chem|heat_pump:heat_low", "chem|electric_boiler:heat_low", "chem|buy:electricity"
    # Without lead times the heat pump serves the 1 MW of heat from 2030.
    assert new(free, hp)[2030] == pytest.approx(1.0, rel=1e-4)
    assert new(free, boiler)[2030] == pytest.approx(0.0, abs=1e-6)
    # With them, 2030 needs an electric boiler (net zero leaves no gas), and the heat pump comes in 2035.
    assert new(late, hp)[2030] == 0.0
    assert new(late, boiler)[2030] == pytest.approx(1.0, rel=1e-4)
    assert new(late, hp)[2035] == pytest.approx(1.0, rel=1e-4)
    # Grid power bought in 2030, by hand: 1,000 MWh + 8,760 MWh of heat / 0.99 (DEA electric boiler)
    # = 9,848.5 MWh, 787,879 EUR at 80 EUR/MWh; with the heat pump (COP 2.7, DEA 302.a in 2030, the
    # first period) from 2030: 1,000 + 8,760 / 2.7 = 4,244.4 MWh, 339,556 EUR. In 2035 the late plan's heat pump is
    # a 2035 vintage: COP 2.75 (halfway between the catalog's 2.7 in 2030 and 2.8 in 2040), 1,000 + 8,760 / 2.75 MWh.
    assert (CATALOG.number("electric_boiler_steam", "efficiency", 2030),
            CATALOG.number("industrial_heat_pump_medium_temperature", "efficiency", 2030)) == (0.99, 2.7)
    assert energy(late, grid, 2030) == pytest.approx(1000 + 8760 / 0.99, rel=1e-4)
    assert energy(late, grid, 2030) * PRICE == pytest.approx(787_879, rel=1e-4)
    assert energy(free, grid, 2030) * PRICE == pytest.approx(339_556, rel=1e-4)
    assert energy(late, grid, 2035) == pytest.approx(1000 + 8760 / 2.75, rel=1e-4)
    assert late.objective > free.objective


def test_the_decision_year_shifts_availability():
    c = heat_user()
    # 2027 + 1 + 1 = 2029 <= 2030: available; 2029 + 2 = 2031: not before 2035.
    times = {"heat_pump": {"permitting_years": 1, "construction_years": 1}}
    early = NetworkBuilder(c, net_zero_2030(decision_year=2027, lead_time_overrides=times)).build()
    late = NetworkBuilder(c, net_zero_2030(decision_year=2029, lead_time_overrides=times)).build()
    assert early.units.loc["chem|heat_pump:heat_low", "earliest_operation"] == 2029
    assert buildable(early, "chem|heat_pump:heat_low") == {2030: True, 2035: True}
    assert buildable(late, "chem|heat_pump:heat_low") == {2030: False, 2035: True}
    # Default decision year: the base year + 1 = 2024; 2024 + 7 = 2031.
    default = NetworkBuilder(c, net_zero_2030(lead_time_overrides=HEAT_PUMP_7_YEARS)).build()
    assert default.units.loc["chem|heat_pump:heat_low", "earliest_operation"] == 2031
    # Switched off, or a lever without a lead time: no restriction.
    off = NetworkBuilder(c, net_zero_2030(lead_times=False, lead_time_overrides=HEAT_PUMP_7_YEARS)).build()
    assert buildable(off, "chem|heat_pump:heat_low") == {2030: True, 2035: True}
    assert off.units.loc["chem|electric_boiler:heat_low", "earliest_operation"] == -np.inf
    # The electric boiler takes the shipped GLOBAL row: no permitting figure, 2024 + 0.5 of construction.
    assert default.units.loc["chem|electric_boiler:heat_low", "earliest_operation"] == 2024.5


def test_the_shipped_data_applies_by_country():
    """Belgium takes the EU onshore wind row: 2024 + 3.5 + 2.0 = 2029.5, after a 2025 period, before 2030."""
    c = cluster(member("chem", [power(8760)]), renewables=[{"type": "onshore_wind", "potential": "10 MW",
                                                            "full_load_hours": 2500}])  # fmt: skip
    n = NetworkBuilder(c, scenario(["onshore_wind"], periods=[2025, 2030])).build()
    wind = next(u for u in n.units.index if n.units.loc[u, "lever"] == "onshore_wind")
    assert n.units.loc[wind, "earliest_operation"] == pytest.approx(2029.5)
    assert buildable(n, wind) == {2025: False, 2030: True}


def test_a_committed_register_project_is_exempt_at_its_members_only():
    project = {"id": "hp-1", "name": "Heat pump", "lever": "heat_pump", "members": ["chem"], "operating_year": 2030}
    two = [member("chem", [power(1000), gas("heat_low", 8760)]), member("food", [gas("heat_low", 8760)], km_north=2)]

    def earliest(stage: str) -> dict[str, float]:
        c = Cluster.model_validate(raw(two, projects=[{**project, "stage": stage}]))
        n = NetworkBuilder(c, net_zero_2030(lead_time_overrides=HEAT_PUMP_7_YEARS)).build()
        return n.units.loc[["chem|heat_pump:heat_low", "food|heat_pump:heat_low"], "earliest_operation"].to_dict()

    # At final investment decision the project holds its permits: from its operating year 2030 (not 2031).
    assert earliest("final_investment_decision") == {"chem|heat_pump:heat_low": 2030, "food|heat_pump:heat_low": 2031}
    assert earliest("construction")["chem|heat_pump:heat_low"] == 2030
    # Still in feasibility: it has to be permitted like any other.
    assert earliest("feasibility")["chem|heat_pump:heat_low"] == 2031


def test_infeasible_because_of_lead_times_says_which_lever_and_when():
    c = heat_user()
    s = scenario(["heat_pump"], periods=[2030, 2035], target_year=2030, decision_year=2024,
                 lead_time_overrides=HEAT_PUMP_7_YEARS)  # fmt: skip
    with pytest.raises(InfeasiblePlan) as problem:
        plan(c, s, baseline=False)
    message = str(problem.value)
    assert "emission cap" in message and "2030" in message
    assert "'heat_pump' is not available before 2031: 4 years of permitting and 3 of construction" in message


# -- the critical path ----------------------------------------------------------------------------------


def fake_result(built: dict[str, int], periods=(2030, 2035, 2040)) -> SimpleNamespace:
    """A plan that builds one unit of each lever first in the given period."""
    index = pd.Index([f"@cluster|{k}" for k in built], name="unit")
    units = pd.DataFrame({"lever": list(built), "node": "@cluster"}, index=index)
    values = np.array([[1.0 if p >= year else 0.0 for p in periods] for year in built.values()])
    new = xr.DataArray(values, coords=[units.index, pd.Index(list(periods), name="build")])
    return SimpleNamespace(periods=list(periods), units=units, stores=pd.DataFrame(columns=["lever"]),
                           data=xr.Dataset({"new_capacity": new}))


def test_critical_path_by_hand():
    built = {"carbon_capture": 2035, "co2_network": 2035, "hydrogen_fuel": 2040, "hydrogen_network": 2040,
             "electrolysis": 2035, "heat_pump": 2030}  # fmt: skip
    times = {"co2_network": (4, 3), "carbon_capture": (1, 2), "hydrogen_network": (2, 2), "electrolysis": (2, 2),
             "hydrogen_fuel": (0, 1)}  # fmt: skip
    overrides = {k: {"permitting_years": p, "construction_years": b} for k, (p, b) in times.items()}
    c = heat_user()
    s = scenario(list(built), periods=[2030, 2035, 2040], target_year=2040, decision_year=2025,
                 lead_time_overrides=overrides)  # fmt: skip
    empty = pd.DataFrame(columns=["lever", "jurisdiction", "permitting_years", "construction_years", "source"])
    path = critical_path(fake_result(built), c, s, table=empty).set_index("lever")
    # co2_network: required by 2035 (capture needs it then); build by 2035 - 3 = 2032, permit by 2032 - 4 = 2028,
    # slack 2028 - 2025 = 3. carbon_capture: 2035 - 2 - 1 = 2032, slack 7. electrolysis: 2035 - 4 = 2031, slack 6.
    # hydrogen_network: 2040 - 4 = 2036, slack 11. hydrogen_fuel: 2040 - 1 = 2039, slack 14.
    assert path["latest_construction_start"].to_dict()["co2_network"] == 2032
    assert path["latest_permitting_start"].to_dict()["co2_network"] == 2028
    slack = path["slack_years"].dropna().astype(float).to_dict()
    assert slack == {"co2_network": 3, "carbon_capture": 7, "electrolysis": 6, "hydrogen_network": 11,
                     "hydrogen_fuel": 14}
    assert path.loc["heat_pump", "needed_by"] == 2030 and pd.isna(path.loc["heat_pump", "slack_years"])
    assert path.loc["hydrogen_fuel", "depends_on"] == "hydrogen_network, electrolysis"
    # Chains from what nothing else needs: capture -> CO2 network (least slack 3), hydrogen use -> network (11),
    # hydrogen use -> electrolysis (6). The first has the least slack, but 3 years of it: nothing is critical yet.
    assert path.attrs["least_slack_chain"] == ["carbon_capture", "co2_network"]
    assert path.attrs["critical_path"] == [] and not path["on_critical_path"].any()
    assert list(path.index) == ["heat_pump", "carbon_capture", "co2_network", "electrolysis", "hydrogen_fuel",
                                "hydrogen_network"]  # fmt: skip


def test_a_dependency_is_required_when_its_first_user_needs_it():
    # The CO2 network is first built in 2040, but capture runs from 2035: the network is required by 2035.
    c = heat_user()
    s = scenario(["carbon_capture", "co2_network"], periods=[2030, 2035, 2040], target_year=2040, decision_year=2025,
                 lead_time_overrides={"co2_network": {"permitting_years": 4, "construction_years": 3}})  # fmt: skip
    empty = pd.DataFrame(columns=["lever", "jurisdiction", "permitting_years", "construction_years", "source"])
    result = fake_result({"carbon_capture": 2035, "co2_network": 2040})
    path = critical_path(result, c, s, table=empty).set_index("lever")
    assert path.loc["co2_network", "needed_by"] == 2040 and path.loc["co2_network", "required_by"] == 2035
    assert path.loc["co2_network", "slack_years"] == 2035 - 7 - 2025
    # Capture has no lead time of its own, but it rides on the network's chain.
    assert path.attrs["least_slack_chain"] == ["carbon_capture", "co2_network"]


def test_a_committed_project_counts_from_its_operating_year():
    project = {"id": "net", "name": "CO2 network", "lever": "co2_network", "members": ["chem"],
               "stage": "construction", "operating_year": 2031}  # fmt: skip
    c = Cluster.model_validate(raw(projects=[project]))
    s = scenario(["co2_network"], periods=[2030, 2035], target_year=2035, decision_year=2025,
                 lead_time_overrides={"co2_network": {"permitting_years": 4, "construction_years": 3}})  # fmt: skip
    path = critical_path(fake_result({"co2_network": 2035}, (2030, 2035)), c, s).set_index("lever")
    assert path.loc["co2_network", "committed_projects"] == "net"
    assert path.loc["co2_network", "slack_years"] == 2035 - 2031
    assert pd.isna(path.loc["co2_network", "latest_permitting_start"])


# -- the data ---------------------------------------------------------------------------------------------


def test_lookup_country_then_region_then_global():
    assert lookup("onshore_wind", "ES")["permitting_years"] == 4.75  # Spain's own row
    eu = lookup("onshore_wind", "BE")  # no Belgian row: the EU average
    assert (eu["jurisdiction"], eu["permitting_years"], eu["construction_years"]) == ("EU", 3.5, 2.0)
    assert lookup("hydrogen_network", "US") is None  # no US, no GLOBAL row shipped
    table = pd.DataFrame({"lever": ["co2_network"] * 2, "jurisdiction": ["GLOBAL", "NL"], "permitting_years": [5, 2],
                          "construction_years": [3, 2], "source": ["s", "s"]})  # fmt: skip
    assert lookup("co2_network", "US", table)["jurisdiction"] == "GLOBAL"
    assert lookup("co2_network", "NL", table)["permitting_years"] == 2


@pytest.mark.parametrize(
    ("country", "lever", "jurisdiction", "earliest"),
    [
        # Decision year 2024 (base year 2023 + 1) plus the shipped permitting and construction years.
        ("US", "co2_network", "US", 2024 + 4.55 + 3.0),  # Moore et al. 5.5-9.6 y, midpoint 7.55
        ("GB", "co2_network", "GB", 2024 + 3.17 + 3.5),  # East Coast Cluster: Track-1 to FID, FID to start-up
        ("GB", "electrolysis", "GB", 2024 + 1.67 + 2.0),  # 20 months of consents, 2 years to build
        ("US", "solar_pv", "US", 2024 + 4.5 + 0.5),  # LBNL: 5 years from interconnection request
        ("US", "onshore_wind", "US", 2024 + 3.5 + 1.5),
        ("DK", "onshore_wind", "DK", 2024 + 2.5 + 1.5),  # Denmark's own row, not the EU's 3.5 + 2.0
        ("BE", "heat_network", "GLOBAL", 2024 + 2.5 + 1.0),  # no Belgian or EU row
        # Construction only (DEA datasheets, no permitting figure): a lower bound.
        ("BE", "geothermal", "GLOBAL", 2024 + 4.5),
        ("US", "carbon_capture", "GLOBAL", 2024 + 3.0),
        ("DE", "battery", "GLOBAL", 2024 + 0.2),
    ],
)
def test_shipped_lead_times_for_a_cluster_of_the_jurisdiction(country, lever, jurisdiction, earliest):
    c = heat_user().model_copy(update={"country": country})
    times = lead_time_table(c, scenario([lever]))
    assert times.loc[lever, "jurisdiction"] == jurisdiction
    assert times.loc[lever, "earliest_operation"] == pytest.approx(earliest)
    assert times.loc[lever, "source"].strip()


def test_a_lever_without_any_shipped_row_is_unrestricted():
    """No Dutch, EU or GLOBAL row for CO2 transport and storage: nothing holds it back."""
    # The Netherlands has no row of its own: the EU's (the United Kingdom's figure, the nearest sourced one) applies.
    c = heat_user().model_copy(update={"country": "NL"})
    row = lead_time_table(c, scenario(["co2_network"])).loc["co2_network"]
    assert (row["jurisdiction"], row["permitting_years"], row["construction_years"]) == ("EU", 3.17, 3.5)


def test_shipped_lead_times_are_levers_once_per_jurisdiction():
    from clusterpath import reference
    from clusterpath.schema.vocabulary import LEVERS

    table = reference.table("lead_times")
    assert set(table["lever"]) <= set(LEVERS)
    assert not table.duplicated(["lever", "jurisdiction"]).any()
    # An empty permitting cell (NaN) means no sourced figure; a given one is never negative.
    assert (table["permitting_years"].isna() | (table["permitting_years"] >= 0)).all()
    assert (table["construction_years"] > 0).all()
    # A construction-only row says so in its source.
    assert table.loc[table["permitting_years"].isna(), "source"].str.contains("permitting: no sourced figure").all()


# -- bad input ----------------------------------------------------------------------------------------------

runner = CliRunner()


def _plan(tmp_path, scenario_data: dict):
    (tmp_path / "cluster.yaml").write_text(yaml.safe_dump(raw()))
    (tmp_path / "scenario.yaml").write_text(yaml.safe_dump({"name": "lt", "periods": [2030, 2035], "typical_days": 1,
                                                            "levers": ["heat_pump", "electric_boiler"],
                                                            **scenario_data}))  # fmt: skip
    return runner.invoke(app, ["plan", str(tmp_path / "cluster.yaml"), "--scenario", str(tmp_path / "scenario.yaml"),
                               "--json", str(tmp_path / "out.json")])  # fmt: skip


@pytest.mark.parametrize("change, expected", [
    ({"decision_year": 2040}, "decision_year 2040 is after the last period 2035"),
    ({"decision_year": 2020}, "decision_year 2020 is before the cluster's base year 2023"),
    ({"lead_time_overrides": {"teleport": {"permitting_years": 1, "construction_years": 1}}},
     "unknown lever(s) teleport"),
    ({"lead_time_overrides": {"heat_pump": {"permitting_years": -1, "construction_years": 1}}}, "permitting_years"),
])  # fmt: skip
def test_bad_lead_time_input_exits_2(tmp_path, change, expected):
    result = _plan(tmp_path, change)
    assert result.exit_code == 2, result.output
    assert expected in " ".join(result.output.split())
    assert "Traceback" not in result.output and not (tmp_path / "out.json").exists()


def test_plan_json_has_the_critical_path(tmp_path):
    result = _plan(tmp_path, {"target_year": 2035, "decision_year": 2024, "lead_time_overrides": HEAT_PUMP_7_YEARS})
    assert result.exit_code == 0, result.output
    summary = json.loads((tmp_path / "out.json").read_text())
    rows = summary["critical_path"]
    assert summary["decision_year"] == 2024
    # The 2030 cut comes from an electric boiler (shipped: construction only, 0.5 years): build by 2029.5,
    # 2029.5 - 2024 = 5.5 years of slack at most, permitting unknown. The heat pump is needed in 2035:
    # permit by 2035 - 3 - 4 = 2028, 2028 - 2024 = 4 years of slack: the least, but slack, so not critical.
    assert [(r["lever"], r["needed_by"], r["slack_years"], r["permitting_unknown"], r["on_critical_path"])
            for r in rows] == [("electric_boiler", 2030, 5.5, True, False), ("heat_pump", 2035, 4.0, False, False)]
    boiler = rows[0]
    assert boiler["permitting_years"] is None and boiler["latest_permitting_start"] is None
    assert boiler["latest_construction_start"] == 2029.5
    assert "Lead times" in result.output
    printed = " ".join(result.output.split())
    assert "Permitting unknown (no sourced figure), construction only counted: electric_boiler" in printed
    # Dates as years or months (2029.5 is the start of July 2029), and nothing marked critical with slack.
    assert "Jul 2029" in printed and "2029.5" not in printed
    assert "* heat pump" not in printed and "nothing is critical: the least slack is 4 years (heat pump)" in printed


def test_decision_year_error_is_a_planning_error():
    with pytest.raises(PlanningError, match="before the cluster's base year"):
        NetworkBuilder(heat_user(), net_zero_2030(decision_year=2022)).build()


# -- construction only: no sourced permitting figure ----------------------------------------------------------

CONSTRUCTION_ONLY = pd.DataFrame({"lever": ["geothermal", "heat_network"], "jurisdiction": ["GLOBAL", "GLOBAL"],
                                  "permitting_years": [np.nan, 2.5], "construction_years": [4.5, 1.0],
                                  "source": ["s", "s"]})  # fmt: skip


def test_a_construction_only_lever_waits_for_its_construction():
    """Geothermal: empty permitting, 4.5 years of construction; decided in 2025: 2025 + 0 + 4.5 = 2029.5."""
    c = heat_user()
    times = lead_time_table(c, scenario(["geothermal"], decision_year=2025), CONSTRUCTION_ONLY)
    row = times.loc["geothermal"]
    assert pd.isna(row["permitting_years"]) and bool(row["permitting_unknown"])
    assert row["lead_time_years"] == 4.5 and row["earliest_operation"] == 2029.5


def test_the_mask_counts_construction_only():
    """The shipped heat pump row is construction only (0.6 y): decided in 2029, 2029.6 <= 2030; in 2030, 2030.6."""
    c = heat_user()
    early = NetworkBuilder(c, net_zero_2030(decision_year=2029)).build()
    late = NetworkBuilder(c, net_zero_2030(decision_year=2030)).build()
    assert early.units.loc["chem|heat_pump:heat_low", "earliest_operation"] == pytest.approx(2029.6)
    assert buildable(early, "chem|heat_pump:heat_low") == {2030: True, 2035: True}
    assert buildable(late, "chem|heat_pump:heat_low") == {2030: False, 2035: True}


def test_the_critical_path_marks_permitting_unknown():
    c = heat_user()
    s = scenario(["geothermal", "heat_network"], periods=[2030, 2035, 2040], target_year=2040, decision_year=2025)
    path = critical_path(fake_result({"geothermal": 2035, "heat_network": 2035}), c, s, CONSTRUCTION_ONLY)
    path = path.set_index("lever")
    # Geothermal: build by 2035 - 4.5 = 2030.5; no permitting start; slack counts construction: 2030.5 - 2025 = 5.5.
    geo = path.loc["geothermal"]
    assert bool(geo["permitting_unknown"]) and pd.isna(geo["latest_permitting_start"])
    assert geo["latest_construction_start"] == 2030.5 and geo["slack_years"] == 5.5 and geo["lead_time_years"] == 4.5
    # The heat network has both: build by 2034, permit by 2031.5, slack 6.5; the chain's least slack is 5.5.
    net = path.loc["heat_network"]
    assert not net["permitting_unknown"] and net["latest_permitting_start"] == 2031.5 and net["slack_years"] == 6.5
    assert path.attrs["least_slack_chain"] == ["geothermal", "heat_network"] and path.attrs["critical_path"] == []


def test_only_a_lever_without_slack_is_critical():
    """Issue 18: geothermal was marked critical with 15.5 years of slack. Critical means no slack left."""
    c = heat_user()
    times = {"co2_network": (4, 3), "carbon_capture": (5, 3)}
    overrides = {k: {"permitting_years": p, "construction_years": b} for k, (p, b) in times.items()}
    s = scenario(["carbon_capture", "co2_network", "heat_pump"], periods=[2030, 2035, 2040], target_year=2040,
                 decision_year=2027, lead_time_overrides=overrides)  # fmt: skip
    empty = pd.DataFrame(columns=["lever", "jurisdiction", "permitting_years", "construction_years", "source"])
    path = critical_path(fake_result({"carbon_capture": 2035, "co2_network": 2035}), c, s, table=empty)
    path = path.set_index("lever")
    # Capture: 2035 - 3 - 5 = 2027, slack 0: critical. The CO2 network: 2035 - 7 = 2028, slack 1: not critical,
    # though on the same chain.
    assert path["slack_years"].to_dict() == {"carbon_capture": 0.0, "co2_network": 1.0}
    assert path["on_critical_path"].to_dict() == {"carbon_capture": True, "co2_network": False}
    assert path.attrs["critical_path"] == ["carbon_capture"]


def test_the_gantt_draws_no_permitting_bar_where_permitting_is_unknown():
    from clusterpath.report.cluster import _critical_path

    c = heat_user()
    s = scenario(["geothermal", "heat_network"], periods=[2030, 2035, 2040], target_year=2040, decision_year=2025)
    section = _critical_path(critical_path(fake_result({"geothermal": 2035, "heat_network": 2035}), c, s,
                                           CONSTRUCTION_ONLY))  # fmt: skip
    gantt = section.charts[0].data
    phases = gantt.groupby("phase")["task"].apply(lambda t: sorted(t.str.contains("permitting unknown")))
    # Two construction bars (one of them marked permitting unknown), one permitting bar: the heat network's.
    assert phases["construction"] == [False, True] and phases["permitting"] == [False]
    assert "No sourced permitting figure for" in section.text
    years = section.tables[0].frame.set_index("lever")
    assert years["permitting, years"].tolist().count("unknown") == 1
    # Dates as years or months: geothermal's construction starts at 2030.5, July 2030.
    assert years["latest construction start"].tolist() == ["Jul 2030", "2034"]


def test_infeasible_because_of_construction_only_names_the_lever():
    c = heat_user()
    # Decided in 2030, the shipped heat pump row (0.6 years of construction, no permitting figure) misses 2030.
    s = scenario(["heat_pump"], periods=[2030, 2035], target_year=2030, decision_year=2030)
    with pytest.raises(InfeasiblePlan) as problem:
        plan(c, s, baseline=False)
    message = " ".join(str(problem.value).split())
    assert ("'heat_pump' is not available before 2030.6: permitting unknown (no sourced figure, not counted) and "
            "0.6 of construction from the decision year 2030") in message
