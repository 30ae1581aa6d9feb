"""Workforce of a pathway: jobs from capacity, their timing, skills and the gain of a shared pool.

The plans here are built by hand (a PathwayResult holding only what the workforce reads), so every
expected number is worked out below from the factors in data/employment_factors.csv.
"""

import json
import re

import numpy as np
import pandas as pd
import pytest
import yaml
import xarray as xr
from pydantic import ValidationError
from typer.testing import CliRunner

from clusterpath.cli import app
from clusterpath.io.errors import InputError
from clusterpath.pathway.result import PathwayResult
from clusterpath.schema.models import EmploymentFactor
from clusterpath.workforce import jobs_created, shared_pool, workforce

from .coalition.test_cluster_game import files  # noqa: F401  (a small cluster and scenario as files)

PERIODS = [2025, 2030, 2035]


def plan(units: list[tuple[str, str, str, str, str]], new: dict[str, dict[int, float]]) -> PathwayResult:
    """A result with ``units`` (name, node, lever, technology, capacity unit), built as ``new`` says.

    Capacity in place is what was built up to each period (no retirement within three periods).
    """
    names = [u[0] for u in units]
    table = pd.DataFrame(units, columns=["unit", "node", "lever", "technology", "capacity_unit"]).set_index("unit")
    built = pd.DataFrame(0.0, index=pd.Index(names, name="unit"), columns=pd.Index(PERIODS, name="build"))
    for name, by_period in new.items():
        for period, mw in by_period.items():
            built.loc[name, period] = mw
    capacity = built.cumsum(axis=1).rename_axis(columns="period")
    years = xr.DataArray(np.full(len(PERIODS), 5.0), coords=[pd.Index(PERIODS, name="period")])
    data = xr.Dataset({"new_capacity": built, "capacity": capacity, "period_years": years})
    return PathwayResult(status="ok", objective=0.0, currency="EUR", data=data, units=table, costs={},
                         buses=pd.DataFrame(), ports=pd.DataFrame(), stores=pd.DataFrame(), prices=pd.DataFrame(),
                         discount=pd.Series(dtype=float), meta={})  # fmt: skip


SOLAR = ("@cluster|solar_pv", "@cluster", "solar_pv", "solar_utility", "MW")


def fte(frame: pd.DataFrame, **where) -> float:
    rows = frame
    for column, value in where.items():
        rows = rows[rows[column] == value]
    return float(rows["fte"].sum())


def test_solar_construction_and_operation_jobs():
    # 100 MW of utility PV operating from 2030. OECD factors (Rutovitz et al. 2015, Table 1, PV):
    # construction 13.0 job-years/MW -> 1300 job-years, built evenly over 2025-2029 -> 1300 / 5 = 260 fte
    # in the period starting 2025; O&M 0.7 jobs/MW -> 70 fte in 2030 and 2035; manufacturing 6.7 -> 670.
    frame = workforce(plan([SOLAR], {SOLAR[0]: {2030: 100.0}}))
    assert set(frame.columns) == {"period", "member", "lever", "lever_family", "phase", "skill", "fte"}
    assert fte(frame, phase="construction", period=2025) == pytest.approx(260.0)
    assert fte(frame, phase="construction") == pytest.approx(260.0)
    assert fte(frame, phase="operation", period=2030) == pytest.approx(70.0)
    assert fte(frame, phase="operation", period=2035) == pytest.approx(70.0)
    assert fte(frame, phase="operation", period=2025) == 0.0
    assert set(frame["member"]) == {"shared"}
    assert set(frame["lever_family"]) == {"electrification_renewable_heat"}
    # Skills (Rutovitz et al. 2025, Table 5, utility-scale PV; its shares sum to 100.2 %, rounding):
    # electricians 15.9 % of 260 -> 260 * 15.9 / 100.2.
    assert fte(frame, phase="construction", skill="electrical") == pytest.approx(260 * 15.9 / 100.2)
    assert "unspecified" not in set(frame["skill"])

    jobs = jobs_created(plan([SOLAR], {SOLAR[0]: {2030: 100.0}}))
    assert jobs["construction_job_years"] == pytest.approx(1300.0)
    assert jobs["construction_job_years_by_period"] == pytest.approx({"2025": 1300.0})
    assert jobs["operation_jobs_by_period"] == pytest.approx({"2030": 70.0, "2035": 70.0})
    assert jobs["manufacturing_job_years"] == pytest.approx(670.0)
    family = jobs["by_lever_family"]["electrification_renewable_heat"]
    assert family["construction_job_years"] == pytest.approx(1300.0)
    assert jobs["no_factor"] == []


