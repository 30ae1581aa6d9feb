"""Public funding of a plan's projects: which projects get how much grant, as a mixed-integer program.

A public funder (the EU Innovation Fund, a national programme) has a budget and supports a
project only if the grant makes it go ahead, i.e. closes its funding gap, and never beyond
a share of its investment. ``fund`` chooses the projects to support to maximize tonnes of
CO2e abated by the target year, or the private capital the budget mobilizes. Equations,
conventions and their reasons are in docs/finance.md ("Public funding") and docs/model.md.

The grant is paid as a share of each year's investment, as capital grants are paid against
spending milestones. It is untaxed and does not reduce the depreciation base (the finance
conventions), so it adds one for one to the free cash flow: the grant money G that brings a
project's NPV to zero is G = -NPV x I / PV(I), with I the investment and PV(I) its present
value at the project's WACC in the base year.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from clusterpath.finance import metrics

OBJECTIVES = {
    "abatement": "tonnes of CO2e abated by the target year by the supported projects",
    "leverage": "private capital the supported projects mobilize (their investment less the grants)",
}
# A funder does not fund a project only to move its NPV by a rounding error.
GAP_TOLERANCE = 1e-6


class FundingStopped(Exception):
    """The solver ended (time limit) before finding any selection."""


@dataclass(frozen=True)
class Candidate:
    """A project as the funder sees it; money is real, in the plan's currency, undiscounted as paid."""

    name: str
    member: str | None
    investment: float
    gap: float  # grant money, paid pro rata with the investment, that brings the NPV to zero; 0 if viable
    abated_t: float  # tCO2e abated from the project's first year up to and including the target year
    max_share: float = 1.0  # of the investment; 0 when the grant scheme does not cover the project
    npv: float = 0.0
    abated_target_year_t: float = 0.0  # tCO2e abated in the target year alone, for the reader
    requires: tuple[str, ...] = ()  # projects that must also go ahead (the hub plant a member's link draws on)

    @property
    def viable(self) -> bool:
        return self.gap <= GAP_TOLERANCE * max(1.0, self.investment)


@dataclass
class FundingResult:
    objective: str
    budget: float
    status: str
    selected: dict[str, float] = field(default_factory=dict)  # project -> grant
    candidates: list[Candidate] = field(default_factory=list)
    excluded: dict[str, str] = field(default_factory=dict)  # project -> why it cannot be supported

    def to_dict(self) -> dict:
        rows, viable = [], []
        for c in self.candidates:
            if c.viable:
                viable.append({"project": c.name, "member": c.member, "investment": c.investment, "npv": c.npv,
                               "abated_tco2e": c.abated_t})  # fmt: skip
                continue
            grant = self.selected.get(c.name)
            supported = grant is not None
            private = c.investment - grant if supported else None
            rows.append({
                "project": c.name, "member": c.member, "investment": c.investment, "npv": c.npv,
                "funding_gap": c.gap, "gap_share": c.gap / c.investment if c.investment > 0 else None,
                "max_share": c.max_share, "abated_tco2e": c.abated_t,
                "abated_tco2e_target_year": c.abated_target_year_t, "requires": list(c.requires),
                "selected": supported, "grant": grant if supported else 0.0,
                "grant_share": grant / c.investment if supported else None,
                "private_capital": private,
                "tco2e_per_money": _ratio(c.abated_t, grant) if supported else None,
                "money_per_tco2e": _ratio(grant, c.abated_t) if supported else None,
                "leverage": _ratio(private, grant) if supported else None,
                "excluded": self.excluded.get(c.name),
            })  # fmt: skip
        chosen = [r for r in rows if r["selected"]]
        public = sum(r["grant"] for r in chosen)
        private = sum(r["private_capital"] for r in chosen)
        abated = sum(r["abated_tco2e"] for r in chosen)
        totals = {
            "projects_supported": len(chosen), "public_money": public, "private_capital": private,
            "investment": public + private, "abated_tco2e": abated,
            "tco2e_per_money": _ratio(abated, public), "money_per_tco2e": _ratio(public, abated),
            "leverage": _ratio(private, public), "private_per_budget": _ratio(private, self.budget),
            "budget_left": self.budget - public,
        }  # fmt: skip
        out = {"objective": self.objective, "objective_meaning": OBJECTIVES[self.objective], "budget": self.budget,
               "status": self.status, "projects": rows, "viable_without_support": viable, "totals": totals}  # fmt: skip
        if not rows:
            # Not an error: a funder should hear that its money would buy nothing additional here.
            out["note"] = ("no project of the plan needs public support: every project goes ahead without it"
                           if viable else "the plan has no projects to support")  # fmt: skip
        return out


