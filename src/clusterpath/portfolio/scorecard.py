"""The four-pillar scorecard of one cluster: partnerships, policy, finance and technology.

Every indicator carries its formula (docs/scorecard.md explains each one). Indicators that
enter a pillar's score also carry ``normalized``, a value from 0 to 1; the pillar's score is
100 times the mean of the normalized values it has, so a reader can redo every score by hand.
The register (``cluster.projects``) is what the members report; the plan, when given, is
what the optimizer finds. Without a plan, the register stands in where it can.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from statistics import mean
from typing import TYPE_CHECKING

from clusterpath.pathway.capex import PART_OF
from clusterpath.schema.models import Cluster
from clusterpath.schema.scenario import Scenario
from clusterpath.schema.vocabulary import (
    COMMITTED_STAGES,
    LEVER_FAMILY,
    Governance,
    LeverFamily,
    PolicyKind,
    PolicyStatus,
    ProjectStage,
)

if TYPE_CHECKING:
    from clusterpath.pathway.result import PathwayResult

PILLARS = ("partnerships", "policy", "finance", "technology")
# Kinds a cluster can have in place; "other" is not a kind a cluster could be missing.
POLICY_KINDS = tuple(kind for kind in PolicyKind if kind is not PolicyKind.OTHER)
# The scenario's instruments (policy/instruments.py) as the kinds of policy a cluster reports.
INSTRUMENT_KIND = {
    "carbon_price": PolicyKind.CARBON_PRICE,
    "cbam": PolicyKind.CARBON_PRICE,  # the border side of the same carbon price
    "production_credit": PolicyKind.TAX_CREDIT,
    "sequestration_credit": PolicyKind.TAX_CREDIT,
    "capital_grant": PolicyKind.CAPITAL_GRANT,
    "carbon_cfd": PolicyKind.CONTRACT_FOR_DIFFERENCE,
    "renewable_mandate": PolicyKind.MANDATE,
}
INFORMAL_GOVERNANCE = frozenset({Governance.INFORMAL, Governance.OTHER})
STAGES = tuple(ProjectStage)
# Shared assets the plan lists twice: a network and the members' connections to it.
CONNECTIONS_SUFFIX = "-connections"
TINY = 1e-6


@dataclass(frozen=True)
class Indicator:
    id: str
    name: str
    value: float | str | None  # None: cannot be measured (the formula says when)
    unit: str
    formula: str
    normalized: float | None = None  # 0-1, only for indicators that enter the pillar's score
    detail: dict = field(default_factory=dict)

    def shown(self, currency: str) -> tuple[float | str | None, str]:
        """Value and unit as a reader wants them: money in millions to one decimal, shares and ratios to two."""
        if not isinstance(self.value, int | float) or isinstance(self.value, bool):
            return self.value, self.unit
        if self.unit == currency:
            return round(self.value / 1e6, 1), f"million {currency}"
        return (round(self.value, 2) if self.unit in ("share", "ratio") else self.value), self.unit


@dataclass(frozen=True)
class Pillar:
    name: str
    indicators: tuple[Indicator, ...]

    @property
    def score(self) -> float | None:
        """100 x the mean of the normalized indicators; None when none of them can be measured."""
        scored = [i.normalized for i in self.indicators if i.normalized is not None]
        return 100.0 * mean(scored) if scored else None

    def indicator(self, key: str) -> Indicator:
        return next(i for i in self.indicators if i.id == key)


@dataclass(frozen=True)
class Scorecard:
    cluster: str
    scenario: str
    currency: str
    target_year: int
    plan_period: int | None  # the plan's period read for the target year; None without a plan
    pillars: dict[str, Pillar]

    def scores(self) -> dict[str, float | None]:
        return {name: pillar.score for name, pillar in self.pillars.items()}

    def to_dict(self) -> dict:
        head = {k: v for k, v in asdict(self).items() if k != "pillars"}
        pillars = {name: {"score": pillar.score, "indicators": [asdict(i) for i in pillar.indicators]}
                   for name, pillar in self.pillars.items()}  # fmt: skip
        return {**head, "pillars": pillars}


def scorecard(cluster: Cluster, scenario: Scenario, result: PathwayResult | None = None) -> Scorecard:
    """The cluster's scorecard under ``scenario``, reading the plan ``result`` when given."""
    period = served = abated = None
    if result is not None:
        period = _plan_period(result, scenario.target_year)
        served, abated = _shared_in_plan(cluster, result, period), _plan_abatement(result, period)
    pillars = (
        Pillar("partnerships", _partnerships(cluster, served)),
        Pillar("policy", _policy(cluster, scenario)),
        Pillar("finance", _finance(cluster, result, scenario.target_year)),
        Pillar("technology", _technology(cluster, abated, scenario.target_year)),
    )
    return Scorecard(cluster.id, scenario.name, cluster.currency, scenario.target_year, period,
                     {p.name: p for p in pillars})  # fmt: skip


def _ratio(numerator: float, denominator: float | None) -> float | None:
    return numerator / denominator if denominator else None


# ---------------------------------------------------------------- partnerships