def test_first_period_is_built_in_the_years_before_the_plan():
    # 50 MW operating from 2025 (the first period, 5 years long) is built over 2020-2024:
    # 50 * 13.0 / 5 = 130 fte in the period labelled 2020.
    frame = workforce(plan([SOLAR], {SOLAR[0]: {2025: 50.0}}))
    assert fte(frame, phase="construction", period=2020) == pytest.approx(130.0)


def test_region_chooses_the_factors():
    # Australia (Rutovitz et al. 2025, Table 3, utility solar): 1.61 job-years/MW, 0.09 jobs/MW.
    jobs = jobs_created(plan([SOLAR], {SOLAR[0]: {2030: 100.0}}), region="Australia")
    assert jobs["construction_job_years"] == pytest.approx(161.0)
    assert jobs["operation_jobs_by_period"] == pytest.approx({"2030": 9.0, "2035": 9.0})


def test_skills_of_an_incomplete_published_column_leave_the_rest_unspecified():
    # Onshore wind O&M shares (Table 6) sum to 59.9 % without the unreadable electricians cell:
    # of 10 MW * 0.3 jobs/MW (OECD) = 3 fte, 40.1 % (1.203 fte) is 'unspecified'.
    wind = ("a|onshore_wind", "a", "onshore_wind", "onshore_wind", "MW")
    frame = workforce(plan([wind], {wind[0]: {2025: 10.0}}))
    operation = frame[(frame["phase"] == "operation") & (frame["period"] == 2025)]
    assert operation["fte"].sum() == pytest.approx(3.0)
    assert fte(operation, skill="unspecified") == pytest.approx(3.0 * 0.401)
    assert fte(operation, skill="mechanical_trades") == pytest.approx(3.0 * 0.227)


def test_levers_without_a_factor_are_listed_not_counted():
    # Electrolysis: no OECD row; O&M falls back to Rhodium Group 2023 (United States), 0.45 jobs/MW_e:
    # 20 MW -> 9 fte. It has no construction factor anywhere: listed under no_factor. Steel capture has
    # no factor at all: listed for both phases and absent from the table.
    electrolysis = ("@cluster|electrolysis", "@cluster", "electrolysis", "electrolysis_aec", "MW")
    capture = ("a|capture:co2_process", "a", "carbon_capture", "steel_capture_retrofit", "tCO2/h")
    result = plan([electrolysis, capture], {electrolysis[0]: {2030: 20.0}, capture[0]: {2030: 5.0}})
    jobs = jobs_created(result)
    assert jobs["operation_jobs_by_period"] == pytest.approx({"2030": 9.0, "2035": 9.0})
    missing = {(row["lever"], row["phase"]) for row in jobs["no_factor"]}
    assert ("electrolysis", "construction") in missing
    assert {("carbon_capture", "construction"), ("carbon_capture", "operation")} <= missing
    used = {(row["technology"], row["phase"]): row["region"] for row in jobs["factors"]}
    assert used[("electrolysis_aec", "operation")] == "United States"
    assert "carbon_capture" not in set(workforce(result)["lever"])


