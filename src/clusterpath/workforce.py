"""The workforce a pathway needs: construction and operation jobs per period, member, lever and skill.

Employment factors (``data/employment_factors.csv``: job-years per MW built, jobs per MW in
operation) turn the plan's new and standing capacity into full-time equivalents (fte); occupational
shares (``data/occupational_shares.csv``) split them into skills. A lever the factors do not cover
gets no jobs and is listed under ``no_factor``, never counted as zero. docs/workforce.md has the
formulas, the timing rule and the sources.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from clusterpath import levers, reference
from clusterpath.io.errors import InputError
from clusterpath.pathway.capex import PART_OF
from clusterpath.pathway.hub import HUB
from clusterpath.pathway.result import PathwayResult
from clusterpath.schema.models import EmploymentFactor
from clusterpath.schema.vocabulary import LEVER_FAMILY, LEVERS

SHARED = "shared"  # the employer of hub assets: whoever operates the shared infrastructure
UNSPECIFIED = "unspecified"  # skill of jobs whose technology has no (or incomplete) occupational shares
DEFAULT_REGION = "OECD"
CLUSTER = "cluster"  # the region of a cluster's own factors (Cluster.employment_factors)
OWN = {"construction_job_years": "construction_job_years_per_mw", "operation_jobs": "om_jobs_per_mw",
       "manufacturing_job_years": "manufacturing_job_years_per_mw"}  # fmt: skip
COLUMNS = ["period", "member", "lever", "lever_family", "phase", "skill", "fte"]
FACTOR_COLUMNS = {"construction": "construction_job_years_per_mw", "operation": "om_jobs_per_mw",
                  "manufacturing": "manufacturing_job_years_per_mw"}  # fmt: skip
# Published shares are rounded to 0.1 %: a column within this many points of 100 % is rounding, else a gap.
ROUNDING_POINTS = 1.0
TOLERANCE = 1e-6


# Countries with their own employment factors in data/employment_factors.csv; others take the OECD's.
COUNTRY_REGIONS = {"US": "United States", "AU": "Australia", "GB": "United Kingdom"}


def region_of(country: str) -> str:
    """The set of employment factors for a cluster in ``country`` (ISO 3166-1 alpha-2)."""
    return COUNTRY_REGIONS.get(country, DEFAULT_REGION)


def regions() -> list[str]:
    return list(dict.fromkeys(reference.table("employment_factors")["region"]))


def factors(region: str = DEFAULT_REGION, own: Sequence[EmploymentFactor] = ()) -> pd.DataFrame:
    """One factor per technology and phase: the cluster's ``own``, else the region's, else the first
    other region's in the file.

    Indexed by (technology, phase); columns value (per capacity_unit: MW, or tCO2/h), region (where
    the factor comes from: ``cluster`` for its own), source.
    """
    known = regions()
    if region not in known:
        raise InputError("region", [f"'{region}' has no employment factors in employment_factors.csv; "
                                    f"expected one of: {', '.join(known)}"])  # fmt: skip
    table = reference.table("employment_factors")
    if own:
        given = pd.DataFrame([{"technology": f.technology, "capacity_unit": f.capacity_unit, "region": CLUSTER,
                               "source": f.source, **{column: getattr(f, field) for field, column in OWN.items()}}
                              for f in own])  # fmt: skip
        table = pd.concat([given, table], ignore_index=True)
    long = table.melt(id_vars=["technology", "capacity_unit", "region", "source"],
                      value_vars=list(FACTOR_COLUMNS.values()), var_name="column", value_name="value")
    long = long.dropna(subset=["value"])
    long["phase"] = long["column"].map({column: phase for phase, column in FACTOR_COLUMNS.items()})
    long["rank"] = long["region"].map({CLUSTER: 0, region: 1}).fillna(2)
    long = long.sort_values("rank", kind="stable").drop_duplicates(["technology", "phase"])
    return long.set_index(["technology", "phase"])[["value", "capacity_unit", "region", "source"]].sort_index()


def workforce(result: PathwayResult, region: str = DEFAULT_REGION, own: Sequence[EmploymentFactor] = (),
              first_year: int | None = None) -> pd.DataFrame:
    """Fte per period, member ("shared" for hub assets), lever, lever family, phase and skill.

    ``period`` is the first year of the years the work happens in: operation jobs in a plan period,
    construction jobs in the years before the capacity they build starts operating. ``attrs`` carries
    ``no_factor`` (levers built without a factor) and ``factors`` (the factors used, with sources).
    ``own``: the cluster's own factors, used first. ``first_year`` (the cluster's base year): no
    construction before it.
    """
    jobs = _jobs(result, factors(region, own), first_year)
    frame = jobs[jobs["phase"] != "manufacturing"]
    frame = _by_skill(frame).groupby(COLUMNS[:-1], as_index=False, sort=True)["fte"].sum()
    frame.attrs = {"no_factor": _no_factor(jobs), "factors": _used(jobs), "region": region}
    return frame


def jobs_created(result: PathwayResult, region: str = DEFAULT_REGION, own: Sequence[EmploymentFactor] = (),
                 first_year: int | None = None) -> dict:
    """Construction job-years (total, per period) and operation jobs per period, also by lever family.

    Manufacturing job-years are reported apart: equipment is rarely made where it is installed.
    """
    jobs = _jobs(result, factors(region, own), first_year)

    def per_period(rows: pd.DataFrame, column: str) -> dict[str, float]:
        return {str(int(p)): float(v) for p, v in rows.groupby("period")[column].sum().items()}

    def summary(rows: pd.DataFrame) -> dict:
        built = rows[rows["phase"] == "construction"]
        made = rows[rows["phase"] == "manufacturing"]
        return {"construction_job_years": float(built["job_years"].sum()),
                "construction_job_years_by_period": per_period(built, "job_years"),
                "operation_jobs_by_period": per_period(rows[rows["phase"] == "operation"], "fte"),
                "manufacturing_job_years": float(made["job_years"].sum()),
                "manufacturing_job_years_by_period": per_period(made, "job_years")}  # fmt: skip

    counted = jobs.dropna(subset=["fte"])
    return {"region": region, **summary(counted),
            "by_lever_family": {str(family): summary(rows) for family, rows in counted.groupby("lever_family")},
            "no_factor": _no_factor(jobs), "factors": _used(jobs)}  # fmt: skip


def shared_pool(frame: pd.DataFrame) -> pd.DataFrame:
    """Peak hiring per skill when each employer hires for its own peak, and when they share one pool.

    Employers are the members and the shared-infrastructure operator. Alone, each hires for its
    own peak over the periods; a pool shared across them hires for the peak of their total, which
    is never higher. Rows: skills and "total"; columns sum_of_own_peaks, pooled_peak, reduction,
    reduction_share.
    """
    per_employer = frame.groupby(["skill", "member", "period"])["fte"].sum()
    own = per_employer.groupby(["skill", "member"]).max().groupby("skill").sum()
    pooled = frame.groupby(["skill", "period"])["fte"].sum().groupby("skill").max()
    table = pd.DataFrame({"sum_of_own_peaks": own, "pooled_peak": pooled})
    table.loc["total"] = table.sum()
    table["reduction"] = table["sum_of_own_peaks"] - table["pooled_peak"]
    hired = table["sum_of_own_peaks"]
    table["reduction_share"] = (table["reduction"] / hired).where(hired > 0, 0.0)
    return table


# -- from capacity to jobs ---------------------------------------------------------------


def _jobs(result: PathwayResult, table: pd.DataFrame, first_year: int | None = None) -> pd.DataFrame:
    """One row per asset, phase and period: capacity, factor, job-years and fte (NaN without a factor)."""
    built, standing = _capacity(result)
    windows = _build_windows(result, first_year)
    rows = []
    for phase in ("construction", "manufacturing"):
        part = built.assign(phase=phase)
        # Capacity operating from period p is built evenly over the years before p (docs/workforce.md).
        part["years"] = part["period"].map(windows)
        part["period"] = (part["period"] - part["years"]).round().astype(int).clip(lower=first_year)
        rows.append(part)
    rows.append(standing.assign(phase="operation", years=1.0))
    jobs = pd.concat(rows, ignore_index=True)
    keys = pd.MultiIndex.from_frame(jobs[["technology", "phase"]])
    for column in ("value", "capacity_unit", "region", "source"):
        jobs[f"factor_{column}"] = table[column].reindex(keys).to_numpy()
    # A factor counts only capacity measured as it is (jobs per MW say nothing of a plant sized in tCO2/h).
    jobs["factor"] = jobs["factor_value"].where(jobs["factor_capacity_unit"] == jobs["capacity_unit"])
    # Construction and manufacturing: job-years spread over the build years; operation: jobs in each year.
    jobs["job_years"] = jobs["capacity"] * jobs["factor"]
    jobs["fte"] = jobs["job_years"] / jobs["years"]
    jobs["lever_family"] = jobs["lever"].map(lambda lever: str(LEVER_FAMILY[lever]))
    return jobs


def _capacity(result: PathwayResult) -> tuple[pd.DataFrame, pd.DataFrame]:
    """New capacity by the period it starts operating, and capacity in place, of every lever asset."""
    data = result.data
    units = result.units.assign(lever=result.units["lever"].replace(PART_OF))  # biogas CHP: wastewater plant
    units = _employment_technology(units[units["lever"].isin(LEVERS)])
    assets = [(units, data["new_capacity"].to_pandas(), data["capacity"].to_pandas(), units["capacity_unit"])]
    if "store_power" in data and not result.stores.empty:
        # Factors are per MW of power: a store counts by its lever's employment row (a battery by its inverter).
        stores = _employment_technology(result.stores[result.stores["lever"].isin(LEVERS)])
        stores["node"] = stores.index.str.split("|").str[0]
        power = data["store_power"].to_pandas()
        new = data["store_new_power"].to_pandas() if "store_new_power" in data else _increments(power)
        assets.append((stores, new, power, pd.Series("MW", index=stores.index)))
    built, standing = [], []
    for table, new, capacity, unit in assets:
        described = table[["node", "lever", "technology"]].assign(capacity_unit=unit)
        described["member"] = described.pop("node").where(lambda node: node != HUB, SHARED)
        built.append(_long(new.loc[table.index], described))
        standing.append(_long(capacity.loc[table.index], described))
    return pd.concat(built, ignore_index=True), pd.concat(standing, ignore_index=True)


def _employment_technology(assets: pd.DataFrame) -> pd.DataFrame:
    """The technology whose employment factors apply: the lever's employment row (levers.csv), else the asset's own."""
    rows = assets["lever"].map(lambda lever: levers.lever(lever).employment_row)
    return assets.assign(technology=rows.where(rows != "", assets["technology"]))


def _long(wide: pd.DataFrame, described: pd.DataFrame) -> pd.DataFrame:
    wide = wide.rename_axis(index="asset", columns="period")
    rows = wide.stack().rename("capacity").reset_index()
    rows = rows[rows["capacity"] > TOLERANCE]
    rows["period"] = rows["period"].astype(int)
    return rows.join(described, on="asset")


def _increments(power: pd.DataFrame) -> pd.DataFrame:
    """Store power added in each period, for results saved before new power was recorded."""
    return power.diff(axis=1).fillna(power).clip(lower=0.0)


def _build_windows(result: PathwayResult, first_year: int | None = None) -> dict[int, float]:
    """Years over which capacity starting in each period is built: back to the previous period
    (for the first, as many years as the first period stands for), but not before ``first_year``:
    what operates in the base year's period is built from the base year (at least one year)."""
    periods = result.periods
    first = float(result.data["period_years"].to_pandas().iloc[0])
    windows = {p: float(p - previous) for previous, p in zip(periods, periods[1:], strict=False)} | {periods[0]: first}
    if first_year is None:
        return windows
    return {p: max(1.0, min(years, p - first_year)) for p, years in windows.items()}


