"""Plan a cluster's pathway: build the network, solve it, explain it when it cannot be solved."""

from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np

from clusterpath.pathway import MIP_GAP, explain
from clusterpath.pathway.build import NetworkBuilder
from clusterpath.pathway.groups import AUTO_GROUP_MEMBERS, group, member_groups, ungroup
from clusterpath.pathway.hub import HUB
from clusterpath.pathway.network import Network, PathwayModel
from clusterpath.pathway.result import PathwayResult
from clusterpath.pathway.solve import Report
from clusterpath.schema import Cluster
from clusterpath.schema.scenario import Scenario

Step = Callable[[str], None]
TOLERANCE = 1e-3  # of a tonne, MWh or MW: below this a relaxed shortfall is rounding
DEFAULT_MIP_GAP = MIP_GAP  # the gap coalitions are solved to, so that c(N) is the plan's cost


class InfeasiblePlan(Exception):
    """The requirements cannot all be met; the message says which and by how much."""


class SolverStopped(Exception):
    """The solver ended (time limit, numerical trouble) without a plan to report."""


def plan(cluster: Cluster, scenario: Scenario, *, time_limit: float | None = None, mip_gap: float = DEFAULT_MIP_GAP,
         baseline: bool = True, group_members: bool | None = None, step: Step | None = None,
         progress: Report | None = None) -> PathwayResult:  # fmt: skip
    """``group_members`` solves members that differ only in size and distance as one (groups.py);
    by default only for clusters of more than ``AUTO_GROUP_MEMBERS`` members. ``progress`` hears from the
    solver about once a second; on Ctrl-C the best plan found so far comes back with status "user_interrupt"."""
    step = step or (lambda _: None)
    step("build")
    full = NetworkBuilder(cluster, scenario).build()
    network = _grouped(full, group_members, len(cluster.members))
    model = PathwayModel(network)
    step("solve")
    try:
        status, condition = model.solve(time_limit=time_limit, mip_gap=mip_gap, progress=progress)
    except KeyboardInterrupt:
        raise SolverStopped("stopped (Ctrl-C) before the solver found a plan") from None
    if condition in ("infeasible", "infeasible_or_unbounded", "unbounded"):
        step("diagnose")
        raise InfeasiblePlan(diagnose(network, scenario, cluster.currency))
    if condition != "optimal" and not (condition in ("time_limit", "user_interrupt") and model.has_solution()
                                       and np.isfinite(model.model.objective.value or np.nan)):  # fmt: skip
        raise SolverStopped(f"the solver stopped ({condition}) before finding a plan; allow a longer --time-limit, "
                            "fewer --typical-days or a larger --mip-gap")
    result = PathwayResult.from_model(model, cluster.currency, "optimal" if condition == "optimal" else condition)
    result = ungroup(result, full, network)
    step("explain")
    if (why := why_this_plan(model)) is not None:
        result.meta = {**result.meta, "why": why}
    if baseline:
        step("baseline")
        result.baseline_cost, result.baseline_emissions = business_as_usual(cluster, scenario, group_members)
    return result


def why_this_plan(model: PathwayModel):
    """Each lever's reason (pathway/explain.py); None when the solver gives no duals for the plan."""
    try:
        explain.solve_for_duals(model)
        return explain.lever_reasons(model)
    except (ValueError, KeyError) as problem:  # no duals (e.g. the LP re-solve stopped): the plan stands without
        warnings.warn(f"no reasons for the plan's levers: {problem}", stacklevel=2)
        return None


def _grouped(network: Network, group_members: bool | None, size: int) -> Network:
    if group_members is False or (group_members is None and size <= AUTO_GROUP_MEMBERS):
        return network
    return group(network, member_groups(network))


def business_as_usual(cluster: Cluster, scenario: Scenario,
                      group_members: bool | None = None) -> tuple[float | None, object]:  # fmt: skip
    """Net present cost and yearly emissions of carrying on with today's equipment.

    No levers and no cap (a carbon price is still paid); worn-out equipment is replaced in kind.
    """
    keep = [lever for lever in ("hydrogen_network",) if lever in scenario.levers]
    # Prices and credits still apply to today's equipment; a renewable mandate cannot without levers.
    policies = [entry for entry, chosen in zip(scenario.policies, scenario.instruments(), strict=True)
                if chosen.kind != "renewable_mandate"]  # fmt: skip
    frozen = scenario.model_copy(update={"levers": keep, "target": "carbon_price_only", "max_build_per_year": {},
                                         "economies_of_scale": False, "policies": policies})  # fmt: skip
    model = PathwayModel(_grouped(NetworkBuilder(cluster, frozen).build(), group_members, len(cluster.members)))
    _, condition = model.solve()
    if condition != "optimal":
        return None, None
    emissions = (model.emissions.solution + model.emission_constant).sum("bus").to_pandas()
    return model.objective_value, emissions


