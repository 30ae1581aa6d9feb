"""Baseline accounting: scope 1 and 2 emissions, energy use, value added and jobs.

Scope 1 is fuel combustion (IPCC 2006 default factors, CH4 and N2O in CO2e with
GWP100), process emissions and the methane of wastewater treated on the member's own
site; scope 2 is location-based: grid electricity at the cluster's grid factor and
purchased heat or steam at the factor the member gives. CO2 from biomass is reported
as a memo item, outside the scope totals.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from clusterpath import reference
from clusterpath.schema import Cluster
from clusterpath.schema.models import PURCHASED_HEAT, WastewaterStream
from clusterpath.schema.vocabulary import ENERGY_INDUSTRY_SECTORS, WastewaterTreatment

LINE_COLUMNS = [
    "member", "sector", "scope", "kind", "carrier", "service", "energy_mwh",
    "co2_t", "ch4_t", "n2o_t", "tco2e", "biogenic_co2_t",
]  # fmt: skip
TOTAL_COLUMNS = ["scope1_tco2e", "scope2_tco2e", "total_tco2e", "biogenic_co2_t"]

# Wastewater treated on the member's own site is its scope 1 (GHG Protocol); wastewater sent to a municipal
# sewer, discharged untreated or treated otherwise emits outside the site (scope 3) and is not counted.
ON_SITE_TREATMENT = {WastewaterTreatment.AEROBIC: "wastewater_aerobic_treatment",
                     WastewaterTreatment.ANAEROBIC: "wastewater_anaerobic_treatment"}  # fmt: skip


def interpolate(trajectory: dict[int, float], year: int) -> float:
    """Linear between given years, flat beyond them."""
    years = sorted(trajectory)
    return float(np.interp(year, years, [trajectory[y] for y in years]))


@dataclass(frozen=True)
class GridFactor:
    tco2e_per_mwh: float
    label: str  # short, for tables
    source: str  # the full citation


def grid_factor(cluster: Cluster, year: int | None = None) -> GridFactor | None:
    """The location-based grid factor for ``year`` (default: the base year)."""
    year = cluster.base_year if year is None else year
    if cluster.grid.emission_factor:
        return GridFactor(interpolate(cluster.grid.emission_factor, year), "the cluster's grid.emission_factor",
                          "cluster grid.emission_factor")
    defaults = reference.grid_factors(cluster.country)
    if not defaults:
        return None
    # Statistics lag a year or two: take the latest year not after ``year``.
    known = [y for y in sorted(defaults) if y <= year] or sorted(defaults)[:1]
    used = known[-1]
    rows = reference.table("grid_emission_factors")
    source = rows[(rows["country"] == cluster.country) & (rows["year"] == used)]["source"].iloc[0]
    return GridFactor(defaults[used], f"{cluster.country} default for {used}, lifecycle basis", source)


def wastewater_ch4_t(stream: WastewaterStream) -> float:
    """Methane a stream treated on site emits a year, t: COD x B0 x MCF, less what is recovered (IPCC 2006 Vol. 5 Eq. 6.4).

    Organic matter removed as sludge is not deducted (S = 0): give the COD entering the treatment.
    """
    item = ON_SITE_TREATMENT.get(stream.treatment)
    if item is None or stream.cod is None:
        return 0.0
    b0 = reference.infrastructure_value("wastewater_anaerobic_treatment", "B0_max_methane_producing_capacity")
    mcf = reference.infrastructure_value(item, "MCF_methane_correction_factor")
    return stream.cod * b0 * mcf * (1 - stream.methane_recovered)


def _fuel_factor_table() -> pd.DataFrame:
    fuels = reference.table("fuels")
    gwp = reference.gwp100()
    biogenic = fuels["biogenic"].astype(str).str.lower() == "true"
    return pd.DataFrame(
        {
            "carrier": fuels["fuel"],
            "category": fuels["category"],
            "co2_t_per_mwh": fuels["co2_kg_per_tj"] * reference.TJ_PER_MWH / 1000,
            "ch4_t_per_mwh": fuels["ch4_kg_per_tj"] * reference.TJ_PER_MWH / 1000,
            "n2o_t_per_mwh": fuels["n2o_kg_per_tj"] * reference.TJ_PER_MWH / 1000,
            "biogenic": biogenic,
            "gwp_ch4": np.where(biogenic, gwp["ch4_non_fossil"], gwp["ch4_fossil"]),
            "gwp_n2o": gwp["n2o"],
        }
    )


class Inventory:
    """The baseline of one cluster; every table is derived from ``lines``."""

    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster
        self.grid = grid_factor(cluster)

    @cached_property
    def lines(self) -> pd.DataFrame:
        """One row per demand, process emission and wastewater stream treated on site of every member."""
        frames = [self._energy_lines(), self._process_lines(), self._wastewater_lines()]
        frames = [f for f in frames if not f.empty]
        if not frames:
            return pd.DataFrame(columns=LINE_COLUMNS)
        return pd.concat(frames, ignore_index=True)[LINE_COLUMNS]

    def _energy_lines(self) -> pd.DataFrame:
        rows = [
            {
                "member": m.id,
                "sector": m.sector.value,
                "carrier": d.carrier,
                "service": d.service.value,
                "energy_mwh": d.carrier_mwh,
                "purchased_factor": d.emission_factor,
                "category": "energy_industries" if m.sector in ENERGY_INDUSTRY_SECTORS else "manufacturing",
            }
            for m in self.cluster.members
            for d in m.demands
        ]
        if not rows:
            return pd.DataFrame()
        lines = pd.DataFrame(rows).merge(_fuel_factor_table(), on=["carrier", "category"], how="left")
        fuel = lines["co2_t_per_mwh"].notna()
        energy = lines["energy_mwh"]
        co2 = (energy * lines["co2_t_per_mwh"]).fillna(0.0)
        lines["biogenic_co2_t"] = co2.where(lines["biogenic"].fillna(False).astype(bool), 0.0)
        lines["co2_t"] = co2 - lines["biogenic_co2_t"]
        lines["ch4_t"] = (energy * lines["ch4_t_per_mwh"]).fillna(0.0)
        lines["n2o_t"] = (energy * lines["n2o_t_per_mwh"]).fillna(0.0)
        combustion = lines["co2_t"] + lines["ch4_t"] * lines["gwp_ch4"] + lines["n2o_t"] * lines["gwp_n2o"]
        electricity = lines["carrier"] == "electricity"
        purchased = lines["carrier"].isin(PURCHASED_HEAT)
        grid = self.grid.tco2e_per_mwh if self.grid else 0.0
        lines["tco2e"] = np.select(
            [fuel, electricity, purchased],
            [combustion, energy * grid, energy * lines["purchased_factor"].astype(float)],
            default=0.0,
        )
        lines["scope"] = np.select([fuel, electricity | purchased], ["1", "2"], default="none")
        lines["kind"] = np.where(fuel, "combustion", np.where(electricity | purchased, "purchased", "energy only"))
        return lines

    def _process_lines(self) -> pd.DataFrame:
        gwp = reference.gwp100()
        rows = []
        for m in self.cluster.members:
            for p in m.process_emissions:
                gas_gwp = gwp["ch4_non_fossil" if p.biogenic else "ch4_fossil"] if p.gas == "ch4" else gwp[p.gas]
                biogenic_co2 = p.amount if p.gas == "co2" and p.biogenic else 0.0
                rows.append(
                    {
                        "member": m.id,
                        "sector": m.sector.value,
                        "scope": "1",
                        "kind": "process",
                        "carrier": "process",
                        "service": p.source,
                        "energy_mwh": 0.0,
                        "co2_t": p.amount if p.gas == "co2" and not p.biogenic else 0.0,
                        "ch4_t": p.amount if p.gas == "ch4" else 0.0,
                        "n2o_t": p.amount if p.gas == "n2o" else 0.0,
                        "tco2e": 0.0 if biogenic_co2 else p.amount * gas_gwp,
                        "biogenic_co2_t": biogenic_co2,
                    }
                )
        return pd.DataFrame(rows)

    def _wastewater_lines(self) -> pd.DataFrame:
        # Wastewater carbon is biogenic: its methane counts at the non-fossil GWP (IPCC 2006 Vol. 5, category 4.D.2).
        gwp = reference.gwp100()["ch4_non_fossil"]
        rows = [
            {"member": m.id, "sector": m.sector.value, "scope": "1", "kind": "wastewater", "carrier": "wastewater",
             "service": f"{s.treatment.value} treatment", "energy_mwh": 0.0, "co2_t": 0.0, "ch4_t": wastewater_ch4_t(s),
             "n2o_t": 0.0, "tco2e": wastewater_ch4_t(s) * gwp, "biogenic_co2_t": 0.0}
            for m in self.cluster.members
            for s in m.wastewater
            if s.treatment in ON_SITE_TREATMENT and s.cod is not None
        ]  # fmt: skip
        return pd.DataFrame(rows)

    def _totals_by(self, key: str) -> pd.DataFrame:
        lines = self.lines
        scope1 = lines["tco2e"].where(lines["scope"] == "1", 0.0)
        scope2 = lines["tco2e"].where(lines["scope"] == "2", 0.0)
        energy = lines["energy_mwh"]
        frame = pd.DataFrame(
            {
                key: lines[key],
                "energy_mwh": energy,
                "scope1_tco2e": scope1,
                "scope1_combustion_tco2e": scope1.where(lines["kind"] == "combustion", 0.0),
                "scope1_process_tco2e": scope1.where(lines["kind"] == "process", 0.0),
                "scope1_wastewater_tco2e": scope1.where(lines["kind"] == "wastewater", 0.0),
                "scope2_tco2e": scope2,
                "biogenic_co2_t": lines["biogenic_co2_t"],
            }
        )
        totals = frame.groupby(key, sort=False).sum()
        totals["total_tco2e"] = totals["scope1_tco2e"] + totals["scope2_tco2e"]
        return totals

    @cached_property
    def members(self) -> pd.DataFrame:
        info = pd.DataFrame(
            [
                {"id": m.id, "name": m.name, "sector": m.sector.value, "value_added": m.value_added, "jobs": m.jobs}
                for m in self.cluster.members
            ]
        ).set_index("id")
        table = info.join(self._totals_by("member")).fillna(0.0)
        table["jobs"] = table["jobs"].astype(int)
        table["tco2e_per_million_value_added"] = _intensity(table["total_tco2e"], table["value_added"])
        return table

    @cached_property
    def sectors(self) -> pd.DataFrame:
        members = self.members
        sums = ["value_added", "jobs", "energy_mwh", "scope1_tco2e", "scope1_combustion_tco2e",
                "scope1_process_tco2e", "scope1_wastewater_tco2e", "scope2_tco2e", "total_tco2e",
                "biogenic_co2_t"]  # fmt: skip
        table = members.groupby("sector")[sums].sum()
        table.insert(0, "members", members.groupby("sector").size())
        table["tco2e_per_million_value_added"] = _intensity(table["total_tco2e"], table["value_added"])
        return table.sort_values("total_tco2e", ascending=False)

    @cached_property
    def carriers(self) -> pd.DataFrame:
        return self._totals_by("carrier").sort_values("total_tco2e", ascending=False)

    @cached_property
    def totals(self) -> dict[str, float]:
        members = self.members
        columns = ["energy_mwh", "scope1_tco2e", "scope1_combustion_tco2e", "scope1_process_tco2e",
                   "scope1_wastewater_tco2e", "scope2_tco2e", "total_tco2e", "biogenic_co2_t", "value_added"]  # fmt: skip
        out = {c: float(members[c].sum()) for c in columns}
        out["jobs"] = int(members["jobs"].sum())
        out["tco2e_per_million_value_added"] = float(_intensity(out["total_tco2e"], out["value_added"]))
        return out

    def to_dict(self) -> dict:
        c = self.cluster
        totals = self.totals
        return {
            "cluster": {
                "id": c.id,
                "name": c.name,
                "country": c.country,
                "kind": c.kind.value,
                "currency": c.currency,
                "base_year": c.base_year,
                "illustrative": c.illustrative,
                "members": len(c.members),
            },
            "total_tco2e": totals["total_tco2e"],
            "scope1_tco2e": totals["scope1_tco2e"],
            "scope1_combustion_tco2e": totals["scope1_combustion_tco2e"],
            "scope1_process_tco2e": totals["scope1_process_tco2e"],
            "scope1_wastewater_tco2e": totals["scope1_wastewater_tco2e"],
            "scope2_tco2e": totals["scope2_tco2e"],
            "biogenic_co2_t": totals["biogenic_co2_t"],
            "energy_mwh": totals["energy_mwh"],
            "value_added": totals["value_added"],
            "jobs": totals["jobs"],
            "tco2e_per_million_value_added": totals["tco2e_per_million_value_added"],
            "grid_emission_factor": (
                {"tco2e_per_mwh": self.grid.tco2e_per_mwh, "basis": self.grid.label, "source": self.grid.source}
                if self.grid
                else None
            ),
            "gwp": f"{reference.DEFAULT_ASSESSMENT} GWP100",
            "members": _records(self.members, "id"),
            "sectors": _records(self.sectors, "sector"),
            "carriers": _records(self.carriers, "carrier"),
        }

    def write_csv(self, folder) -> list:
        from pathlib import Path

        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        written = []
        for name, frame, index in (
            ("members", self.members, True),
            ("sectors", self.sectors, True),
            ("carriers", self.carriers, True),
            ("emission_lines", self.lines, False),
            ("summary", pd.DataFrame([self.totals]), False),
        ):
            path = folder / f"{name}.csv"
            frame.to_csv(path, index=index)
            written.append(path)
        return written


def _intensity(tco2e, value_added):
    """tCO2e per million of value added; undefined (NaN) where value added is zero."""
    tco2e, value_added = np.asarray(tco2e, dtype=float), np.asarray(value_added, dtype=float)
    out = np.full(np.broadcast(tco2e, value_added).shape, np.nan)
    with np.errstate(over="ignore"):
        return np.divide(tco2e * 1e6, value_added, out=out, where=value_added > 0)


def _records(frame: pd.DataFrame, key: str) -> list[dict]:
    records = frame.reset_index().rename(columns={"index": key}).to_dict(orient="records")
    return [{k: (None if isinstance(v, float) and np.isnan(v) else v) for k, v in r.items()} for r in records]
