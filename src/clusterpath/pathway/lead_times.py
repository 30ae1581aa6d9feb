"""Permitting and construction lead times: when a lever can first operate, and the critical path to the target.

A lever's projects start permitting no earlier than the decision year; new capacity of the
lever operates from ``decision year + permitting + construction`` (docs/model.md, "Lead
times"). The years come from ``data/lead_times.csv``: the cluster's country, else its region
(EU), else GLOBAL; the scenario may give the cluster's own. An empty permitting figure means none
is sourced: the lever then waits for its construction only, a lower bound, and every table of
lead times marks it ``permitting_unknown``. Projects of the cluster's register
that are past their final investment decision already hold their permits.
"""

from __future__ import annotations

import calendar
import math

import numpy as np
import pandas as pd

from clusterpath import levers, reference
from clusterpath.schema import Cluster
from clusterpath.schema.scenario import Scenario
from clusterpath.schema.vocabulary import COMMITTED_STAGES, LEVERS

GLOBAL = "GLOBAL"
EU = "EU"
# Member states of the European Union (ISO 3166-1 alpha-2; Greece as GR).
EU_MEMBERS = frozenset("AT BE BG HR CY CZ DK EE FI FR DE GR IE IT LV LT LU MT NL PL PT RO SK SI ES SE".split())

# What each lever's projects need operating before they can run is the depends_on column of data/levers.csv:
# capture needs the CO2 network, hydrogen use the hydrogen network and a producer, stores what fills them.
TOLERANCE = 1e-6  # MW (or t/h, MWh) below which a lever is not built

COLUMNS = ["lever", "needed_by", "required_by", "earliest_operation", "permitting_years", "construction_years",
           "permitting_unknown", "lead_time_years", "latest_permitting_start", "latest_construction_start",
           "slack_years", "depends_on", "on_critical_path", "committed_projects", "jurisdiction", "source"]  # fmt: skip


def jurisdictions(country: str) -> list[str]:
    """Where to look for a country's lead time, most specific first."""
    return [country, *([EU] if country in EU_MEMBERS else []), GLOBAL]


def lookup(lever: str, country: str, table: pd.DataFrame | None = None) -> dict | None:
    """The lead time row of ``lever`` for ``country``: its own, else its region's, else GLOBAL; None if unknown."""
    table = reference.table("lead_times") if table is None else table
    row_name = (levers.lever(lever).lead_time_row if lever in levers.NAMES else "") or lever
    rows = table[table["lever"] == row_name].set_index("jurisdiction")
    for where in jurisdictions(country):
        if where in rows.index:
            row = rows.loc[where]
            # An empty cell reads as NaN: no sourced permitting figure.
            return {"permitting_years": float(row["permitting_years"]),
                    "construction_years": float(row["construction_years"]), "jurisdiction": where,
                    "source": str(row["source"])}  # fmt: skip
    return None


def decision_year(cluster: Cluster, scenario: Scenario) -> int:
    """First year projects can start permitting: the scenario's, else the year after the cluster's base year."""
    return scenario.decision_year if scenario.decision_year is not None else cluster.base_year + 1


