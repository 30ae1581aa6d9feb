"""Year on year: what changed between two years of the same initiative.

Clusters that joined or left, projects of the registers that moved stage, the emissions the
operating projects already avoid, and the change in the totals. The register and baseline
totals need no plan; the pathway totals (reduction potential, jobs created) are compared when
both years' assessments are given.

``compare`` works on plain tables (``YearTables``): the CLI builds them from two submission folders
(``compare_years``), the platform from a closed year and another or the live portfolio.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from clusterpath.inventory import Inventory
from clusterpath.io.errors import InputError
from clusterpath.portfolio.assessment import PortfolioAssessment, plain, records
from clusterpath.portfolio.manifest import Portfolio
from clusterpath.schema.vocabulary import COMMITTED_STAGES, ProjectStage

STAGES = list(ProjectStage)
PATHWAY_TOTALS = ["reduction_target_year_tco2e", "reduction_cumulative_tco2e", "construction_job_years",
                  "operation_jobs", "investment"]  # fmt: skip
MOVE_COLUMNS = ["cluster", "project", "name", "lever", "from_stage", "to_stage", "direction", "abatement_tco2e"]
PROJECT_COLUMNS = ["cluster", "project", "name", "lever", "stage", "abatement_tco2e"]


@dataclass(frozen=True)
class Progress:
    initiative: str
    previous_year: int
    current_year: int | None  # None: the live portfolio (platform)
    currency: str
    new_clusters: list[str]
    departed_clusters: list[str]
    stage_changes: pd.DataFrame  # projects in both years whose stage differs
    new_projects: pd.DataFrame
    dropped_projects: pd.DataFrame
    totals: pd.DataFrame  # metric -> previous, current, change

    def to_dict(self) -> dict:
        return {
            "initiative": self.initiative, "previous_year": self.previous_year, "current_year": self.current_year,
            "currency": self.currency, "new_clusters": self.new_clusters, "departed_clusters": self.departed_clusters,
            "stage_changes": records(self.stage_changes.set_index("cluster")),
            "new_projects": records(self.new_projects.set_index("cluster")),
            "dropped_projects": records(self.dropped_projects.set_index("cluster")),
            "totals": {metric: {k: plain(v) for k, v in row.items()} for metric, row in self.totals.iterrows()},
        }  # fmt: skip


@dataclass(frozen=True)
class YearTables:
    """One year of an initiative as plain tables, whatever it was read from (submission folders in the CLI,
    a closed year or the live portfolio on the platform): what ``compare`` needs and nothing more."""

    initiative: str
    year: int | None  # None: the portfolio as it stands now, no year closed yet
    currency: str
    clusters: list[str]  # cluster ids, in the initiative's order
    projects: list[dict]  # register projects: PROJECT_COLUMNS (stage as its value, abatement in tCO2e a year)
    totals: dict[str, float | None]  # metric -> value (None when missing)
    # The clusters whose whole register is in ``projects``; None: every cluster's. On the platform a cluster's
    # register is seen only while its coordinator shares it, and a register not seen is not an empty one.
    registers: list[str] | None = None

    def seen(self) -> set[str]:
        return set(self.clusters if self.registers is None else self.registers)


def compare_years(previous: Portfolio, current: Portfolio, *, previous_assessment: PortfolioAssessment | None = None,
                  current_assessment: PortfolioAssessment | None = None) -> Progress:  # fmt: skip
    """The changes from ``previous`` to ``current``; raises InputError when they are not two years of one initiative."""
    _check_related(previous, current)
    # The pathway's totals are compared only when both years were planned.
    both = previous_assessment is not None and current_assessment is not None
    return compare(year_tables(previous, previous_assessment if both else None),
                   year_tables(current, current_assessment if both else None))  # fmt: skip


def year_tables(portfolio: Portfolio, assessment: PortfolioAssessment | None = None) -> YearTables:
    """A submission's tables: its register and the totals that need no plan, and the pathway's with ``assessment``."""
    projects = [{"cluster": m.cluster.id, "project": p.id, "name": p.name, "lever": p.lever, "stage": p.stage.value,
                 "abatement_tco2e": p.abatement} for m in portfolio.clusters for p in m.cluster.projects]  # fmt: skip
    totals: dict[str, float | None] = dict(register_totals(portfolio))
    if assessment is not None:
        totals |= {k: assessment.totals[k] for k in PATHWAY_TOTALS}
    return YearTables(initiative=portfolio.id, year=portfolio.year, currency=portfolio.currency,
                      clusters=[m.cluster.id for m in portfolio.clusters], projects=projects, totals=totals)  # fmt: skip


def compare(previous: YearTables, current: YearTables) -> Progress:
    """The changes from ``previous`` to ``current``: the one comparison of the CLI and the platform.

    Projects are compared within the clusters of both years whose registers both years saw, by project id; a
    metric in one year's totals only is compared with a missing value (its change is missing too).
    """
    before, after = _by_cluster(previous.projects), _by_cluster(current.projects)
    kept = set(previous.clusters) & set(current.clusters) & previous.seen() & current.seen()
    moves, new, dropped = [], [], []
    for cluster_id in kept:
        old, now = before.get(cluster_id, {}), after.get(cluster_id, {})
        for project_id, row in now.items():
            if project_id not in old:
                new.append(row)
            elif old[project_id]["stage"] != row["stage"]:
                ahead = _rank(row["stage"]) > _rank(old[project_id]["stage"])
                moves.append({k: row[k] for k in MOVE_COLUMNS if k in row}
                             | {"from_stage": old[project_id]["stage"], "to_stage": row["stage"],
                                "direction": "forward" if ahead else "back"})  # fmt: skip
        dropped += [row for project_id, row in old.items() if project_id not in now]
    metrics = list(current.totals) + [k for k in previous.totals if k not in current.totals]
    totals = pd.DataFrame({"previous": [previous.totals.get(k) for k in metrics],
                           "current": [current.totals.get(k) for k in metrics]}, index=metrics).astype(float)  # fmt: skip
    totals["change"] = totals["current"] - totals["previous"]
    return Progress(
        initiative=current.initiative, previous_year=previous.year, current_year=current.year,
        currency=current.currency, new_clusters=[c for c in current.clusters if c not in previous.clusters],
        departed_clusters=[c for c in previous.clusters if c not in current.clusters],
        stage_changes=_sorted(moves, MOVE_COLUMNS, current.clusters),
        new_projects=_sorted(new, PROJECT_COLUMNS, current.clusters),
        dropped_projects=_sorted(dropped, PROJECT_COLUMNS, previous.clusters), totals=totals,
    )  # fmt: skip


def register_totals(portfolio: Portfolio) -> dict[str, float]:
    """Totals of one year that need no plan: baseline, economy and the project registers (money converted)."""
    out = dict.fromkeys(["clusters", "countries", "members", "baseline_tco2e", "value_added", "jobs_direct",
                         "projects", "projects_committed", "projects_operating", "avoided_tco2e",
                         "investment_registered", "committed", "public_funding"], 0.0)  # fmt: skip
    out["clusters"] = len(portfolio.clusters)
    out["countries"] = len({m.cluster.country for m in portfolio.clusters})
    for member in portfolio.clusters:
        cluster, rate = member.cluster, portfolio.rate(member.cluster.currency)
        inventory = Inventory(cluster).totals
        out["members"] += len(cluster.members)
        out["baseline_tco2e"] += inventory["total_tco2e"]
        out["value_added"] += inventory["value_added"] * rate
        out["jobs_direct"] += inventory["jobs"]
        for project in cluster.projects:
            out["investment_registered"] += (project.investment or 0.0) * rate
            out["committed"] += project.committed * rate
            out["public_funding"] += project.public_funding * rate
    counts = register_counts([{"stage": p.stage.value, "abatement_tco2e": p.abatement}
                              for m in portfolio.clusters for p in m.cluster.projects])  # fmt: skip
    out |= {k: counts[k] for k in ("projects", "projects_committed", "projects_operating", "avoided_tco2e")}
    return {k: float(v) for k, v in out.items()}


def register_counts(projects: list[dict]) -> dict[str, float]:
    """The register totals that need no money, from project rows (PROJECT_COLUMNS): what a cluster that shares
    its register with an initiative's analysts lets them count. Named as in ``register_totals``, plus a count
    per stage."""
    stages = [ProjectStage(row["stage"]) for row in projects]
    out = {"projects": float(len(projects)), "projects_committed": float(sum(s in COMMITTED_STAGES for s in stages))}
    out |= {f"projects_{stage.value}": float(stages.count(stage)) for stage in STAGES}
    # Emissions already avoided: what the operating projects abate a year (as in register_totals).
    operating = [row for row, stage in zip(projects, stages, strict=True) if stage is ProjectStage.OPERATING]
    out["avoided_tco2e"] = float(sum(row.get("abatement_tco2e") or 0.0 for row in operating))
    return out


def _check_related(previous: Portfolio, current: Portfolio) -> None:
    problems = []
    if previous.id != current.id:
        problems.append(f"id: '{current.id}' is not the initiative of the previous year's {previous.source} "
                        f"('{previous.id}'): compare two years' submissions of the same initiative")  # fmt: skip
    if previous.year >= current.year:
        problems.append(f"year: {current.year} is not after the previous submission's year {previous.year} "
                        f"({previous.source}): give the earlier year as the previous one")  # fmt: skip
    before = previous.by_id()
    for member in current.clusters:
        old = before.get(member.cluster.id)
        if old is None:
            continue
        differs = [f"{field} '{getattr(old.cluster, field)}' then, '{getattr(member.cluster, field)}' now"
                   for field in ("country", "name") if getattr(old.cluster, field) != getattr(member.cluster, field)]
        if differs:
            problems.append(f"cluster '{member.cluster.id}' ({member.file}) is not the same cluster as in "
                            f"{previous.source} ({old.file}): {'; '.join(differs)}. Give a new cluster its own id")
    if problems:
        raise InputError(current.source, problems)


def _by_cluster(projects: list[dict]) -> dict[str, dict[str, dict]]:
    out: dict[str, dict[str, dict]] = {}
    for row in projects:
        out.setdefault(row["cluster"], {})[row["project"]] = {k: row.get(k) for k in PROJECT_COLUMNS}
    return out


def _rank(stage: str) -> int:
    return STAGES.index(ProjectStage(stage))


def _sorted(rows: list[dict], columns: list[str], order: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=columns)
    rank = {c: i for i, c in enumerate(order)}
    return frame.sort_values(["cluster", "project"], key=lambda s: s.map(rank) if s.name == "cluster" else s,
                             ignore_index=True)  # fmt: skip