def diagnose(network, scenario: Scenario, currency: str) -> str:
    """Solve with priced slack on every requirement and say which ones had to give, and by how much."""
    relaxed = PathwayModel(network, relax=True)
    _, condition = relaxed.solve()
    if condition != "optimal":
        return f"the plan is infeasible and even the relaxed model could not be solved ({condition})"
    # Yearly limits whose shortfall reads the same way: what the plan needs against what is allowed.
    limits = {f"annual-limit-{a.name}": (a.limit, f"the plan in {{period}} needs {{need:,.0f}} t/yr through the "
                                                  f"{a.description or a.name}, which allows {{have:,.0f}} t/yr")
              for a in network.annual_limits}  # fmt: skip
    limits |= {f"build-limit-{b.name}": (b.limit, f"building '{b.name}' in {{period}} needs {{need:,.0f}} MW, above "
                                                  "the scenario's limit of {have:,.0f} MW for that period")
               for b in network.build_limits}  # fmt: skip
    lines = []
    for name, slack in relaxed.slacks.items():
        values = slack.solution
        if float(values.max()) <= TOLERANCE:
            continue
        if name.startswith("emission-cap-"):
            who = name.removeprefix("emission-cap-")
            scopes = " + ".join(f"scope {k}" for k in scenario.cap_scopes)
            for period, short in values.to_series().items():
                if short > TOLERANCE:
                    cap = next(c for c in network.caps if c.name == who).limit[period]
                    lines.append(
                        f"the {scopes} emission cap of {'the cluster' if who == 'cluster' else who} in {period} "
                        f"allows {cap:,.0f} tCO2e/yr, but the least the levers can reach is {cap + short:,.0f} "
                        f"(short by {short:,.0f} tCO2e/yr); {_largest_emitters(relaxed, period)}"
                    )
        elif name in limits:
            limit, text = limits[name]
            for period, short in values.to_series().items():
                if short > TOLERANCE:
                    lines.append(text.format(period=period, need=limit[period] + short, have=limit[period]))
        elif name.startswith("unserved-demand"):
            peak = values.max(["day", "hour"]).to_pandas()
            for bus, row in peak.iterrows():
                for period, short in row.items():
                    if short > TOLERANCE:
                        node, carrier = bus.split("|", 1)
                        where = "the shared infrastructure" if node == HUB else f"member '{node}'"
                        lines.append(f"{carrier.replace('_', ' ')} for {where} cannot be supplied in {period} "
                                     f"(short by up to {short:,.1f} MW)")  # fmt: skip
    if not lines:
        return "the plan is infeasible, but relaxing its requirements found nothing to blame; please report this case"
    lines += _late_levers(network)
    return "the targets cannot be met:\n" + "\n".join(f"  - {line}" for line in lines)


def _late_levers(network) -> list[str]:
    """Levers that lead times keep out of the first periods (build.py sets them; docs/model.md)."""
    times = network.meta.get("lead_times")
    first = int(network.periods[0])
    if times is None or times.empty:
        return []
    late = times[times["earliest_operation"] > first].sort_values("earliest_operation")
    return [f"'{lever}' is not available before {row['earliest_operation']:g}: {_permitting(row)} and "
            f"{row['construction_years']:g} of construction from the decision year "
            f"{row['earliest_operation'] - row['lead_time_years']:g} (lead time of {row['jurisdiction']}; the "
            "scenario's decision_year, lead_time_overrides or lead_times: false change it)"
            for lever, row in late.iterrows()]  # fmt: skip


def _permitting(row) -> str:
    if row.get("permitting_unknown", False):
        return "permitting unknown (no sourced figure, not counted)"
    return f"{row['permitting_years']:g} years of permitting"


def _largest_emitters(model: PathwayModel, period) -> str:
    emissions = (model.emissions.solution + model.emission_constant).sel(period=period).to_series()
    nodes = emissions.groupby(emissions.index.str.split("|").str[0]).sum().sort_values(ascending=False)
    top = [f"{'shared infrastructure' if n == HUB else n} {v:,.0f}" for n, v in nodes.head(3).items() if v > TOLERANCE]
    return "largest remaining emitters: " + ", ".join(top) if top else "remaining emissions are negligible"
