"""The report of one cluster: baseline, pathway, abatement, costs, the split of costs, and what else is known."""

from __future__ import annotations

import numpy as np
import pandas as pd

from clusterpath.inventory import Inventory
from clusterpath.pathway.lead_times import critical_path, month_year
from clusterpath.pathway.result import PathwayResult
from clusterpath.portfolio.scorecard import Scorecard, scorecard
from clusterpath.report import content as c
from clusterpath.report.content import Chart, Report, Section, Table
from clusterpath.schema import Cluster
from clusterpath.schema.scenario import Scenario
from clusterpath.workforce import region_of, shared_pool, workforce


def cluster_report(cluster: Cluster, scenario: Scenario, summary: dict, allocation: dict | None = None,
                   result: PathwayResult | None = None) -> Report:  # fmt: skip
    """``summary`` is ``PathwayResult.summary()``; ``allocation`` is ``Allocation.to_dict()`` (None: no section).

    With the plan's ``result`` (the same plan as the summary) the report adds the workforce and the
    critical path, and the scorecard reads the plan; without it the scorecard reads the register alone.
    """
    inventory = Inventory(cluster)
    year = c.target_period(summary)
    notes = []
    if cluster.illustrative:
        notes.append("The cluster's data are illustrative: made up to show the method, not measured.")
    if summary["status"] != "optimal":
        notes.append(f"The solver stopped before proving the plan optimal ({summary['status']}).")
    if summary.get("member_groups"):
        notes.append("Alike members were solved as groups: each member's figures are its share of its group's plan.")
    sections = [
        _key_figures(cluster, inventory, summary, allocation),
        _baseline(cluster, inventory),
        _waterfall(summary, inventory, year),
        _pathway(summary),
        _macc(summary, year),
        _costs(summary),
    ]
    if summary.get("why_this_plan") or summary.get("investment_by_member"):
        sections.append(_why(summary))
    if allocation is not None:
        sections.append(_allocation(allocation, cluster.currency))
    sections.append(_scorecard(scorecard(cluster, scenario, result), cluster.name))
    if result is not None:
        sections.append(_workforce(workforce(result, region_of(cluster.country), cluster.employment_factors,
                                             first_year=cluster.base_year)))
        sections.append(_critical_path(critical_path(result, cluster, scenario)))
    else:
        notes.append("The plan's deployment was not at hand (pathway/pathway.nc): the workforce and the critical "
                     "path are left out, and the scorecard reads the project register alone.")
    kind = c.label(cluster.kind.value)
    subtitle = (f"{kind} in {cluster.country}, {len(cluster.members)} members; scenario {scenario.name}; "
                f"currency {cluster.currency} (real, base year {cluster.base_year})")
    return Report(f"{cluster.name}: path to net zero", subtitle, notes, sections)


def _key_figures(cluster, inventory, summary, allocation) -> Section:
    # The plan's money is of one price year (docs/model.md, 6.8); value added is the inventory's own year.
    money = cluster.currency
    plan_money = f"{money} of {summary['price_year']}" if summary.get("price_year") else money
    year = c.target_period(summary)
    totals = inventory.totals
    base = totals["total_tco2e"]
    residual = summary["emissions_tco2e"][str(year)]
    rows = [
        ("members", len(cluster.members), "companies"),
        ("value added", totals["value_added"] / 1e6, f"million {money}/yr"),
        ("jobs in the members", totals["jobs"], "jobs"),
        (f"scope 1 + 2 emissions in {cluster.base_year} (inventory)", base, "tCO2e/yr"),
        (f"emissions in {year} on the pathway", residual, "tCO2e/yr"),
        (f"reduction from {cluster.base_year} to {year}", 100 * (base - residual) / base if base else np.nan, "%"),
        ("net present cost of the pathway", summary["objective"] / 1e6, f"million {plan_money}"),
        ("investment over the pathway", sum(summary["investment_by_period"].values()) / 1e6, f"million {plan_money}"),
    ]
    if (per_tonne := summary.get("levelized_costs", {}).get("abatement_per_tco2e")) is not None:
        rows.append(("average cost of abatement against today's equipment", per_tonne, f"{plan_money}/tCO2e"))
    if allocation is not None:
        alone = sum(allocation["standalone"].values())
        rows.append(("collaboration dividend (each member alone minus together)", (alone - allocation["total"]) / 1e6,
                     f"million {plan_money}"))
    table = pd.DataFrame(rows, columns=["indicator", "value", "unit"])
    return Section("summary", "Key figures", "The cluster in its base year and where the least-cost pathway takes it.",
                   tables=[Table("key figures", "Key figures", table)])


