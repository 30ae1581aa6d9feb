"""The initiative's totals: emissions reduction potential, GDP and jobs, by cluster, country and continent.

``assess`` plans every cluster (or takes its figures from the cache) and ``summarize`` turns
the clusters' figures into the tables; both are pure functions of the loaded portfolio (no
printing, no files but the cache), so the platform can call them as well as the CLI.
docs/portfolio.md gives every formula.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from clusterpath.pathway.plan import DEFAULT_MIP_GAP
from clusterpath.portfolio.figures import OnCluster, all_figures
from clusterpath.portfolio.manifest import Portfolio
from clusterpath.portfolio.regions import continent

PILLARS = ("partnerships", "policy", "finance", "technology")
# Summed over clusters (money in the portfolio currency). Clusters without a plan add nothing to
# the pathway's figures; a total over no cluster at all is missing, not zero.
SUMS = ["baseline_tco2e", "reduction_target_year_tco2e", "reduction_cumulative_tco2e", "value_added", "jobs_direct",
        "construction_job_years", "operation_jobs", "investment"]  # fmt: skip


@dataclass(frozen=True)
class PortfolioAssessment:
    portfolio: dict  # id, name, year, currency, exchange rates
    clusters: pd.DataFrame  # one row per cluster
    totals: dict
    by_country: pd.DataFrame
    by_continent: pd.DataFrame

    def to_dict(self) -> dict:
        return {"portfolio": self.portfolio, "totals": self.totals, "by_country": records(self.by_country),
                "by_continent": records(self.by_continent), "clusters": records(self.clusters)}  # fmt: skip


def assess(portfolio: Portfolio, *, cache: Path | None = None, workers: int = 1, time_limit: float | None = None,
           mip_gap: float = DEFAULT_MIP_GAP, on_cluster: OnCluster | None = None) -> PortfolioAssessment:  # fmt: skip
    """Plan every cluster under its scenario and total the results in the portfolio's currency.

    ``cache`` is a folder keeping each cluster's figures between runs; ``workers`` plans that many
    clusters at once in separate processes; ``on_cluster(id, cached)`` is told of each cluster done.
    """
    options = {"mip_gap": mip_gap} | ({"time_limit": time_limit} if time_limit is not None else {})
    jobs = [(m.cluster, m.scenario) for m in portfolio.clusters]
    figures = all_figures(jobs, cache=cache, workers=workers, options=options, on_cluster=on_cluster)
    return summarize(portfolio, figures)


def summarize(portfolio: Portfolio, figures: list[dict]) -> PortfolioAssessment:
    """The tables from each cluster's figures (``figures.cluster_figures``), in the order of the portfolio."""
    meta = {"id": portfolio.id, "name": portfolio.manifest.name, "year": portfolio.year, "currency": portfolio.currency,
            "exchange_rates": {k: v.model_dump() for k, v in portfolio.manifest.exchange_rates.items()}}
    return tabulate(meta, figures, portfolio.rate, {m.cluster.id: m.joined for m in portfolio.clusters})


def tabulate(meta: dict, figures: list[dict], rate: Callable[[str], float],
             joined: dict[str, int | None] | None = None) -> PortfolioAssessment:  # fmt: skip
    """The tables from clusters' figures, money converted by ``rate(currency)`` (also used by the platform)."""
    rows = [_cluster_row(f, rate(f["currency"]), (joined or {}).get(f["cluster"])) for f in figures]
    clusters = pd.DataFrame(rows, columns=list(_cluster_row(EMPTY, 1.0, None))).set_index("cluster")
    totals = {
        "clusters": len(clusters),
        "countries": int(clusters["country"].nunique()),
        "continents": int(clusters["continent"].nunique()),
        "planned": int(clusters["planned"].sum()),
        "not_planned": [c for c, planned in clusters["planned"].items() if not planned],
        **{column: _total(clusters[column]) for column in SUMS},
        # Jobs are counted only where employment factors are sourced (docs/workforce.md): these add none.
        "levers_without_employment_factor": sorted({lever for text in clusters["levers_without_employment_factor"]
                                                    for lever in text.split(", ") if lever}),
    }
    return PortfolioAssessment(portfolio=meta, clusters=clusters, totals=totals, by_country=_group(clusters, "country"),
                               by_continent=_group(clusters, "continent"))  # fmt: skip


