"""New biomass a cluster may source for the biomass lever (docs/model.md 6.4).

Without the scenario's own ``biomass_supply.limit``, the cluster takes its country's sustainable
solid-biomass potential (``biomass_potentials.csv``, JRC-EU-TIMES / ENSPRESO medium scenario) in
proportion to its share of the country's industrial final energy use (``industry_final_energy.csv``,
Eurostat): the members outside the energy industries, whose energy Eurostat counts in its industry
sector, against the national figure.
"""

from __future__ import annotations

from clusterpath import reference
from clusterpath.inventory import interpolate

MWH_PER_PJ = 1e9 / 3600
MWH_PER_KTOE = 11_630.0  # 1 toe = 41.868 GJ (IEA and Eurostat)


def national_potential_mwh(country: str) -> dict[int, float]:
    """The country's sustainable solid-biomass potential, MWh a year by year (empty when none is shipped)."""
    rows = reference.table("biomass_potentials")
    rows = rows[rows["country"] == country]
    return dict(zip(rows["year"].astype(int), rows["solid_biomass_pj"].astype(float) * MWH_PER_PJ, strict=True))


def industry_energy_mwh(country: str) -> float | None:
    """The country's final energy use in industry, MWh a year (its latest shipped year), or None."""
    rows = reference.table("industry_final_energy")
    rows = rows[rows["country"] == country]
    if rows.empty:
        return None
    return float(rows.sort_values("year")["final_energy_ktoe"].iloc[-1]) * MWH_PER_KTOE


def default_supply(country: str, cluster_industry_mwh: float, periods: list[int]) -> list[float] | None:
    """MWh a year of new biomass by period: the national potential times the cluster's share of national
    industrial energy use; None where either figure is missing for the country."""
    potential, national = national_potential_mwh(country), industry_energy_mwh(country)
    if not potential or not national:
        return None
    share = cluster_industry_mwh / national
    return [interpolate(potential, year) * share for year in periods]