def _ratio(a: float, b: float) -> float | None:
    return a / b if b and b > 0 else None


def candidates(report: dict, *, target_year: int, max_share: float | Mapping[str, float] = 1.0,
               requires: Mapping[str, tuple[str, ...]] | None = None) -> list[Candidate]:  # fmt: skip
    """The projects of a ``finance_report`` as candidates for a grant.

    ``max_share``: one share for every project, or lever -> share (a lever not named is not
    covered by the scheme). ``requires``: project -> projects it needs (``dependencies``).
    """
    base = report["base_year"]
    requires = requires or {}
    out = []
    for p in report["projects"]:
        table = report["tables"][p["project"]]
        capex = table["capex"]
        investment = float(capex.sum())
        present = metrics.npv(p["wacc"], capex, base_year=base) if investment > 0 else 0.0
        gap = max(0.0, -p["npv"]) * investment / present if present > 0 else max(0.0, -p["npv"])
        abated = table["abated_t"]
        lever = p["project"].split(":", 1)[-1]
        share = max_share if not isinstance(max_share, Mapping) else float(max_share.get(lever, 0.0))
        by_target = float(abated[abated.index <= target_year].sum())
        out.append(Candidate(p["project"], p["member"], investment, gap, by_target, share, p["npv"],
                             float(abated.get(target_year, 0.0)), tuple(requires.get(p["project"], ()))))
    return out


def scheme_shares(scenario) -> tuple[dict[str, float], list[str]] | None:
    """Lever -> share limit of the capital grants the scenario picks, with the keys of those grants.

    A lever two grants cover takes the larger share: a project applies to the more generous one.
    None when the scenario picks no capital grant.
    """
    grants = [s for s in scenario.instruments() if s.kind == "capital_grant"]
    if not grants:
        return None
    shares: dict[str, float] = {}
    for selected in grants:
        for lever in selected.instrument.levers:
            shares[lever] = max(shares.get(lever, 0.0), float(selected.instrument.share))
    return shares, [s.key for s in grants]


# Article 10a(8) of Directive 2003/87/EC: the Innovation Fund pays up to 60 % of relevant costs (data/policies/eu.yaml).
DEFAULT_MAX_SHARE = 0.6


def share_limit(scenario, max_share: float | None = None) -> tuple[float | dict[str, float], str]:
    """The grant share limit (one number, or lever -> share) and where it comes from.

    The scenario's capital grants decide which levers are eligible and, unless ``max_share`` is
    given, up to what share; without a grant every lever is eligible up to ``max_share`` or the
    Innovation Fund's 60 %.
    """
    scheme = scheme_shares(scenario)
    if scheme is not None:
        shares, keys = scheme
        limit = {lever: max_share for lever in shares} if max_share is not None else shares
        return limit, f"levers of {', '.join(keys)}, " + ("--max-share" if max_share is not None else "their share limit")
    if max_share is not None:
        return max_share, "--max-share"
    return DEFAULT_MAX_SHARE, "EU Innovation Fund, up to 60 % of relevant costs (Directive 2003/87/EC, Article 10a(8))"


def fund_plan(result, scenario, budget: float, *, objective: str = "abatement", max_share: float | None = None,
              project_cap: float | None = None, member_cap: float | None = None, assumptions=None,
              time_limit: float | None = None) -> dict:  # fmt: skip
    """A solved plan's projects appraised, then the budget spread over them: the ``fund`` command's report."""
    from clusterpath.finance.report import finance_report

    limit, basis = share_limit(scenario, max_share)
    report = finance_report(result, assumptions)
    names = [p["project"] for p in report["projects"]]
    found = candidates(report, target_year=scenario.target_year, max_share=limit, requires=dependencies(result, names))
    selection = fund(found, budget, objective=objective, project_cap=project_cap, member_cap=member_cap,
                     time_limit=time_limit)  # fmt: skip
    return {"scenario": scenario.name, "currency": report["currency"], "base_year": report["base_year"],
            "target_year": scenario.target_year, "max_share": {"basis": basis, "share": limit},
            **selection.to_dict()}  # fmt: skip