def reduction(baseline: float, pathway: list[list[float]], target_year: int) -> tuple[float, float, float]:
    """Pathway emissions in the target year, the reduction then, and the reduction summed over the years to it.

    Emissions between periods are linear (flat beyond the first and last); the cumulative sum runs
    over every year from the first period to the target year, both included:
    sum over y = first period .. target year of (baseline - E(y)).
    """
    periods = np.array([p for p, _ in pathway], dtype=float)
    values = np.array([v for _, v in pathway], dtype=float)
    at_target = float(np.interp(target_year, periods, values))
    years = np.arange(int(periods[0]), target_year + 1)
    cumulative = float((baseline - np.interp(years, periods, values)).sum())
    return at_target, baseline - at_target, cumulative


def _cluster_row(figures: dict, rate: float, joined: int | None) -> dict:
    planned = bool(figures["pathway_tco2e"])
    at_target = target_reduction = cumulative = np.nan
    if planned:
        at_target, target_reduction, cumulative = reduction(figures["baseline_tco2e"], figures["pathway_tco2e"],
                                                            figures["target_year"])  # fmt: skip
    jobs = figures.get("jobs_created") or {}
    pillars = figures.get("pillars") or {}
    return {
        "cluster": figures["cluster"], "name": figures["name"], "country": figures["country"],
        "continent": continent(figures["country"]), "kind": figures["kind"], "joined": joined,
        "currency": figures["currency"], "rate": rate, "scenario": figures["scenario"],
        "target_year": figures["target_year"], "status": figures["status"], "planned": planned,
        "baseline_tco2e": figures["baseline_tco2e"], "target_year_tco2e": at_target,
        "reduction_target_year_tco2e": target_reduction, "reduction_cumulative_tco2e": cumulative,
        "value_added": figures["value_added"] * rate, "jobs_direct": figures["jobs_direct"],
        "construction_job_years": _number(jobs.get("construction_job_years")),
        "operation_jobs": _number(jobs.get("operation_jobs")), "jobs_region": jobs.get("region"),
        "levers_without_employment_factor": ", ".join(jobs.get("levers_without_factor", [])),
        "investment": figures["investment"] * rate if figures["investment"] is not None else np.nan,
        **{f"{p}_score": _number(pillars.get(p)) for p in PILLARS},
        "message": figures["message"],
    }  # fmt: skip


# The columns of a table with no cluster in it.
EMPTY = {"cluster": "", "name": "", "country": "", "kind": "", "currency": "", "scenario": "", "target_year": 0,
         "status": "", "pathway_tco2e": [], "baseline_tco2e": 0.0, "value_added": 0.0, "jobs_direct": 0,
         "investment": None, "message": None}  # fmt: skip


def _number(value: float | None) -> float:
    """Missing figures are NaN in the tables (None in JSON)."""
    return np.nan if value is None else value


def _total(column: pd.Series) -> float | None:
    value = column.astype(float).sum(min_count=1)
    return None if np.isnan(value) else float(value)


def _group(clusters: pd.DataFrame, key: str) -> pd.DataFrame:
    grouped = clusters.groupby(key, sort=True)
    table = grouped[SUMS].sum(min_count=1)
    table.insert(0, "clusters", grouped.size())
    table.insert(1, "planned", grouped["planned"].sum().astype(int))
    if key == "country":
        table.insert(0, "continent", grouped["continent"].first())
    return table


def records(frame: pd.DataFrame) -> list[dict]:
    return [{k: plain(v) for k, v in r.items()} for r in frame.reset_index().to_dict(orient="records")]


def plain(value):
    """JSON-ready: numpy scalars as Python ones, NaN as None."""
    value = value.item() if isinstance(value, np.generic) else value
    return None if isinstance(value, float) and np.isnan(value) else value
