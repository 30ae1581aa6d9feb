"""The assessment and the year-on-year changes as CSV files and as rich tables for the terminal."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
from rich.table import Table

from clusterpath.portfolio.assessment import PILLARS, PortfolioAssessment
from clusterpath.portfolio.progress import Progress

MT = 1e6


def write_csv(assessment: PortfolioAssessment, progress: Progress | None, folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    totals = {k: v for k, v in assessment.totals.items() if not isinstance(v, list)}
    tables = {"clusters": assessment.clusters, "by_country": assessment.by_country, "by_continent":
              assessment.by_continent, "totals": pd.Series(totals, name="value").to_frame()}  # fmt: skip
    if progress is not None:
        tables |= {"progress_totals": progress.totals, "stage_changes": progress.stage_changes.set_index("cluster"),
                   "new_projects": progress.new_projects.set_index("cluster"),
                   "dropped_projects": progress.dropped_projects.set_index("cluster")}  # fmt: skip
    written = []
    for name, frame in tables.items():
        path = folder / f"{name}.csv"
        frame.to_csv(path)
        written.append(path)
    return written


def _n(value, digits: int = 0, scale: float = 1.0) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return f"{value / scale:,.{digits}f}"


def _money(value, currency: str) -> str:
    text = _n(value, 2, 1e9)
    return text if text == "-" else f"{text} bn {currency}"


def assessment_tables(assessment: PortfolioAssessment) -> list[Table]:
    """Totals, by continent, by country and per cluster."""
    info, totals, currency = assessment.portfolio, assessment.totals, assessment.portfolio["currency"]
    head = Table(title=f"{info['name']} ({info['year']}): {totals['clusters']} clusters in {totals['countries']} "
                       f"countries on {totals['continents']} continents", show_header=False)  # fmt: skip
    head.add_column("total")
    head.add_column("value", justify="right")
    rows = [
        ("Baseline emissions, scope 1+2 (Mt CO2e/yr)", _n(totals["baseline_tco2e"], 2, MT)),
        ("Reduction potential in the target year (Mt CO2e/yr)", _n(totals["reduction_target_year_tco2e"], 2, MT)),
        ("Reduction potential, cumulative to the target year (Mt CO2e)",
         _n(totals["reduction_cumulative_tco2e"], 1, MT)),
        ("GDP: value added of the members", _money(totals["value_added"], currency)),
        ("Jobs directly in the clusters", _n(totals["jobs_direct"])),
        ("Jobs created: construction (job-years)", _n(totals["construction_job_years"])),
        ("Jobs created: operation (jobs in the target year)", _n(totals["operation_jobs"])),
        ("Investment of the pathways", _money(totals["investment"], currency)),
        ("Clusters planned", f"{totals['planned']} of {totals['clusters']}"),
    ]
    for label, value in rows:
        head.add_row(label, value)
    if totals["levers_without_employment_factor"]:
        head.caption = ("Jobs created count only levers with a sourced employment factor; none for: "
                        + ", ".join(totals["levers_without_employment_factor"]))
    tables = [head, _figures(assessment.by_continent, "By continent (UN M49 region)", currency),
              _figures(assessment.by_country, "By country", currency),
              _figures(assessment.clusters, "Clusters", currency)]  # fmt: skip
    pillars = Table(title="Pillar scores, 0-100 (docs/scorecard.md)")
    for column in ("cluster", *PILLARS):
        pillars.add_column(column, justify="left" if column == "cluster" else "right")
    for cluster, row in assessment.clusters.iterrows():
        pillars.add_row(cluster, *(_n(row[f"{p}_score"]) for p in PILLARS))
    tables.append(pillars)
    for cluster, row in assessment.clusters[~assessment.clusters["planned"]].iterrows():
        note = Table(title=f"{cluster}: no plan ({row['status']})", show_header=False)
        note.add_column("why")
        note.add_row(row["message"] or "")
        tables.append(note)
    return tables


def _figures(frame: pd.DataFrame, title: str, currency: str) -> Table:
    """Reduction potential, GDP and jobs of each row (continent, country or cluster)."""
    table = Table(title=f"{title}: Mt CO2e, GDP in bn {currency}")
    for column in ("", "baseline /yr", "reduction /yr", "cumulative", "GDP", "jobs", "construction job-yrs",
                   "operation jobs"):  # fmt: skip
        table.add_column(column, justify="left" if not column else "right")
    for key, row in frame.iterrows():
        table.add_row(str(key), _n(row["baseline_tco2e"], 2, MT), _n(row["reduction_target_year_tco2e"], 2, MT),
                      _n(row["reduction_cumulative_tco2e"], 1, MT), _n(row["value_added"], 2, 1e9),
                      _n(row["jobs_direct"]), _n(row["construction_job_years"]), _n(row["operation_jobs"]))  # fmt: skip
    return table


def progress_tables(progress: Progress) -> list[Table]:
    """New and departed clusters, projects that moved stage, and the change in the totals."""
    head = Table(title=f"Year on year: {progress.previous_year} to {progress.current_year}", show_header=False)
    head.add_column("what")
    head.add_column("clusters")
    head.add_row("New clusters", ", ".join(progress.new_clusters) or "none")
    head.add_row("Departed clusters", ", ".join(progress.departed_clusters) or "none")
    totals = Table(title=f"Change in the totals (money in {progress.currency})")
    for column in ("total", str(progress.previous_year), str(progress.current_year), "change"):
        totals.add_column(column, justify="left" if column == "total" else "right")
    for metric, row in progress.totals.iterrows():
        scale, digits = (MT, 2) if metric.endswith("tco2e") else (1e9, 2) if _is_money(metric) else (1.0, 0)
        label = metric.replace("_tco2e", " (Mt CO2e)") + (" (bn)" if _is_money(metric) else "")
        totals.add_row(label, *(_n(row[c], digits, scale) for c in ("previous", "current", "change")))
    moves = Table(title=f"Projects that moved stage ({len(progress.stage_changes)})")
    for column in ("cluster", "project", "lever", "from", "to", "abatement kt/yr"):
        moves.add_column(column)
    for row in progress.stage_changes.itertuples():
        moves.add_row(row.cluster, row.project, row.lever, row.from_stage, row.to_stage,
                      _n(row.abatement_tco2e, 0, 1e3))
    return [head, totals, moves]


def _is_money(metric: str) -> bool:
    return metric in ("value_added", "investment", "investment_registered", "committed", "public_funding")
