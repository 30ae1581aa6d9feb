"""Year on year: what changed between two annual submissions of the same initiative.

Clusters that joined or left, projects of the registers that moved stage, the emissions the
operating projects already avoid, and the change in the totals. The register and baseline
totals need no plan; the pathway totals (reduction potential, jobs created) are compared when
both years' assessments are given.
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
    current_year: int
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


def compare_years(previous: Portfolio, current: Portfolio, *, previous_assessment: PortfolioAssessment | None = None,
                  current_assessment: PortfolioAssessment | None = None) -> Progress:  # fmt: skip
    """The changes from ``previous`` to ``current``; raises InputError when they are not two years of one initiative."""
    _check_related(previous, current)
    before, after = previous.by_id(), current.by_id()
    moves, new, dropped = [], [], []
    for cluster_id in after.keys() & before.keys():
        old = {p.id: p for p in before[cluster_id].cluster.projects}
        for project in after[cluster_id].cluster.projects:
            row = {"cluster": cluster_id, "project": project.id, "name": project.name, "lever": project.lever,
                   "abatement_tco2e": project.abatement}  # fmt: skip
            if project.id not in old:
                new.append(row | {"stage": project.stage.value})
            elif old[project.id].stage != project.stage:
                ahead = STAGES.index(project.stage) > STAGES.index(old[project.id].stage)
                moves.append(row | {"from_stage": old[project.id].stage.value, "to_stage": project.stage.value,
                                    "direction": "forward" if ahead else "back"})  # fmt: skip
        kept = {p.id for p in after[cluster_id].cluster.projects}
        dropped += [{"cluster": cluster_id, "project": p.id, "name": p.name, "lever": p.lever, "stage": p.stage.value,
                     "abatement_tco2e": p.abatement} for p in old.values() if p.id not in kept]  # fmt: skip
    order = [m.cluster.id for m in current.clusters]
    totals = pd.DataFrame({"previous": register_totals(previous), "current": register_totals(current)})
    if previous_assessment is not None and current_assessment is not None:
        pathway = pd.DataFrame({"previous": {k: previous_assessment.totals[k] for k in PATHWAY_TOTALS},
                                "current": {k: current_assessment.totals[k] for k in PATHWAY_TOTALS}})  # fmt: skip
        totals = pd.concat([totals, pathway.astype(float)])
    totals["change"] = totals["current"] - totals["previous"]
    return Progress(
        initiative=current.id, previous_year=previous.year, current_year=current.year, currency=current.currency,
        new_clusters=[c for c in order if c not in before],
        departed_clusters=[m.cluster.id for m in previous.clusters if m.cluster.id not in after],
        stage_changes=_sorted(moves, MOVE_COLUMNS, order), new_projects=_sorted(new, PROJECT_COLUMNS, order),
        dropped_projects=_sorted(dropped, PROJECT_COLUMNS, [m.cluster.id for m in previous.clusters]), totals=totals,
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
            out["projects"] += 1
            out["projects_committed"] += project.stage in COMMITTED_STAGES
            operating = project.stage is ProjectStage.OPERATING
            out["projects_operating"] += operating
            # Emissions already avoided: what the operating projects abate a year.
            out["avoided_tco2e"] += (project.abatement or 0.0) if operating else 0.0
            out["investment_registered"] += (project.investment or 0.0) * rate
            out["committed"] += project.committed * rate
            out["public_funding"] += project.public_funding * rate
    return {k: float(v) for k, v in out.items()}


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


def _sorted(rows: list[dict], columns: list[str], order: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=columns)
    rank = {c: i for i, c in enumerate(order)}
    return frame.sort_values(["cluster", "project"], key=lambda s: s.map(rank) if s.name == "cluster" else s,
                             ignore_index=True)  # fmt: skip
