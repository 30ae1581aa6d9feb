"""Network tables as the model's labeled arrays: a column by period, and the capital recovery factor."""

from __future__ import annotations

import pandas as pd
import xarray as xr


def annuity(rate: float, lifetime: xr.DataArray | float) -> xr.DataArray:
    """Capital recovery factor: the yearly payment that repays 1 over ``lifetime`` years."""
    lifetime = xr.DataArray(lifetime)
    if rate == 0:
        return 1 / lifetime
    return rate / (1 - (1 + rate) ** -lifetime)


def period_table(frame: pd.DataFrame, column: str, index_name: str, periods: pd.Index,
                 order: pd.Index | None = None) -> xr.DataArray:  # fmt: skip
    """``frame[column]`` by ``index_name`` and period, in the order of ``order`` and ``periods``."""
    table = frame[column].unstack("period").reindex(index=order, columns=periods)
    table.index.name = index_name
    return xr.DataArray(table.astype(float))


def market_prices(n) -> pd.DataFrame:
    """Price per MWh (or t) of every market, by the bus it supplies and period."""
    markets = n.units.index[n.units["lever"] == "market"]
    supply = n.ports[n.ports["unit"].isin(markets) & (n.ports["coefficient"] > 0)]
    vom = n.unit_period["vom"].unstack("period")
    return pd.DataFrame({bus: vom.loc[unit] for unit, bus in zip(supply["unit"], supply["bus"], strict=True)}).T