def lead_time_table(cluster: Cluster, scenario: Scenario, table: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per lever of the scenario with a known lead time: years, where they come from, and the earliest operation."""
    start = decision_year(cluster, scenario)
    rows = []
    for lever in scenario.levers:
        if lever in scenario.lead_time_overrides:
            given = scenario.lead_time_overrides[lever]
            row = {"permitting_years": given.permitting_years, "construction_years": given.construction_years,
                   "jurisdiction": "scenario", "source": "scenario lead_time_overrides"}  # fmt: skip
        else:
            row = lookup(lever, cluster.country, table)
        if row is not None:
            unknown = math.isnan(row["permitting_years"])
            lead = (0.0 if unknown else row["permitting_years"]) + row["construction_years"]
            rows.append({"lever": lever, **row, "permitting_unknown": unknown, "lead_time_years": lead,
                         "earliest_operation": start + lead})  # fmt: skip
    columns = ["lever", "permitting_years", "construction_years", "permitting_unknown", "jurisdiction", "source",
               "lead_time_years", "earliest_operation"]  # fmt: skip
    return pd.DataFrame(rows, columns=columns).set_index("lever")


def committed_projects(cluster: Cluster) -> list:
    """Register projects past their final investment decision with an operating year: already permitted."""
    return [p for p in cluster.projects if p.stage in COMMITTED_STAGES and p.operating_year is not None]


def earliest_operation(assets: pd.DataFrame, times: pd.DataFrame, projects: list, hub: str) -> pd.Series:
    """First year new capacity of each asset (rows with ``node`` and ``lever``) can operate; -inf where unrestricted.

    A committed project's operating year binds its lever at its members, and at the hub, whose shared assets
    it builds: it already holds its permits, so it may come before the lever's lead time allows, and the
    cluster's own register says it comes no sooner (the earliest such project, where several cover an asset).
    """
    earliest = assets["lever"].map(times["earliest_operation"]).astype(float).fillna(-math.inf)
    register = pd.Series(math.inf, index=assets.index)
    for project in projects:
        covered = (assets["lever"] == project.lever) & (assets["node"].isin(project.members) | (assets["node"] == hub))
        register[covered] = np.minimum(register[covered], float(project.operating_year))
    return earliest.where(~np.isfinite(register), register)


# -- the critical path of a plan ----------------------------------------------------------------
def critical_path(result, cluster: Cluster, scenario: Scenario, table: pd.DataFrame | None = None) -> pd.DataFrame:
    """For each lever the plan builds by the target year: when it is needed, its lead time and slack.

    ``needed_by`` is the first period with new capacity of the lever; ``required_by`` the earlier of
    that and the ``required_by`` of every built lever depending on it (a network must run when the
    first user does). Latest construction start = required_by - construction; latest permitting
    start = that - permitting; slack = latest permitting start - decision year. A lever with a
    committed register project is already permitted: its lead time counts from that project's
    operating year (slack = required_by - operating year). A lever is critical when it has no slack
    (slack <= 0). ``attrs``: ``least_slack_chain``, the dependency chain whose least slack is smallest
    (ties: the longer chain), and ``critical_path``, its critical levers (none while it has slack).
    """
    start = decision_year(cluster, scenario)
    needed = _needed_by(result, scenario.target_year)
    times = lead_time_table(cluster, scenario, table)
    committed: dict[str, list] = {}
    for project in committed_projects(cluster):
        committed.setdefault(project.lever, []).append(project)
    depends = {lever: [d for d in levers.lever(lever).depends_on if d in needed] for lever in needed}
    required = dict(needed)
    for user in needed:
        for dependency in _closure(user, depends):
            required[dependency] = min(required[dependency], needed[user])
    rows = []
    for lever in sorted(needed, key=lambda k: (needed[k], k)):
        row = {"lever": lever, "needed_by": needed[lever], "required_by": required[lever],
               "depends_on": ", ".join(depends[lever]),
               "committed_projects": ", ".join(p.id for p in committed.get(lever, []))}  # fmt: skip
        if lever in committed:
            operating = min(p.operating_year for p in committed[lever])
            row |= {"earliest_operation": float(operating), "slack_years": float(required[lever] - operating),
                    "permitting_unknown": False, "jurisdiction": "register",
                    "source": "committed project(s) of the cluster's register"}  # fmt: skip
        elif lever in times.index:
            t = times.loc[lever]
            construction_start = required[lever] - t["construction_years"]
            permitting_start = construction_start - t["permitting_years"]  # NaN when permitting is unknown
            first_start = construction_start if t["permitting_unknown"] else permitting_start
            row |= {"earliest_operation": t["earliest_operation"], "permitting_years": t["permitting_years"],
                    "construction_years": t["construction_years"], "permitting_unknown": bool(t["permitting_unknown"]),
                    "lead_time_years": t["lead_time_years"], "latest_construction_start": construction_start,
                    "latest_permitting_start": permitting_start, "slack_years": first_start - start,
                    "jurisdiction": t["jurisdiction"], "source": t["source"]}  # fmt: skip
        rows.append(row)
    frame = pd.DataFrame(rows, columns=COLUMNS)
    slack = frame.set_index("lever")["slack_years"]
    chain = _critical_chain(slack, depends)
    # Critical: no slack left (permitting, or construction, must start in the decision year or is late).
    frame["on_critical_path"] = frame["slack_years"].astype(float).le(0).to_numpy()
    frame.attrs["least_slack_chain"] = chain
    frame.attrs["critical_path"] = [lever for lever in chain if slack[lever] <= 0]
    frame.attrs["decision_year"] = start
    return frame


def month_year(year: float | None) -> str:
    """A fractional year as a date a reader knows: 2026 -> '2026', 2026.5 -> 'Jul 2026' (the month it starts)."""
    if year is None or pd.isna(year):
        return "-"
    whole = math.floor(year)
    month = round((year - whole) * 12)
    if month == 12:
        whole, month = whole + 1, 0
    return str(whole) if month == 0 else f"{calendar.month_abbr[month + 1]} {whole}"


def _needed_by(result, target_year: int) -> dict[str, int]:
    """First period (up to the target year) in which each lever gets new capacity."""
    periods = [p for p in result.periods if p <= target_year]
    lever = result.units["lever"]
    new = result.data["new_capacity"].to_pandas().reindex(columns=periods).fillna(0.0)
    built = new.gt(TOLERANCE).groupby(lever.reindex(new.index).values).any()
    if "store_energy" in result.data:
        energy = result.data["store_energy"].to_pandas().reindex(columns=periods).fillna(0.0)
        # A store's capacity grows only by building: its first period with energy is its first build.
        stored = energy.gt(TOLERANCE).groupby(result.stores["lever"].reindex(energy.index).values).any()
        built = pd.concat([built, stored]).groupby(level=0).max()
    needed = {}
    for name, row in built.iterrows():
        if name in LEVERS and row.any():
            needed[name] = int(row.index[row.to_numpy().argmax()])
    return needed


def _closure(lever: str, depends: dict[str, list[str]]) -> list[str]:
    seen: list[str] = []
    stack = list(depends.get(lever, []))
    while stack:
        item = stack.pop()
        if item not in seen:
            seen.append(item)
            stack.extend(depends.get(item, []))
    return seen


def _chains(lever: str, depends: dict[str, list[str]]) -> list[list[str]]:
    """Every path from ``lever`` down through what it depends on."""
    below = depends.get(lever, [])
    if not below:
        return [[lever]]
    return [[lever, *tail] for dependency in below for tail in _chains(dependency, depends)]


def _critical_chain(slack: pd.Series, depends: dict[str, list[str]]) -> list[str]:
    """The dependency chain with the least slack (ties: the longer chain, then by name); [] without lead times."""
    used = {d for ds in depends.values() for d in ds}
    chains = [c for top in slack.index if top not in used for c in _chains(top, depends)]
    scored = [(float(slack[c].min()), -len(c), c) for c in chains if slack[c].notna().any()]
    return min(scored)[2] if scored else []
