"""The figures a comparison or a sweep keeps of one solved pathway: small, flat and JSON-ready."""

from __future__ import annotations

import pandas as pd

from clusterpath.pathway.result import NOT_ASSETS, PathwayResult

EPSILON = 1e-6  # MW, t/h or MWh: below this a lever was not used


def investments(result: PathwayResult) -> pd.DataFrame:
    """Capacity standing in each period by lever (rows ``lever``, ``unit``; columns periods).

    Units and stores together: a battery's or tank's size is its stored energy (MWh).
    """
    cap = result.data["capacity"].to_pandas()
    assets = result.units[~result.units["lever"].isin(NOT_ASSETS | {"today"})]
    table = cap.loc[assets.index].groupby([assets["lever"], assets["capacity_unit"]]).sum()
    if "store_energy" in result.data and len(result.stores):
        energy = result.data["store_energy"].to_pandas()
        stores = energy.groupby([result.stores.loc[energy.index, "lever"], pd.Series("MWh", index=energy.index)]).sum()
        table = pd.concat([table, stores])
    table.index = table.index.set_names(["lever", "unit"])
    table.columns = [int(p) for p in table.columns]
    return table[(table.abs() > EPSILON).any(axis=1)].sort_index()


def emissions(result: PathwayResult) -> dict[int, float]:
    """Yearly tCO2e of the whole cluster (every scope) in each period."""
    frame = result.emissions_by("node")
    return {int(p): float(frame[p].sum()) for p in result.periods}


def period_of(year: int, periods: list[int]) -> int:
    """The period that stands for ``year``: the last one starting at or before it."""
    earlier = [p for p in periods if p <= year]
    return earlier[-1] if earlier else periods[0]


def summarize(result: PathwayResult) -> dict:
    """Status, net present cost (total and by kind), emissions and investments by period."""
    table = investments(result)
    levers = table.index.get_level_values("lever")
    # A lever counted in two units (MW and MWh) keeps both, labelled by unit.
    label = {(lever, unit): f"{lever} ({unit})" if (levers == lever).sum() > 1 else lever for lever, unit in table.index}
    return {
        "status": result.status,
        "currency": result.currency,
        "periods": result.periods,
        "total_cost": float(result.objective),
        "cost_by_kind": {k: float(v) for k, v in result.costs.items()},
        "emissions_tco2e": emissions(result),
        "investments": {
            label[lever, unit]: {"unit": unit, "capacity": {int(p): float(v) for p, v in row.items()}}
            for (lever, unit), row in table.iterrows()
        },
    }