def _partnerships(cluster: Cluster, served: dict[str, list[str]] | None) -> tuple[Indicator, ...]:
    members = [m.id for m in cluster.members]
    registered = {p.id: list(p.members) for p in cluster.projects if len(p.members) >= 2}
    shared = {**{f"plan: {k}": v for k, v in (served or {}).items()},
              **{f"register: {k}": v for k, v in registered.items()}}  # fmt: skip
    counts = {name: len(v) for name, v in shared.items()}
    reached = set().union(*shared.values()) if shared else set()
    share_engaged = _ratio(len(members), cluster.companies)
    governance = cluster.governance
    return (
        Indicator("members_engaged", "Members engaged", len(members), "members", "number of members of the cluster"),
        Indicator("share_engaged", "Share of the site's companies engaged", share_engaged, "share",
                  "members / companies on the site (cluster.companies); none when companies is not given",
                  share_engaged),
        Indicator("shared_assets_planned", "Shared assets in the plan", None if served is None else len(served),
                  "assets", "hub assets and stores the plan has built in the target period (networks count once, "
                  "not their connections); none without a plan",
                  detail={k: len(v) for k, v in (served or {}).items()}),
        Indicator("shared_projects_registered", "Shared projects in the register", len(registered), "projects",
                  "register projects serving two or more members", detail={k: len(v) for k, v in registered.items()}),
        Indicator("members_per_shared_project", "Members served per shared asset or project",
                  mean(counts.values()) if counts else None, "members",
                  "mean over the plan's shared assets and the register's shared projects of the members each "
                  "serves; none when there are none", detail=counts),
        Indicator("members_in_shared_projects", "Share of members in a shared asset or project",
                  len(reached) / len(members), "share",
                  "members served by at least one shared asset or project / members", len(reached) / len(members)),
        Indicator("governance", "Governance model", None if governance is None else governance.value, "",
                  "cluster.governance; normalized 1 for a formal model, 0.5 for informal or other, 0 when not "
                  "reported", 0.0 if governance is None else 0.5 if governance in INFORMAL_GOVERNANCE else 1.0),
    )


def _shared_in_plan(cluster: Cluster, result: PathwayResult, period: int) -> dict[str, list[str]]:
    """Members served by each shared asset built by ``period`` ("all" spelled out)."""
    everyone = [m.id for m in cluster.members]
    out = {}
    for asset, by_period in result.shared_assets().items():
        row = by_period[str(period)]
        if asset.endswith(CONNECTIONS_SUFFIX) or row["capacity"] <= TINY:
            continue
        out[asset] = everyone if row["members"] == "all" else list(row["members"])
    return out


# ---------------------------------------------------------------- policy


def _policy(cluster: Cluster, scenario: Scenario) -> tuple[Indicator, ...]:
    def by_kind(status: PolicyStatus) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for policy in cluster.policies:
            if policy.status is status:
                out.setdefault(policy.kind.value, []).append(policy.name)
        return out

    in_place, planned = by_kind(PolicyStatus.IN_PLACE), by_kind(PolicyStatus.PLANNED)
    covered = {k for k in in_place if k != PolicyKind.OTHER}
    only_planned = {k for k in planned if k != PolicyKind.OTHER} - covered
    coverage = (len(covered) + 0.5 * len(only_planned)) / len(POLICY_KINDS)
    modelled = {s.key: INSTRUMENT_KIND.get(s.kind, PolicyKind.OTHER).value for s in scenario.instruments()}
    if scenario.carbon_price:
        modelled["carbon_price (scenario trajectory)"] = PolicyKind.CARBON_PRICE.value
    backed = _ratio(sum(kind in covered for kind in modelled.values()), len(modelled))
    return (
        Indicator("policies_in_place", "Enabling policies in place", sum(map(len, in_place.values())), "policies",
                  "cluster.policies with status in_place", detail=in_place),
        Indicator("policies_planned", "Enabling policies planned", sum(map(len, planned.values())), "policies",
                  "cluster.policies with status planned", detail=planned),
        Indicator("policy_kind_coverage", "Coverage of policy kinds", coverage, "share",
                  f"(kinds with a policy in place + 0.5 x kinds with one only planned) / {len(POLICY_KINDS)} kinds "
                  "(every policy kind but other)", coverage),
        Indicator("scenario_instruments", "Instruments the scenario models", len(modelled), "instruments",
                  "scenario.policies plus its carbon_price trajectory, if any", detail=modelled),
        Indicator("modelled_instruments_in_place", "Modelled instruments the cluster has in place", backed, "share",
                  "scenario instruments whose kind of policy the cluster reports in place / scenario instruments; "
                  "none when the scenario models none", backed),
    )


# ---------------------------------------------------------------- finance