def _baseline(cluster, inventory) -> Section:
    members = inventory.members.reset_index()
    money = f"million {cluster.currency}"
    table = pd.DataFrame({
        "member": members["id"], "name": members["name"], "sector": members["sector"].map(c.label),
        "scope 1, tCO2e/yr": members["scope1_tco2e"], "scope 2, tCO2e/yr": members["scope2_tco2e"],
        "total, tCO2e/yr": members["total_tco2e"], "energy, MWh/yr": members["energy_mwh"],
        f"value added, {money}/yr": members["value_added"] / 1e6, "jobs": members["jobs"],
    }).sort_values("total, tCO2e/yr", ascending=False)  # fmt: skip
    sectors = inventory.sectors.reset_index()
    by_sector = pd.DataFrame({"sector": sectors["sector"].map(c.label), "members": sectors["members"],
                              "total, tCO2e/yr": sectors["total_tco2e"], "energy, MWh/yr": sectors["energy_mwh"]})
    text = (f"Scope 1 and 2 (location-based) emissions of each member in {cluster.base_year}, from its energy use, "
            "process emissions and on-site wastewater (docs/inventory.md).")
    return Section("baseline", f"Baseline inventory, {cluster.base_year}", text,
                   tables=[Table("baseline members", "Members", table),
                           Table("baseline sectors", "Sectors", by_sector)])


def _waterfall(summary, inventory, year) -> Section:
    steps = c.waterfall_steps(summary, fallback_baseline=inventory.totals["total_tco2e"])
    text = (f"From the emissions of carrying on with today's equipment in {year} (the baseline) to the pathway's "
            f"residual in {year}: each lever family's step is the tonnes its levers abate in the marginal abatement "
            f"cost curve; '{c.OTHER_CHANGES}' is what the levers add elsewhere (grid power for heat pumps and "
            "electrolysers, for instance) and any change not attributed to a lever, so the steps add up exactly.")
    chart = Chart("waterfall", steps, f"Emissions in {year}: from baseline to residual by lever family", "tCO2e/yr")
    return Section("waterfall", f"Abatement by lever family, {year}", text, charts=[chart],
                   tables=[Table("waterfall", "Steps", steps.drop(columns="measure"))])


def _pathway(summary) -> Section:
    members = c.emissions_by(summary, "member")
    scopes = c.emissions_by(summary, "scope")
    text = ("Yearly scope 1 and 2 emissions in each period of the least-cost pathway, by member (the shared "
            "infrastructure's own emissions apart) and by scope.")
    return Section("pathway", "Emissions pathway", text,
                   charts=[Chart("area", members, "Emissions by member", "tCO2e/yr"),
                           Chart("area", scopes, "Emissions by scope", "tCO2e/yr")],
                   tables=[Table("pathway by member", "By member", c.period_table(members, "member", "tCO2e/yr")),
                           Table("pathway by scope", "By scope",
                                 c.period_table(scopes, "scope", "tCO2e/yr"))])  # fmt: skip


def _macc(summary, year) -> Section:
    table = c.macc_table(summary)
    text = (f"Levers in use in {year}, each as wide as the tonnes it abates a year and as high as its net cost per "
            "tonne (its yearly capital, operating and energy cost less the fuel it saves), cheapest first.")
    return Section("macc", f"Marginal abatement cost curve, {year}", text,
                   charts=[Chart("macc", table, f"Marginal abatement cost curve, {year}", table.columns[-1])],
                   tables=[Table("macc", "Levers", table)])


def _costs(summary) -> Section:
    text = ("Net present cost of the pathway by kind (discounted at the cluster's rate), the money invested in "
            "each build period (overnight, undiscounted) and the capacity standing in each period.")
    return Section("costs", "Costs and investment", text,
                   tables=[Table("costs", "Net present cost", c.cost_table(summary)),
                           Table("investment", "Investment by period", c.investment_table(summary)),
                           Table("capacity", "Capacity by technology", c.capacity_table(summary))])  # fmt: skip