def test_capture_operation_jobs_per_tonne_an_hour():
    # Cement kiln capture, 10 tCO2/h operating from 2030: Padeswood (Hanson UK), 54 new roles for
    # 800,000 t/yr = 800,000 / 8760 = 91.324 tCO2/h -> 0.5913 jobs per tCO2/h -> 5.913 fte in 2030 and 2035.
    # Ammonia process-CO2 capture, 50 tCO2/h from 2035: CF Industries Donaldsonville, 12 jobs for
    # 6,000 t/day = 250 tCO2/h -> 0.048 per tCO2/h -> 2.4 fte in 2035. Neither has a construction factor.
    flue = ("a|capture:co2_flue", "a", "carbon_capture", "cement_capture", "tCO2/h")
    process = ("b|capture:co2_process", "b", "carbon_capture", "ammonia_capture_retrofit", "tCO2/h")
    result = plan([flue, process], {flue[0]: {2030: 10.0}, process[0]: {2035: 50.0}})
    jobs = jobs_created(result)  # OECD: both factors come from other regions' rows
    assert jobs["operation_jobs_by_period"] == pytest.approx({"2030": 5.913, "2035": 5.913 + 2.4})
    assert jobs["construction_job_years"] == 0.0
    assert jobs["by_lever_family"]["ccus"]["operation_jobs_by_period"]["2035"] == pytest.approx(8.313)
    missing = {(row["technology"], row["phase"]) for row in jobs["no_factor"]}
    assert missing == {("cement_capture", "construction"), ("ammonia_capture_retrofit", "construction")}
    used = {(row["technology"], row["phase"]): (row["region"], row["unit"]) for row in jobs["factors"]}
    assert used[("cement_capture", "operation")] == ("United Kingdom", "jobs per tCO2/h")
    assert used[("ammonia_capture_retrofit", "operation")] == ("United States", "jobs per tCO2/h")
    frame = workforce(result)
    assert fte(frame, member="a", phase="operation", period=2030) == pytest.approx(5.913)
    # A capture unit sized in another unit gets no jobs from a per-tCO2/h factor: it is listed with the reason.
    odd = ("c|capture:co2_flue", "c", "carbon_capture", "cement_capture", "MW")
    reasons = {row["reason"] for row in jobs_created(plan([odd], {odd[0]: {2030: 1.0}}))["no_factor"]}
    assert reasons == {"the factor is per tCO2/h", "no sourced employment factor"}


def test_every_electrolyser_type_has_operation_jobs():
    # Rhodium Group 2023: 45 O&M jobs at a 100 MW electrolytic facility, whatever the electrolyser.
    for technology in ("electrolysis_aec", "electrolysis_alkaline_large_jrc", "electrolysis_pem_small_jrc",
                       "electrolysis_soec"):  # fmt: skip
        unit = ("@cluster|electrolysis", "@cluster", "electrolysis", technology, "MW")
        jobs = jobs_created(plan([unit], {unit[0]: {2025: 40.0}}))
        assert jobs["operation_jobs_by_period"] == pytest.approx({"2025": 18.0, "2030": 18.0, "2035": 18.0})


def test_heat_pumps_air_capture_and_batteries():
    # Heat pump, 10 MW for 2035: 6.9 jobs/MW x 57 % construction = 3.933 job-years/MW (Rutovitz 2015,
    # Table 1 and section 4) -> 39.33 job-years over 2030-2034 -> 7.866 fte in 2030; no published skills.
    # DAC, 10 tCO2/h for 2030: 3,400 job-years per Mt/yr (Rhodium 2021) = 29.78 per tCO2/h -> 297.8;
    # O&M 330 jobs per 1 Mt/yr plant (Rhodium 2024, midpoint of 260-400) = 2.891 per tCO2/h -> 28.91 fte.
    # Battery, 40 MW of power for 2030: 0.53 job-years/MW (Rutovitz 2025 Table 3, the only region with
    # one) -> 21.2 job-years, 4.24 fte in 2025; O&M 0.03 x 40 = 1.2 fte in 2030 and 2035.
    pump = ("a|heat_pump:steam", "a", "heat_pump", "industrial_heat_pump_high_temperature", "MW")
    dac = ("@cluster|direct-air-capture", "@cluster", "direct_air_capture", "direct_air_capture", "tCO2/h")
    result = plan([pump, dac], {pump[0]: {2035: 10.0}, dac[0]: {2030: 10.0}})
    store = pd.Index(["@cluster|battery"], name="store")
    result.stores = pd.DataFrame({"lever": ["battery"], "technology": ["battery_storage"]}, index=store)
    new = xr.DataArray([[0.0, 40.0, 0.0]], coords=[store, pd.Index(PERIODS, name="build")])
    result.data["store_new_power"] = new
    result.data["store_power"] = xr.DataArray([[0.0, 40.0, 40.0]], coords=[store, pd.Index(PERIODS, name="period")])
    frame = workforce(result)
    assert fte(frame, lever="heat_pump", phase="construction", period=2030) == pytest.approx(39.33 / 5)
    assert set(frame.loc[frame["lever"] == "heat_pump", "skill"]) == {"unspecified"}
    assert fte(frame, lever="battery", phase="construction", period=2025) == pytest.approx(21.2 / 5)
    assert fte(frame, lever="battery", phase="operation", period=2035) == pytest.approx(1.2)
    jobs = jobs_created(result)
    assert jobs["construction_job_years"] == pytest.approx(39.33 + 297.8 + 21.2)
    assert jobs["by_lever_family"]["ccus"]["construction_job_years"] == pytest.approx(297.8)
    assert jobs["by_lever_family"]["ccus"]["operation_jobs_by_period"] == pytest.approx({"2030": 28.91, "2035": 28.91})
    missing = {(row["lever"], row["phase"]) for row in jobs["no_factor"]}
    assert missing == {("heat_pump", "operation")}
    used = {(row["technology"], row["phase"]): row["region"] for row in jobs["factors"]}
    assert used[("battery_inverter", "construction")] == "Australia"


