"""The report of an initiative's portfolio: totals, by country and continent, a map, and every cluster's pillars."""

from __future__ import annotations

import pandas as pd

from clusterpath.portfolio import Portfolio, PortfolioAssessment, Progress
from clusterpath.portfolio.scorecard import PILLARS
from clusterpath.report import content as c
from clusterpath.report.content import Chart, Report, Section, Table

MT = 1e6  # tonnes in a megatonne
REDUCTION = "reduction in the target year, MtCO2e/yr"


def portfolio_report(portfolio: Portfolio, assessment: PortfolioAssessment, progress: Progress | None = None) -> Report:
    money = assessment.portfolio["currency"]
    clusters = _clusters(portfolio, assessment.clusters, money)
    notes = []
    if any(member.cluster.illustrative for member in portfolio.clusters):
        notes.append("Some or all of the clusters' data are illustrative: made up to show the method, not measured.")
    if assessment.totals["not_planned"]:
        notes.append("Not planned (their reduction, investment and jobs created are not in the totals): "
                     + ", ".join(assessment.totals["not_planned"]) + ".")  # fmt: skip
    sections = [_totals(assessment, money), _map(clusters), _groups(assessment, money), _clusters_section(clusters),
                _pillars(assessment), _rates(assessment)]  # fmt: skip
    if progress is not None:
        sections.insert(1, _progress(progress))
    subtitle = (f"{assessment.totals['clusters']} clusters in {assessment.totals['countries']} countries on "
                f"{assessment.totals['continents']} continents; reporting year {assessment.portfolio['year']}; "
                f"money in {money} (docs/portfolio.md)")
    title = f"{assessment.portfolio['name']}: portfolio {assessment.portfolio['year']}"
    return Report(title, subtitle, notes, sections)


def _money(money: str) -> str:
    return f"billion {money}"


def _totals(assessment: PortfolioAssessment, money: str) -> Section:
    t = assessment.totals

    def value(key: str, scale: float = 1.0) -> float:
        return float("nan") if t.get(key) is None else t[key] / scale

    rows = [
        ("clusters", t["clusters"], "clusters"), ("countries", t["countries"], "countries"),
        ("continents", t["continents"], "continents"), ("clusters planned", t["planned"], "clusters"),
        ("baseline emissions, scope 1 + 2", value("baseline_tco2e", MT), "MtCO2e/yr"),
        ("reduction potential in each cluster's target year", value("reduction_target_year_tco2e", MT), "MtCO2e/yr"),
        ("reduction to the target year, cumulative", value("reduction_cumulative_tco2e", MT), "MtCO2e"),
        ("value added (GDP) of the members", value("value_added", 1e9), f"{_money(money)}/yr"),
        ("jobs in the members", value("jobs_direct"), "jobs"),
        ("construction jobs created by the pathways", value("construction_job_years"), "job-years"),
        ("operation jobs in the target year", value("operation_jobs"), "jobs"),
        ("investment of the pathways", value("investment", 1e9), _money(money)),
    ]  # fmt: skip
    text = ("The initiative's totals: baselines from each cluster's inventory, reductions from its least-cost pathway "
            "(baseline minus the pathway's emissions in the target year, and summed over the years to it), jobs "
            "created from employment factors per capacity built and run, money converted at the portfolio's rates.")
    return Section("totals", "Totals", text, tables=[Table("totals", "Totals",
                                                           pd.DataFrame(rows, columns=["indicator", "value", "unit"]))])


def _clusters(portfolio: Portfolio, table: pd.DataFrame, money: str) -> pd.DataFrame:
    where = {m.cluster.id: m.cluster.location for m in portfolio.clusters}
    out = pd.DataFrame({
        "cluster": table.index, "name": table["name"], "country": table["country"], "continent": table["continent"],
        "kind": table["kind"].map(c.label), "status": table["status"],
        "lon": [where[i].lon for i in table.index], "lat": [where[i].lat for i in table.index],
        "baseline, MtCO2e/yr": table["baseline_tco2e"] / MT, REDUCTION: table["reduction_target_year_tco2e"] / MT,
        "target year": table["target_year"], "cumulative reduction, MtCO2e": table["reduction_cumulative_tco2e"] / MT,
        f"value added, {_money(money)}/yr": table["value_added"] / 1e9, "jobs": table["jobs_direct"],
        "construction, job-years": table["construction_job_years"], "operation jobs": table["operation_jobs"],
        f"investment, {_money(money)}": table["investment"] / 1e9,
    }).reset_index(drop=True)  # fmt: skip
    return out


