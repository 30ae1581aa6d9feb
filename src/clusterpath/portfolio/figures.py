"""Each cluster's figures for the portfolio: its baseline, its planned pathway, the jobs it creates.

Planning takes seconds to minutes a cluster, so the figures of a plan are kept on disk, keyed
by a hash of everything the plan depends on (the cluster, the scenario, the solver options and
the version of these figures): an unchanged cluster is not planned again. Clusters are planned
in parallel processes when asked. A plan that cannot be made (infeasible targets, a solver
stop, a cluster the planner cannot model) is recorded in the cluster's figures, not raised.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

from clusterpath import reference, workforce
from clusterpath.inventory import Inventory
from clusterpath.pathway.errors import PlanningError
from clusterpath.pathway.plan import DEFAULT_MIP_GAP, InfeasiblePlan, SolverStopped, plan
from clusterpath.portfolio.scorecard import scorecard
from clusterpath.schema import Cluster
from clusterpath.schema.scenario import Scenario

# Raise when what the figures hold or how they are computed changes: older cache files are then ignored.
FIGURES_VERSION = 5
DEFINITE = ("optimal", "infeasible", "not planned")

OnCluster = Callable[[str, bool], None]  # (cluster id, taken from the cache) after each cluster


def cluster_figures(cluster: Cluster, scenario: Scenario, *, time_limit: float | None = None,
                    mip_gap: float = DEFAULT_MIP_GAP) -> dict:  # fmt: skip
    """Baseline, pathway emissions by period, investment, jobs created and pillar scores, as plain data.

    Money is in the cluster's currency; the portfolio converts it.
    """
    try:
        result = plan(cluster, scenario, time_limit=time_limit, mip_gap=mip_gap, baseline=False)
    except (InfeasiblePlan, SolverStopped, PlanningError) as problem:
        status = {InfeasiblePlan: "infeasible", SolverStopped: "stopped"}.get(type(problem), "not planned")
        # The register still scores partnerships, policy and part of finance and technology.
        return _baseline_figures(cluster, scenario) | {"status": status, "message": str(problem),
                                                      "pillars": pillar_scores(cluster, scenario, None)}  # fmt: skip
    return figures_of(cluster, scenario, result)


def figures_of(cluster: Cluster, scenario: Scenario, result) -> dict:
    """A solved plan's figures (the platform stores them with each plan result)."""
    scopes = result.emissions_by("scope")
    # Scope 1 + 2, as the baseline inventory counts them.
    emissions = scopes[scopes.index.isin(["scope1", "scope2"])].sum()
    return _baseline_figures(cluster, scenario) | {
        "status": result.status, "pathway_tco2e": [[int(p), float(v)] for p, v in emissions.items()],
        "investment": sum(result.investment_by_period().values()),
        "jobs_created": jobs_created(result, cluster, scenario.target_year),
        "pillars": pillar_scores(cluster, scenario, result),
    }  # fmt: skip


def _baseline_figures(cluster: Cluster, scenario: Scenario) -> dict:
    totals = Inventory(cluster).totals
    return {
        "cluster": cluster.id, "name": cluster.name, "country": cluster.country, "kind": cluster.kind.value,
        "currency": cluster.currency, "illustrative": cluster.illustrative, "members": len(cluster.members),
        "scenario": scenario.name, "target_year": scenario.target_year,
        "baseline_tco2e": totals["total_tco2e"], "value_added": totals["value_added"], "jobs_direct": totals["jobs"],
        "status": "optimal", "message": None, "pathway_tco2e": [], "investment": None, "jobs_created": None,
        "pillars": None,
    }  # fmt: skip


def jobs_created(result, cluster: Cluster, target_year: int) -> dict:
    """Construction job-years of the whole plan and operation jobs in the target year (clusterpath.workforce).

    The cluster's own employment factors first, then those of its country where the factors have them,
    else the OECD's.
    Operation jobs are those of the last period not after the target year; None when no lever
    operating then has a sourced factor (unknown, not zero).
    """
    region = workforce.region_of(cluster.country)
    jobs = workforce.jobs_created(result, region=region, own=cluster.employment_factors)
    operation = {int(p): v for p, v in jobs["operation_jobs_by_period"].items() if int(p) <= target_year}
    missing = sorted({f"{row['lever']} ({row['phase']})" for row in jobs["no_factor"]})
    return {"region": region, "construction_job_years": jobs["construction_job_years"],
            "operation_jobs": operation[max(operation)] if operation else None, "levers_without_factor": missing}


def pillar_scores(cluster: Cluster, scenario: Scenario, result) -> dict[str, float | None]:
    """The four pillar scores, 0-100 (clusterpath.portfolio.scorecard, docs/scorecard.md)."""
    return scorecard(cluster, scenario, result).scores()


def cache_key(cluster: Cluster, scenario: Scenario, options: dict) -> str:
    # The reference data's hash: a plan made with other lead times or factors is not reused.
    payload = {"version": FIGURES_VERSION, "reference": reference.fingerprint(),
               "cluster": cluster.model_dump(mode="json"), "scenario": scenario.model_dump(mode="json"),
               "options": options}  # fmt: skip
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()[:32]


def _cached(folder: Path | None, key: str) -> dict | None:
    if folder is None:
        return None
    try:
        return json.loads((folder / f"{key}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None  # missing or half-written: plan again


def _store(folder: Path | None, key: str, figures: dict) -> None:
    # A solve cut short by the time limit may end elsewhere with more time: only definite outcomes are kept.
    if folder is None or figures["status"] not in DEFINITE:
        return
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f"{key}.{os.getpid()}.tmp"
    tmp.write_text(json.dumps(figures, indent=1), encoding="utf-8")
    tmp.replace(folder / f"{key}.json")


def all_figures(jobs: Sequence[tuple[Cluster, Scenario]], *, cache: Path | None = None, workers: int = 1,
                options: dict | None = None, on_cluster: OnCluster | None = None) -> list[dict]:  # fmt: skip
    """The figures of every (cluster, scenario), in order: from the cache or planned, ``workers`` at a time."""
    options = options or {}
    on_cluster = on_cluster or (lambda _id, _cached: None)
    # Only definite outcomes are kept (see _store), which a time limit does not change: it is not in the key.
    keyed = {name: value for name, value in options.items() if name != "time_limit"}
    keys = [cache_key(cluster, scenario, keyed) for cluster, scenario in jobs]
    out: list[dict | None] = [_cached(cache, key) for key in keys]
    for (cluster, _), figures in zip(jobs, out, strict=True):
        if figures is not None:
            on_cluster(cluster.id, True)
    todo = [i for i, figures in enumerate(out) if figures is None]

    def done(i: int, figures: dict) -> None:
        out[i] = figures
        _store(cache, keys[i], figures)
        on_cluster(figures["cluster"], False)

    if workers <= 1 or len(todo) <= 1:
        for i in todo:
            done(i, cluster_figures(*jobs[i], **options))
    else:
        with ProcessPoolExecutor(max_workers=min(workers, len(todo))) as pool:
            futures = {pool.submit(cluster_figures, *jobs[i], **options): i for i in todo}
            for future in as_completed(futures):
                done(futures[future], future.result())
    return out  # type: ignore[return-value]