def test_the_biogas_chp_counts_with_wastewater_treatment():
    # 2 MW of gas CHP (Rutovitz 2015 Table 1, Gas: 1.3 job-years/MW; O&M 0.14 x 1.5 = 0.21 for CHP)
    # -> 2.6 job-years and 0.42 fte in operation, under the lever it belongs to.
    chp = ("@cluster|biogas-chp", "@cluster", "biogas_chp", "gas_chp", "MW")
    frame = workforce(plan([chp], {chp[0]: {2030: 2.0}}))
    assert set(frame["lever"]) == {"wastewater_treatment"}
    assert set(frame["lever_family"]) == {"efficiency_circularity"}
    assert fte(frame, phase="construction") * 5 == pytest.approx(2.6)
    assert fte(frame, phase="operation", period=2030) == pytest.approx(0.42)


def test_a_plan_without_levers_has_no_jobs():
    frame = workforce(plan([SOLAR], {}))
    assert frame.empty and list(frame.columns) == ["period", "member", "lever", "lever_family", "phase", "skill", "fte"]
    assert jobs_created(plan([SOLAR], {}))["construction_job_years"] == 0.0
    assert shared_pool(frame).loc["total", "reduction"] == 0.0


def test_shared_pool_hires_for_the_peak_of_the_total():
    # Member a needs 10 electricians in 2025 and none later; b needs 6 in 2030 only.
    # Alone: 10 + 6 = 16 hired at their peaks; pooled: max(10, 6) = 10; reduction 6 (37.5 %).
    frame = pd.DataFrame({"period": [2025, 2030, 2025, 2030], "member": ["a", "a", "b", "b"],
                          "skill": ["electrical"] * 4, "fte": [10.0, 0.0, 0.0, 6.0]})  # fmt: skip
    pool = shared_pool(frame)
    assert pool.loc["electrical", "sum_of_own_peaks"] == pytest.approx(16.0)
    assert pool.loc["electrical", "pooled_peak"] == pytest.approx(10.0)
    assert pool.loc["electrical", "reduction"] == pytest.approx(6.0)
    assert pool.loc["electrical", "reduction_share"] == pytest.approx(0.375)
    assert pool.loc["total", "reduction"] == pytest.approx(6.0)


def test_shared_pool_of_two_members_building_in_turn():
    # a builds 10 MW PV for 2030 (construction 10 * 13.0 / 5 = 26 fte in 2025), b 10 MW for 2035
    # (26 fte in 2030); each then operates 10 * 0.7 = 7 fte. Electricians are C = 26 * 15.9 / 100.2 of
    # construction (Table 5) and O = 7 * 31.3 / 100.0 of operation (Table 6, utility PV).
    # Alone: a peaks at C (2025), b at C (2030): 2C. Pooled: 2025 C, 2030 O + C, 2035 2 O -> O + C.
    # Reduction 2C - (O + C) = C - O.
    a = ("a|solar_pv", "a", "solar_pv", "solar_utility", "MW")
    b = ("b|solar_pv", "b", "solar_pv", "solar_utility", "MW")
    frame = workforce(plan([a, b], {a[0]: {2030: 10.0}, b[0]: {2035: 10.0}}))
    construction, operation = 26 * 15.9 / 100.2, 7 * 31.3 / 100.0
    pool = shared_pool(frame)
    assert pool.loc["electrical", "sum_of_own_peaks"] == pytest.approx(2 * construction)
    assert pool.loc["electrical", "pooled_peak"] == pytest.approx(operation + construction)
    assert pool.loc["electrical", "reduction"] == pytest.approx(construction - operation)
    # Pooling per skill never needs more than hiring apart, and the total row adds the skills up.
    assert (pool["pooled_peak"] <= pool["sum_of_own_peaks"] + 1e-9).all()
    skills = pool.drop(index="total")
    assert pool.loc["total", "pooled_peak"] == pytest.approx(skills["pooled_peak"].sum())