def _why(summary) -> Section:
    money = f"{summary['currency']} of {summary['price_year']}" if summary.get("price_year") else summary["currency"]
    text = ("Each lever the plan builds or leaves out, with the reason read off the solution: its cost per tonne "
            "(serving its service instead of today's supply, at full availability) against the carbon value of "
            "the period, the carbon price plus the emission cap's shadow price; for a lever left out, what each "
            "MW would add to the net present cost at the plan's own prices; for one built, the limit that stops "
            "it (docs/model.md, \"Why this plan\"). Below, the money invested by member and build period.")
    tables = []
    if summary.get("why_this_plan"):
        tables.append(Table("why this plan", "Why each lever", c.why_table(summary["why_this_plan"], money)))
    if summary.get("investment_by_member"):
        tables.append(Table("investment by member", f"Investment by member, million {money}",
                            c.period_table(pd.DataFrame(summary["investment_by_member"]).T / 1e6, "member",
                                           f"million {money}")))  # fmt: skip
    return Section("why", "Why this plan", text, tables=tables)


def _allocation(allocation, currency) -> Section:
    table = c.allocation_table(allocation, currency)
    money = f"million {currency}"
    if allocation.get("in_core") is True:
        core = "The split is in the core: no group of members would do better on its own."
    elif allocation.get("in_core") is False:
        leaving = "; ".join(f"{{{', '.join(g['members'])}}} would pay {-g['margin'] / 1e6:,.2f} {money} less on its own"
                            for g in _leaving(allocation))  # fmt: skip
        core = f"The split is not in the core: {leaving}."
        if allocation.get("compared"):  # every coalition was solved and no rule's split is in the core
            core = (f"No split is known to be in the core (the core may be empty): under this one {leaving}; the "
                    f"{allocation['method']} keeps the largest such gain as small as it can.")
    else:
        core = f"Whether the split is in the core was {allocation.get('core_note') or 'not tested'}."
    compared = allocation.get("compared") or {}
    if compared:
        said = {True: "in the core", False: "not in the core", None: "not tested"}
        core += " Compared: " + ", ".join(f"{m} {said[v]}" for m, v in compared.items()) + "."
    text = (f"The cluster's cost split among its members by the {allocation['method']} method, against what each "
            f"would pay planning alone (docs/allocation.md). {core}")
    tables = [Table("allocation", "Allocation", table)]
    if allocation.get("explanations"):
        tables.append(Table("why my share", "Why each member's share", c.share_table(allocation, currency)))
    return Section("allocation", "Who pays what", text,
                   charts=[Chart("allocation", table, "Allocated cost against stand-alone cost",
                                 f"million {currency}")],
                   tables=tables)


def _leaving(allocation) -> list[dict]:
    """Groups that would leave under the split: from the explanations, else the blocking coalition."""
    found = {tuple(g["members"]): g for why in (allocation.get("explanations") or {}).values()
             for g in why.get("would_leave", [])}  # fmt: skip
    if found:
        return sorted(found.values(), key=lambda g: g["margin"])[:3]
    return [{"members": allocation["blocking_coalition"], "margin": -allocation["violation"]}]


def _scorecard(card: Scorecard, name: str) -> Section:
    scores = c.pillar_scores({name: card})
    indicators = pd.DataFrame(
        [{"pillar": pillar.name, "indicator": i.name, **dict(zip(("value", "unit"), i.shown(card.currency), strict=True)),
          "normalized, 0-1": i.normalized, "formula": i.formula}
         for pillar in card.pillars.values() for i in pillar.indicators])  # fmt: skip
    text = ("The initiative's four pillars, each scored 0-100 as 100 times the mean of its normalized indicators "
            "(docs/scorecard.md gives every formula); a pillar none of whose indicators can be measured is drawn "
            "at 0 and shown as '-' in the table.")
    return Section("scorecard", "Four-pillar scorecard", text,
                   charts=[Chart("radar", scores.fillna({"score": 0.0}), "Pillar scores", "score, 0-100")],
                   tables=[Table("scorecard", "Pillar scores", scores.drop(columns="name").rename(
                       columns={"score": "score, 0-100"})), Table("indicators", "Indicators", indicators)])


