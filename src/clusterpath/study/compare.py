"""Plan one cluster under several scenarios and set the outcomes side by side."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pandas as pd

from clusterpath.pathway.plan import DEFAULT_MIP_GAP, InfeasiblePlan, SolverStopped, plan
from clusterpath.schema import Cluster
from clusterpath.schema.scenario import Scenario
from clusterpath.study.outcome import summarize


def compare(cluster: Cluster, scenarios: Sequence[Scenario], *, time_limit: float | None = None,
            mip_gap: float = DEFAULT_MIP_GAP, step: Callable[[str], None] | None = None) -> dict:  # fmt: skip
    """One entry per scenario, in the order given; a scenario whose targets cannot be met is
    reported with its reason rather than ending the comparison."""
    step = step or (lambda _: None)
    rows = []
    for scenario in scenarios:
        step(scenario.name)
        entry: dict = {"scenario": scenario.name, "description": scenario.description}
        try:
            # The baseline run only feeds the abatement cost, which a comparison does not show.
            result = plan(cluster, scenario, time_limit=time_limit, mip_gap=mip_gap, baseline=False)
        except InfeasiblePlan as problem:
            entry |= {"status": "infeasible", "message": str(problem)}
        except SolverStopped as problem:
            entry |= {"status": "no_plan", "message": str(problem)}
        else:
            entry |= summarize(result)
        rows.append(entry)
    return {"cluster": cluster.id, "currency": cluster.currency, "scenarios": rows}


def cost_table(report: dict) -> pd.DataFrame:
    """Net present cost by kind (rows) and scenario (columns); ``total`` last."""
    solved = [s for s in report["scenarios"] if "cost_by_kind" in s]
    if not solved:
        return pd.DataFrame()
    table = pd.DataFrame({s["scenario"]: s["cost_by_kind"] for s in solved}).fillna(0.0)
    if "credits" in table.index and not table.loc["credits"].abs().gt(0).any():
        table = table.drop(index="credits")  # no policy pays credits in any scenario: a row of zeros says nothing
    table.loc["total"] = [s["total_cost"] for s in solved]
    return table


def emission_table(report: dict) -> pd.DataFrame:
    """Yearly tCO2e by period (rows) and scenario (columns); periods differ between scenarios."""
    return pd.DataFrame({s["scenario"]: s["emissions_tco2e"] for s in report["scenarios"] if "emissions_tco2e" in s}).sort_index()


def investment_table(report: dict) -> pd.DataFrame:
    """Capacity by lever in each scenario's last period (rows lever and unit, columns scenarios)."""
    columns = {}
    for s in report["scenarios"]:
        if "investments" not in s:
            continue
        last = s["periods"][-1]
        columns[s["scenario"]] = {(lever, item["unit"]): item["capacity"][last] for lever, item in s["investments"].items()}
    table = pd.DataFrame(columns).fillna(0.0)
    if len(table):
        table.index = table.index.set_names(["lever", "unit"])
    return table.sort_index()