def test_the_clusters_own_factors_come_first_and_fill_gaps():
    # Own factors: electrolysis construction 2.0 job-years/MW (none shipped) and PV O&M 0.5 jobs/MW (shipped
    # 0.7). 20 MW of electrolysis operating from 2030 -> 40 job-years built over 2025-2029; its O&M keeps the
    # shipped 0.45 -> 9 fte. 100 MW of PV: construction keeps the shipped 13.0 -> 1300; O&M 0.5 -> 50 fte.
    electrolysis = ("@cluster|electrolysis", "@cluster", "electrolysis", "electrolysis_aec", "MW")
    own = [EmploymentFactor(technology="electrolysis_aec", construction_job_years=2.0, source="site survey 2026"),
           EmploymentFactor(technology="solar_utility", operation_jobs=0.5, source="operator's staffing plan")]
    result = plan([SOLAR, electrolysis], {SOLAR[0]: {2030: 100.0}, electrolysis[0]: {2030: 20.0}})
    jobs = jobs_created(result, own=own)
    assert jobs["construction_job_years"] == pytest.approx(1300.0 + 40.0)
    assert jobs["operation_jobs_by_period"] == pytest.approx({"2030": 59.0, "2035": 59.0})
    assert jobs["no_factor"] == []
    used = {(row["technology"], row["phase"]): (row["region"], row["source"]) for row in jobs["factors"]}
    assert used[("electrolysis_aec", "construction")] == ("cluster", "site survey 2026")
    assert used[("solar_utility", "operation")] == ("cluster", "operator's staffing plan")
    assert used[("solar_utility", "construction")][0] == "OECD"
    # Without them the shipped factors count as before.
    assert jobs_created(result)["operation_jobs_by_period"]["2030"] == pytest.approx(70.0 + 9.0)


def test_a_factor_per_another_unit_counts_nothing_and_says_so():
    # The plan measures capture in tCO2/h: an own factor per MW cannot count it.
    capture = ("a|capture:co2_process", "a", "carbon_capture", "steel_capture_retrofit", "tCO2/h")
    own = [EmploymentFactor(technology="steel_capture_retrofit", operation_jobs=1.0, source="s")]
    jobs = jobs_created(plan([capture], {capture[0]: {2030: 5.0}}), own=own)
    assert jobs["operation_jobs_by_period"] == {}
    assert ("carbon_capture", "operation") in {(row["lever"], row["phase"]) for row in jobs["no_factor"]}


@pytest.mark.parametrize(("row", "message"), [
    ({"technology": "fusion", "operation_jobs": 1, "source": "s"}, "unknown technology(s) fusion"),
    ({"technology": "solar_utility", "source": "s"}, "gives no figure"),
    ({"technology": "solar_utility", "operation_jobs": -1, "source": "s"}, "greater than or equal to 0"),
    ({"technology": "solar_utility", "operation_jobs": 1}, "source"),
    ({"technology": "solar_utility", "operation_jobs": 1, "source": "s", "capacity_unit": "kW"}, "'MW', 'tCO2/h'"),
])  # fmt: skip
def test_bad_own_factors_are_refused(row, message):
    with pytest.raises(ValidationError, match=re.escape(message)):
        EmploymentFactor.model_validate(row)


def test_unknown_region_is_a_user_error():
    with pytest.raises(InputError, match="'Mars' has no employment factors.*OECD"):
        workforce(plan([SOLAR], {SOLAR[0]: {2030: 1.0}}), region="Mars")


# -- the command ---------------------------------------------------------------------------

runner = CliRunner()