def dependencies(result, names: list[str]) -> dict[str, tuple[str, ...]]:
    """Member projects that draw energy from the hub need the hub's projects that make it.

    The finance view prices hub energy at the hub's levelized cost, which assumes the hub's
    plants go ahead; a hub bus that a market also supplies (grid electricity) needs none.
    """
    from clusterpath.finance.projects import project_id
    from clusterpath.pathway.hub import HUB
    from clusterpath.pathway.result import NOT_ASSETS

    units, ports, buses = result.units, result.ports, result.buses
    known = set(names)
    hub = ports[ports["bus"].str.startswith(f"{HUB}|")]
    hub = hub[hub["bus"].map(buses["kind"]) == "balance"]
    suppliers: dict[str, set[str] | None] = {}
    for bus, rows in hub[hub["coefficient"] > 0].groupby("bus"):
        levers = units.loc[rows["unit"], "lever"]
        if levers.isin(NOT_ASSETS | {"today"}).any():
            suppliers[bus] = None  # bought or made by today's equipment: no project is needed
        else:
            ids = {project_id(units.loc[u, "node"], units.loc[u, "lever"]) for u in rows["unit"]}
            suppliers[bus] = ids & known
    out: dict[str, set[str]] = {}
    for _, row in hub[hub["coefficient"] < 0].iterrows():
        node, lever = units.loc[row["unit"], "node"], units.loc[row["unit"], "lever"]
        name = project_id(node, lever)
        made_by = suppliers.get(row["bus"])
        if node == HUB or name not in known or not made_by:
            continue
        out.setdefault(name, set()).update(made_by)
    return {k: tuple(sorted(v)) for k, v in out.items()}


def fund(projects: list[Candidate], budget: float, *, objective: str = "abatement",
         project_cap: float | None = None, member_cap: float | Mapping[str, float] | None = None,
         time_limit: float | None = None) -> FundingResult:  # fmt: skip
    """The grants that maximize ``objective`` within ``budget`` (docs/finance.md, "Public funding").

    ``project_cap``: most grant money one project may get; ``member_cap``: most one member
    (``shared`` for the hub's projects) may get in all, one number or member -> amount.
    """
    _check(budget, objective, project_cap, member_cap, projects)
    result = FundingResult(objective, float(budget), "optimal", candidates=list(projects))
    open_ = {c.name: c for c in projects if not c.viable}
    viable = {c.name for c in projects if c.viable}
    caps = _member_caps(member_cap, open_.values())
    for c in open_.values():
        ceiling = min(c.max_share * c.investment, math.inf if project_cap is None else project_cap,
                      caps.get(c.member or "shared", math.inf))  # fmt: skip
        if c.investment <= 0:
            result.excluded[c.name] = "no investment for a capital grant to pay a share of"
        elif c.max_share <= 0:
            result.excluded[c.name] = "the grant scheme does not cover its technology"
        elif c.gap > ceiling * (1 + 1e-12):
            limit = "the share limit" if ceiling == c.max_share * c.investment else "the cap"
            result.excluded[c.name] = (f"its funding gap is {c.gap / c.investment:.1%} of its investment, "
                                       f"above {limit} ({ceiling / c.investment:.1%})")  # fmt: skip
    # A project needing one that cannot go ahead cannot go ahead either, and so on down the chain.
    changed = True
    while changed:
        changed = False
        for c in open_.values():
            if c.name in result.excluded:
                continue
            blocked = [k for k in c.requires if k not in viable and (k not in open_ or k in result.excluded)]
            if blocked:
                result.excluded[c.name] = f"needs {', '.join(blocked)}, which cannot be supported"
                changed = True
    chosen = [c for c in open_.values() if c.name not in result.excluded]
    if not chosen or budget <= 0:
        return result
    result.status, result.selected = _solve(chosen, float(budget), objective, project_cap, caps, time_limit)
    return result


def _check(budget, objective, project_cap, member_cap, projects) -> None:
    problems = []
    if not isinstance(budget, int | float) or isinstance(budget, bool) or not math.isfinite(budget) or budget < 0:
        problems.append(f"budget: expected a finite amount of at least 0, got {budget!r}")
    if objective not in OBJECTIVES:
        problems.append(f"objective: {objective!r} is not one of {', '.join(OBJECTIVES)}")
    caps = [project_cap] + (list(member_cap.values()) if isinstance(member_cap, Mapping) else [member_cap])
    if any(c is not None and not (math.isfinite(c) and c >= 0) for c in caps):
        problems.append("caps: expected finite amounts of at least 0")
    for c in projects:
        if not 0 <= c.max_share <= 1:
            problems.append(f"{c.name}: max_share {c.max_share} is outside [0, 1]")
    if problems:
        raise ValueError("; ".join(problems))


