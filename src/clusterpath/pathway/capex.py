"""A scenario's capex multipliers applied to a built network.

Applied to the assembled tables rather than to each catalog look-up, so every way a lever's
investment cost enters the model is scaled alike: per-MW capex of units, energy and power
capex of stores, and the size-class segments of units with economies of scale.
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from clusterpath.pathway.network import Network

# Units whose lever is not a scenario lever but part of one: the wastewater plant's biogas CHP is
# bought with the treatment plant.
PART_OF = {"biogas_chp": "wastewater_treatment"}
# Like-for-like replacements of today's equipment are what the cluster pays anyway, not a lever's price.
NOT_SCALED = {"today"}


def factors(levers: pd.Series, multipliers: dict[str, float]) -> pd.Series:
    """The factor of each row's lever: its own multiplier, else ``*``, else 1."""
    default = multipliers.get("*", 1.0)

    def factor(lever: str) -> float:
        if lever in NOT_SCALED:
            return 1.0
        return multipliers.get(PART_OF.get(lever, lever), default)

    return levers.map(factor).astype(float)


def scale_capex(network: Network, multipliers: dict[str, float]) -> Network:
    if not multipliers:
        return network
    unit_factor = factors(network.units["lever"], multipliers)
    unit_period = network.unit_period.copy()
    unit_period["capex"] = unit_period["capex"] * unit_factor.reindex(unit_period.index.get_level_values("unit")).to_numpy()
    changes: dict = {"unit_period": unit_period}
    if len(network.store_period) and "lever" in network.stores:
        store_factor = factors(network.stores["lever"], multipliers)
        store_period = network.store_period.copy()
        rows = store_factor.reindex(store_period.index.get_level_values("store")).to_numpy()
        for column in ("capex_energy", "capex_power"):
            store_period[column] = store_period[column] * rows
        changes["store_period"] = store_period
    if network.scale is not None:
        scale = network.scale.copy()
        rows = unit_factor.reindex(scale.index.get_level_values("unit")).to_numpy()
        for column in ("fixed", "slope"):
            scale[column] = scale[column] * rows
        changes["scale"] = scale
    return replace(network, **changes)