def _finance(cluster: Cluster, result: PathwayResult | None, target_year: int) -> tuple[Indicator, ...]:
    projects = cluster.projects
    if result is not None:
        spent = {p: v for p, v in result.investment_by_period().items() if int(p) <= target_year}
        required, detail = sum(spent.values()), {"source": "plan", "by_period": spent}
    elif any(p.investment is not None for p in projects):
        required = sum(p.investment or 0.0 for p in projects)
        detail = {"source": "register"}
    else:
        required, detail = None, {"source": "none: no plan and no investment in the register"}
    committed = sum(p.committed for p in projects)
    public = sum(p.public_funding for p in projects)
    share = _ratio(committed, required)
    private_share = _ratio(committed - public, committed)
    leverage = _ratio(committed - public, public)
    money = cluster.currency
    return (
        Indicator("required_investment", "Required investment", required, money,
                  "with a plan: its investment in periods up to the target year (overnight, undiscounted); "
                  "without: the register's total investment", detail=detail),
        Indicator("committed_investment", "Investment committed", committed, money, "sum of the register's committed"),
        Indicator("share_committed", "Share of required investment committed", share, "share",
                  "committed / required investment; none when nothing is required; normalized capped at 1",
                  None if share is None else min(share, 1.0)),
        Indicator("public_funding", "Public funding secured", public, money, "sum of the register's public_funding"),
        Indicator("private_leverage", "Leverage of private capital", leverage, "ratio",
                  "(committed - public funding) / public funding; undefined (none) when no public funding is secured",
                  detail={} if public else {"note": "undefined: no public funding secured"}),
        Indicator("private_share_of_committed", "Private share of committed capital", private_share, "share",
                  "(committed - public funding) / committed = leverage / (1 + leverage); none when nothing is "
                  "committed", private_share),
    )


# ---------------------------------------------------------------- technology


def _plan_period(result: PathwayResult, target_year: int) -> int:
    """The plan's period that stands for the target year: the last one not after it."""
    return max(p for p in result.periods if p <= target_year)


def _plan_abatement(result: PathwayResult, period: int) -> dict[str, float]:
    """tCO2e a year by lever in ``period``; a plant's auxiliary (the biogas CHP of wastewater treatment) counts
    with its lever."""
    out: dict[str, float] = {}
    for lever, tonnes in result.macc(period)["abatement_tco2e"].items():
        lever = PART_OF.get(lever, lever)
        out[lever] = out.get(lever, 0.0) + float(tonnes)
    return out


def _by_family(abatement: Iterable[tuple[str, float]]) -> dict[LeverFamily, dict[str, float]]:
    out: dict[LeverFamily, dict[str, float]] = {family: {} for family in LeverFamily}
    for lever, tonnes in abatement:
        levers = out[LEVER_FAMILY[lever]]
        levers[lever] = levers.get(lever, 0.0) + tonnes
    return out


def _technology(cluster: Cluster, abated: dict[str, float] | None, target_year: int) -> tuple[Indicator, ...]:
    projects = cluster.projects
    if abated is not None:
        families, source = _by_family(abated.items()), "plan: macc() of the target period, by lever"
    else:
        running = [(p.lever, p.abatement) for p in projects if p.abatement is not None
                   and (p.operating_year is None or p.operating_year <= target_year)]  # fmt: skip
        families, source = _by_family(running), "register: projects' abatement, operating by the target year"
    indicators = [
        Indicator(f"abatement_{family.value}", f"Abatement: {family.value.replace('_', ' ')}",
                  sum(levers.values()), "tCO2e/yr",
                  "with a plan: tonnes a year its levers of this family abate in the target period (macc); "
                  "without: abatement of register projects of this family operating by the target year (or with "
                  "no operating year)", detail={"source": source, "by_lever": levers})
        for family, levers in families.items()
    ]  # fmt: skip
    for stage in STAGES:
        at = [p for p in projects if p.stage is stage]
        indicators.append(Indicator(f"projects_{stage.value}", f"Projects: {stage.value.replace('_', ' ')}",
                                    len(at), "projects", f"register projects at stage {stage.value}"))
        indicators.append(Indicator(f"investment_{stage.value}", f"Investment: {stage.value.replace('_', ' ')}",
                                    sum(p.investment or 0.0 for p in at), cluster.currency,
                                    f"sum of investment of register projects at stage {stage.value}"))
    maturity = mean(STAGES.index(p.stage) / (len(STAGES) - 1) for p in projects) if projects else None
    committed = _ratio(sum(p.stage in COMMITTED_STAGES for p in projects), len(projects))
    indicators += [
        Indicator("project_maturity", "Project maturity", maturity, "share",
                  "mean over register projects of the stage's position: announced 0, feasibility 0.25, final "
                  "investment decision 0.5, construction 0.75, operating 1; none without projects", maturity),
        Indicator("projects_committed", "Projects at or past final investment decision", committed, "share",
                  "register projects at final_investment_decision, construction or operating / register projects"),
    ]
    covered = None
    if abated:
        registered = {p.lever for p in projects}
        covered = _ratio(sum(t for lever, t in abated.items() if lever in registered), sum(abated.values()))
    indicators.append(
        Indicator("planned_abatement_with_projects", "Planned abatement with a project in the register", covered,
                  "share", "the plan's target-period abatement by levers the register has a project for / the "
                  "plan's abatement; none without a plan or when it abates nothing", covered)
    )
    return tuple(indicators)