def _workforce(frame: pd.DataFrame) -> Section:
    by_phase = frame.pivot_table(index="period", columns="phase", values="fte", aggfunc="sum", fill_value=0.0)
    by_phase = by_phase.rename(columns=lambda p: f"{p}, FTE").reset_index()
    by_skill = frame.pivot_table(index="skill", columns="period", values="fte", aggfunc="sum", fill_value=0.0)
    pool = shared_pool(frame).reset_index().rename(columns={"index": "skill"}) if len(frame) else pd.DataFrame()
    pool = pool.rename(columns={"sum_of_own_peaks": "each employer's own peaks, FTE", "pooled_peak": "pooled peak, FTE",
                                "reduction": "reduction, FTE", "reduction_share": "reduction, share"})  # fmt: skip
    missing = sorted({row["lever"] for row in frame.attrs.get("no_factor", [])})
    text = ("Full-time equivalents the pathway employs in each period: construction in the years before new "
            "capacity operates, operation while it runs, from per-capacity employment factors "
            f"({frame.attrs.get('region', '')}; docs/workforce.md). A pool shared across the members hires for "
            "the peak of their total instead of each employer's own peak.")
    if missing:
        text += f" No employment factor, so no jobs counted, for: {', '.join(c.label(m) for m in missing)}."
    tables = [Table("workforce by phase", "By period and phase", by_phase),
              Table("workforce by skill", "By skill and period", c.period_table(by_skill, "skill", "FTE"))]
    if len(pool):
        tables.append(Table("shared talent pool", "Peak hiring, alone and pooled", pool))
    charts = [Chart("bars", by_phase, "Jobs by period and phase", "FTE")] if len(by_phase) else []
    return Section("workforce", "Workforce", text, charts=charts, tables=tables)


def _critical_path(frame: pd.DataFrame) -> Section:
    chain = frame.attrs.get("critical_path", [])
    timed = frame[frame["latest_construction_start"].notna()]
    unknown = timed["permitting_unknown"].eq(True)
    tasks = [("* " if row.on_critical_path else "") + c.label(row.lever) + (" (permitting unknown)" if gap else "")
             for row, gap in zip(timed.itertuples(), unknown, strict=True)]  # fmt: skip
    # Without a sourced permitting figure there is no permitting bar: drawing one would invent its length.
    gantt = pd.DataFrame(
        [{"task": task, "phase": "permitting", "start": row.latest_permitting_start,
          "end": row.latest_construction_start}
         for task, row, gap in zip(tasks, timed.itertuples(), unknown, strict=True) if not gap]
        + [{"task": task, "phase": "construction", "start": row.latest_construction_start, "end": row.required_by}
           for task, row in zip(tasks, timed.itertuples(), strict=True)],
        columns=["task", "phase", "start", "end"])  # fmt: skip
    table = frame.rename(columns={
        "needed_by": "needed by, year", "required_by": "required by, year", "permitting_years": "permitting, years",
        "construction_years": "construction, years", "latest_permitting_start": "latest permitting start",
        "latest_construction_start": "latest construction start", "slack_years": "slack, years",
        "depends_on": "depends on", "on_critical_path": "critical",
        "committed_projects": "committed projects"})  # fmt: skip
    table["lever"] = table["lever"].map(c.label)
    table["depends on"] = table["depends on"].fillna("").map(c.label)
    gaps = table["permitting_unknown"].eq(True)
    table["permitting, years"] = table["permitting, years"].astype(object).where(~gaps, "unknown")
    # Two tables, so that neither is too wide to read on a page: the years, then where they come from.
    for column in ("latest permitting start", "latest construction start"):  # 2026.5 reads as Jul 2026
        table[column] = table[column].map(month_year)
    years = table[["lever", "needed by, year", "required by, year", "permitting, years", "construction, years",
                   "latest permitting start", "latest construction start", "slack, years", "critical",
                   "depends on"]]  # fmt: skip
    sources = table[["lever", "committed projects", "jurisdiction", "source"]]
    path = " → ".join(c.label(lever) for lever in chain) or "none: every lever still has slack"
    text = (f"For each lever the plan builds: the year it is needed, and the latest years its permitting and its "
            f"construction can start for it to operate then (docs/model.md, lead times). Slack is the latest "
            f"permitting start less the first year projects can start ({frame.attrs.get('decision_year', '')}). "
            f"The critical path (marked *: no slack left): {path}. Levers without a sourced lead time have no bars.")
    missing = [c.label(lever) for lever in timed.loc[unknown, "lever"]]
    if missing:
        text += (f" No sourced permitting figure for {', '.join(missing)}: only their construction is drawn and "
                 "counted, so they may have to start earlier and their slack be less than shown.")
    title = "Latest permitting and construction to operate when needed"
    charts = [Chart("gantt", gantt, title, "year")] if len(gantt) else []
    return Section("critical-path", "Permitting and construction: the critical path", text, charts=charts,
                   tables=[Table("critical path", "Lead times and slack", years),
                           Table("lead time sources", "Where the lead times come from", sources)])