@pytest.mark.filterwarnings("ignore::linopy.LinopySemanticsWarning")
def test_workforce_command_reports_jobs_skills_and_pool(files, tmp_path):  # noqa: F811
    cluster_file, scenario_file = files
    out = tmp_path / "tables"
    result = runner.invoke(app, ["workforce", cluster_file, "--scenario", scenario_file, "--json", "--csv", str(out)])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["region"] == "OECD" and payload["cluster"] == "four"
    # The skill table adds up to the jobs: construction fte x build years = job-years, operation fte = jobs.
    frame = pd.read_csv(out / "workforce.csv")
    operation = frame[frame["phase"] == "operation"].groupby("period")["fte"].sum()
    assert {str(p): v for p, v in operation.items()} == pytest.approx(payload["operation_jobs_by_period"])
    assert set(frame["member"]) <= {"a", "b", "c", "d", "shared"}
    pool = payload["shared_pool"]["total"]
    assert pool["pooled_peak"] <= pool["sum_of_own_peaks"] + 1e-9
    assert {"workforce.csv", "fte-by-skill.csv", "shared-pool.csv"} == {p.name for p in out.iterdir()}
    text = runner.invoke(app, ["workforce", cluster_file, "--scenario", scenario_file])
    assert text.exit_code == 0 and "Shared talent pool" in text.output


def test_workforce_command_unknown_region_exits_2_before_planning(files, tmp_path):  # noqa: F811
    cluster_file, scenario_file = files
    out = tmp_path / "tables"
    result = runner.invoke(app, ["workforce", cluster_file, "--scenario", scenario_file, "--region", "Atlantis",
                                 "--csv", str(out)])  # fmt: skip
    assert result.exit_code == 2
    assert "'Atlantis' has no employment factors" in result.output and "OECD" in result.output
    assert not out.exists()


@pytest.mark.filterwarnings("ignore::linopy.LinopySemanticsWarning")
def test_a_cluster_file_with_its_own_factors(files, tmp_path):  # noqa: F811
    # The cluster's own factors are read from its file, fill the shipped ones' gaps (heat pumps and electric
    # boilers have no shipped O&M factor) and are named as the factors used.
    cluster_file, scenario_file = files
    cluster = yaml.safe_load(open(cluster_file, encoding="utf-8"))
    heat = ["industrial_heat_pump_medium_temperature", "industrial_heat_pump_high_temperature", "electric_boiler_steam"]
    cluster["employment_factors"] = [{"technology": t, "operation_jobs": 0.1, "source": "operator's staffing plan"}
                                     for t in heat]  # fmt: skip
    own = tmp_path / "own.yaml"
    own.write_text(yaml.safe_dump(cluster), encoding="utf-8")
    result = runner.invoke(app, ["workforce", str(own), "--scenario", scenario_file, "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    ours = [row for row in payload["factors"] if row["region"] == "cluster"]
    assert ours and {row["technology"] for row in ours} <= set(heat) and {row["phase"] for row in ours} == {"operation"}
    assert not [row for row in payload["no_factor"] if row["technology"] in heat and row["phase"] == "operation"]
    cluster["employment_factors"][0]["technology"] = "fusion"
    own.write_text(yaml.safe_dump(cluster), encoding="utf-8")
    bad = runner.invoke(app, ["workforce", str(own), "--scenario", scenario_file])
    assert bad.exit_code == 2 and "employment_factors" in bad.output and "fusion" in bad.output


def test_no_construction_before_the_base_year():
    # Issue 18: a plan whose first period is 2025 drew construction in 2020, before the cluster's base year 2024.
    # 50 MW operating from 2025 can only be built in 2024: 50 * 13.0 = 650 job-years in that one year.
    frame = workforce(plan([SOLAR], {SOLAR[0]: {2025: 50.0}}), first_year=2024)
    assert frame.loc[frame["phase"] == "construction", "period"].min() == 2024
    assert fte(frame, phase="construction", period=2024) == pytest.approx(650.0)
    # Capacity operating from 2030 is still built over 2025-2029, and its job-years are unchanged.
    later = workforce(plan([SOLAR], {SOLAR[0]: {2030: 100.0}}), first_year=2024)
    assert fte(later, phase="construction", period=2025) == pytest.approx(260.0)
    jobs = jobs_created(plan([SOLAR], {SOLAR[0]: {2025: 50.0}}), first_year=2024)
    assert jobs["construction_job_years_by_period"] == pytest.approx({"2024": 650.0})


def test_capacity_operating_in_the_base_year_is_built_in_it():
    frame = workforce(plan([SOLAR], {SOLAR[0]: {2025: 50.0}}), first_year=2025)
    assert set(frame.loc[frame["phase"] == "construction", "period"]) == {2025}
    assert fte(frame, phase="construction") == pytest.approx(650.0)