def _map(clusters: pd.DataFrame) -> Section:
    bubbles = clusters[["name", "lon", "lat", REDUCTION]].rename(columns={"name": "cluster"}).fillna({REDUCTION: 0.0})
    text = ("Each cluster at its location, its bubble's area proportional to its reduction potential in its target "
            "year; land outline from Natural Earth (public domain). A cluster not planned is drawn at the smallest "
            "size.")
    return Section("map", "Where the clusters are", text,
                   charts=[Chart("map", bubbles, "Reduction potential", "MtCO2e/yr")])


def _groups(assessment: PortfolioAssessment, money: str) -> Section:
    def table(frame: pd.DataFrame, key: str) -> pd.DataFrame:
        out = frame.reset_index().rename(columns={"index": key})
        scaled = {"baseline_tco2e": ("baseline, MtCO2e/yr", MT), "reduction_target_year_tco2e": (REDUCTION, MT),
                  "reduction_cumulative_tco2e": ("cumulative reduction, MtCO2e", MT),
                  "value_added": (f"value added, {_money(money)}/yr", 1e9), "jobs_direct": ("jobs", 1),
                  "construction_job_years": ("construction, job-years", 1), "operation_jobs": ("operation jobs", 1),
                  "investment": (f"investment, {_money(money)}", 1e9)}  # fmt: skip
        for column, (name, scale) in scaled.items():
            out[column] = out[column] / scale
        return out.rename(columns={column: name for column, (name, _) in scaled.items()})

    countries = table(assessment.by_country, "country")
    chart = countries[["country", REDUCTION]].rename(columns={REDUCTION: "reduction"}).fillna({"reduction": 0.0})
    text = "The totals by country and by continent: sums of the clusters' rows in the portfolio's currency."
    return Section("countries", "By country and continent", text,
                   charts=[Chart("bars", chart.sort_values("reduction", ascending=False),
                                 "Reduction potential by country", "MtCO2e/yr")],
                   tables=[Table("by country", "By country", countries),
                           Table("by continent", "By continent",
                                 table(assessment.by_continent, "continent"))])  # fmt: skip


def _clusters_section(clusters: pd.DataFrame) -> Section:
    text = "Every cluster's figures: its inventory, its pathway's reduction, the jobs it creates and its investment."
    return Section("clusters", "Clusters", text,
                   tables=[Table("clusters", "Clusters", clusters.drop(columns=["lon", "lat"]))])


def _pillars(assessment: PortfolioAssessment) -> Section:
    table = assessment.clusters
    scores = pd.DataFrame({"cluster": table.index, "name": table["name"],
                           **{f"{p}, 0-100": table[f"{p}_score"] for p in PILLARS}}).reset_index(drop=True)
    mean = pd.DataFrame({"name": "mean of the clusters", "pillar": list(PILLARS),
                         "score": [float(table[f"{p}_score"].mean()) for p in PILLARS]})
    text = ("Each cluster's four pillar scores (0-100, docs/scorecard.md) and, in the radar, their mean over the "
            "clusters that have one.")
    return Section("pillars", "Four pillars", text,
                   charts=[Chart("radar", mean.fillna({"score": 0.0}), "Pillar scores, mean of the clusters",
                                 "score, 0-100")],
                   tables=[Table("pillar scores", "Pillar scores by cluster", scores)])


def _rates(assessment: PortfolioAssessment) -> Section:
    rates = assessment.portfolio["exchange_rates"]
    money = assessment.portfolio["currency"]
    columns = ["currency", f"{money} per unit", "year", "source"]
    table = pd.DataFrame([[k, v["rate"], v["year"], v["source"]] for k, v in rates.items()], columns=columns)
    return Section("rates", "Exchange rates", "The rates money in other currencies was converted at, with sources.",
                   tables=[Table("exchange rates", "Exchange rates", table)])


def _progress(progress: Progress) -> Section:
    years = f"{progress.previous_year} to {progress.current_year}"
    totals = progress.totals.reset_index().rename(columns={"index": "indicator"})
    joined = ", ".join(progress.new_clusters) or "none"
    left = ", ".join(progress.departed_clusters) or "none"
    text = (f"What changed from {years} (docs/portfolio.md): every total of both years, and the register's projects "
            f"that moved stage, are new or were dropped. New clusters: {joined}. Departed: {left}. Emissions already "
            "avoided are what the projects operating in a year abate a year.")
    tables = [Table("year on year", f"Totals, {years}", totals)]
    for name, title, frame in (("moved stage", "Projects that moved stage", progress.stage_changes),
                               ("new projects", "New projects", progress.new_projects),
                               ("dropped projects", "Dropped projects", progress.dropped_projects)):  # fmt: skip
        if len(frame):
            tables.append(Table(name, title, frame.reset_index(drop=True)))
    return Section("progress", f"Since {progress.previous_year}", text, tables=tables)
