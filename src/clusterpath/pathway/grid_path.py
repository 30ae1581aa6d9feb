"""The public grid's emission factor over a plan's periods (location-based scope 2, docs/model.md 6.6).

History is the country's statistic (``grid_emission_factors.csv``, Ember); the future is a
published path (``grid_emission_factor_paths.csv``: national plans, official projections and laws),
linear between its years and held after the last one. A country without a published path
keeps its latest statistic, and the plan says so.
"""

from __future__ import annotations

from dataclasses import dataclass

from clusterpath import reference
from clusterpath.inventory import interpolate


@dataclass(frozen=True)
class GridPath:
    factors: list[float]  # tCO2e per MWh bought, by period
    basis: str  # where the factors come from, for the plan's output
    held_flat: bool  # no published path: the latest statistic is held to the horizon


def published_path(country: str) -> dict[int, float]:
    """A country's published grid factors, tCO2e/MWh by year (empty when none is shipped)."""
    rows = reference.table("grid_emission_factor_paths")
    rows = rows[rows["country"] == country]
    return dict(zip(rows["year"].astype(int), rows["tco2e_per_mwh"].astype(float), strict=True))


def default_grid_path(country: str, base_year: int, periods: list[int]) -> GridPath:
    """The grid factor by period from the country's statistics and its published path.

    The path starts at the latest statistic not after the base year (as the inventory does) and
    takes later statistics, then the published years after the last statistic.
    """
    history = reference.grid_factors(country)
    if not history:
        return GridPath([0.0] * len(periods), f"no grid factor for {country}: scope 2 of grid power not counted", True)
    start = max((y for y in history if y <= base_year), default=min(history))
    points = {y: v for y, v in history.items() if y >= start}
    last = max(points)
    future = {y: v for y, v in published_path(country).items() if y > last}
    factors = [interpolate({**points, **future}, year) for year in periods]
    if not future:
        return GridPath(factors, f"{country} grid factor held at its {last} statistic ({points[last]:.3f} tCO2e/MWh) "
                        "to the horizon: no published path is shipped for this country (docs/data.md)", True)  # fmt: skip
    years = sorted(future)
    return GridPath(factors, f"{country} grid factor from its {last} statistic to the published path "
                    f"({', '.join(f'{y}: {future[y]:.3f}' for y in years)} tCO2e/MWh; "
                    f"grid_emission_factor_paths.csv), linear between years, held after {years[-1]}", False)  # fmt: skip