def _member_caps(member_cap, projects) -> dict[str, float]:
    if member_cap is None:
        return {}
    if isinstance(member_cap, Mapping):
        return {k: float(v) for k, v in member_cap.items()}
    return {c.member or "shared": float(member_cap) for c in projects}


def _solve(chosen: list[Candidate], budget: float, objective: str, project_cap: float | None,
           member_caps: dict[str, float], time_limit: float | None) -> tuple[str, dict[str, float]]:  # fmt: skip
    import linopy
    import xarray as xr

    from clusterpath.pathway.solve import _silent_stdout

    # Money in units of the largest grant any project could get keeps the coefficients near 1 for HiGHS.
    names = pd.Index([c.name for c in chosen], name="project")
    investment = np.array([c.investment for c in chosen])
    ceiling = np.array([min(c.max_share * c.investment, math.inf if project_cap is None else project_cap)
                        for c in chosen])  # fmt: skip
    scale = float(max(ceiling.max(), 1.0))

    def array(values) -> xr.DataArray:
        return xr.DataArray(np.asarray(values, dtype=float), coords=[names])

    m = linopy.Model()
    y = m.add_variables(binary=True, coords=[names], name="supported")
    g = m.add_variables(lower=0, coords=[names], name="grant")
    m.add_constraints(g - array(ceiling / scale) * y <= 0, name="grant-ceiling")
    m.add_constraints(g - array([c.gap / scale for c in chosen]) * y >= 0, name="grant-closes-gap")
    m.add_constraints(g.sum() <= budget / scale, name="budget")
    owners = pd.Series([c.member or "shared" for c in chosen], index=names)
    capped = sorted(set(owners) & set(member_caps))
    if capped:
        member = pd.Index(capped, name="member")
        incidence = xr.DataArray((owners.to_numpy()[None, :] == np.array(capped)[:, None]).astype(float),
                                 coords=[member, names])  # fmt: skip
        limits = xr.DataArray([member_caps[k] / scale for k in capped], coords=[member])
        m.add_constraints((incidence * g).sum("project") <= limits, name="member-cap")
    links = [(c.name, k) for c in chosen for k in c.requires if k in names]
    if links:
        link = pd.RangeIndex(len(links), name="link")
        matrix = np.zeros((len(links), len(names)))
        for i, (j, k) in enumerate(links):
            matrix[i, names.get_loc(j)], matrix[i, names.get_loc(k)] = 1.0, -1.0
        m.add_constraints((xr.DataArray(matrix, coords=[link, names]) * y).sum("project") <= 0, name="requires")
    abated = array([c.abated_t for c in chosen])
    scale_t = float(max(abated.max(), 1.0))
    tonnes = (abated / scale_t * y).sum()
    private = (array(investment / scale) * y - g).sum()
    public = g.sum()
    # Lexicographic: first the funder's objective, then among selections as good, the one
    # that abates most (leverage) or spends least (abatement), so ties resolve the same way
    # every time and no grant exceeds what closes its gap.
    first, second = (tonnes, -1 * public) if objective == "abatement" else (private, tonnes)
    options = {"mip_rel_gap": 1e-9} | ({"time_limit": float(time_limit)} if time_limit else {})

    def run(expr):
        m.add_objective(expr, sense="max", overwrite=True)
        with _silent_stdout():
            _, condition = m.solve(solver_name="highs", io_api="direct", progress=False, output_flag=False, **options)
        found = np.isfinite(y.solution.values).all() and condition in ("optimal", "time_limit")
        return condition, found

    condition, found = run(first)
    if not found:
        raise FundingStopped(f"the solver stopped ({condition}) before finding any selection; allow a longer "
                             "time limit")  # fmt: skip
    status = "optimal" if condition == "optimal" else condition
    if condition == "optimal":
        best = float(m.objective.value)
        m.add_constraints(first >= best - 1e-9 * max(1.0, abs(best)), name="first-objective")
        kept = y.solution.values.copy(), g.solution.values.copy()
        condition, found = run(second)
        if not found:  # keep the first solve's selection rather than none
            y_values, g_values = kept
            status = condition
        else:
            y_values, g_values = y.solution.values, g.solution.values
    else:
        y_values, g_values = y.solution.values, g.solution.values
    selected = {}
    for c, on, grant in zip(chosen, y_values, g_values, strict=True):
        if on > 0.5:
            # Paying beyond the gap never helps either objective, so a grant is the gap; the
            # solver's value may differ from it only by its tolerances.
            selected[c.name] = c.gap if abs(grant * scale - c.gap) <= 1e-6 * max(1.0, c.gap) else float(grant * scale)
    return status, selected