def _by_skill(jobs: pd.DataFrame) -> pd.DataFrame:
    counted = jobs.dropna(subset=["fte"])
    shares = _skill_shares()
    keys = counted[["technology", "phase"]].drop_duplicates()
    known = keys.merge(shares, on=["technology", "phase"], how="left")
    known["skill"] = known["skill"].fillna(UNSPECIFIED)
    known["share"] = known["share"].fillna(1.0)
    split = counted.merge(known, on=["technology", "phase"])
    split["fte"] = split["fte"] * split["share"]
    return split


def _skill_shares() -> pd.DataFrame:
    """Share of each skill in the jobs of a technology and phase; a gap in the published shares is 'unspecified'."""
    table = reference.table("occupational_shares").dropna(subset=["share_percent"])
    shares = table.groupby(["technology", "phase", "skill"], as_index=False)["share_percent"].sum()
    total = shares.groupby(["technology", "phase"])["share_percent"].transform("sum")
    rounding = (total - 100.0).abs() <= ROUNDING_POINTS
    shares["share"] = shares["share_percent"] / total.where(rounding, 100.0)
    gaps = shares[~rounding].groupby(["technology", "phase"], as_index=False)["share"].sum()
    gaps = gaps.assign(skill=UNSPECIFIED, share=1.0 - gaps["share"])
    return pd.concat([shares[["technology", "phase", "skill", "share"]], gaps], ignore_index=True)


def _no_factor(jobs: pd.DataFrame) -> list[dict]:
    missing = jobs[jobs["fte"].isna() & (jobs["phase"] != "manufacturing")]
    missing = missing.drop_duplicates(["lever", "technology", "phase"]).sort_values(["lever", "technology", "phase"])
    return [{"lever": row.lever, "lever_family": row.lever_family, "technology": row.technology, "phase": row.phase,
             "capacity_unit": row.capacity_unit,
             "reason": f"the factor is per {row.factor_capacity_unit}" if isinstance(row.factor_capacity_unit, str)
             else "no sourced employment factor"} for row in missing.itertuples()]  # fmt: skip


def _used(jobs: pd.DataFrame) -> list[dict]:
    used = jobs.dropna(subset=["fte"]).drop_duplicates(["technology", "phase"]).sort_values(["technology", "phase"])
    return [{"technology": row.technology, "phase": row.phase, "factor": float(row.factor),
             "unit": f"{'jobs' if row.phase == 'operation' else 'job-years'} per {row.capacity_unit}",
             "region": row.factor_region, "source": row.factor_source} for row in used.itertuples()]  # fmt: skip
