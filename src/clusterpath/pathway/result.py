"""What a solved pathway says: capacities, energy, emissions and costs as labeled arrays.

A ``PathwayResult`` holds plain xarray data (no solver objects), so it can be saved,
compared and reported without the model. ``summary()`` is the JSON the CLI writes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from clusterpath.pathway.build import HUB
from clusterpath.pathway.network import PathwayModel, annuity

# Units that move or account energy rather than being an asset someone builds.
NOT_ASSETS = {"market", "vent", "release", "shared_power"}
CONNECTIONS = {"co2_network": "co2-connection", "hydrogen_network": "h2-connection", "heat_network": "heat-connection"}


@dataclass
class PathwayResult:
    status: str
    objective: float
    currency: str
    data: xr.Dataset  # capacity, new_capacity, energy, emissions, store capacities, annual unit costs
    units: pd.DataFrame  # node, lever, technology, service, capacity_unit of every unit
    costs: dict[str, float]  # net present cost by kind
    baseline_cost: float | None = None  # the same cluster with today's equipment only (no cap, no levers)

    @property
    def periods(self) -> list[int]:
        return [int(p) for p in self.data.indexes["period"]]

    # -- from a solved model ----------------------------------------------------------
    @classmethod
    def from_model(cls, pm: PathwayModel, currency: str, status: str) -> PathwayResult:
        n = pm.network
        weight = n.day_weight
        data = xr.Dataset(
            {
                "capacity": pm.capacity.solution,
                "new_capacity": pm.new.solution.fillna(0.0),
                "energy": (pm.flow.solution * weight).sum(["day", "hour"]),
                "emissions": pm.emissions.solution + pm.emission_constant,
            }
        )
        if pm.store_energy is not None:
            data["store_energy"] = pm.store_energy.solution
            data["store_power"] = pm.store_power.solution
        data["unit_cost"] = _annual_unit_cost(pm, data)
        costs = {name: float(expression.solution.sum()) if hasattr(expression, "solution") else float(expression)
                 for name, expression in pm.cost_terms.items()}  # fmt: skip
        costs.setdefault("credits", 0.0)
        units = n.units.copy()
        if not n.stores.empty:
            data.attrs["stores"] = list(n.stores.index)
        result = cls(status, float(pm.model.objective.value), currency, data, units, costs)
        result.stores = n.stores.copy()
        result.buses = n.buses.copy()
        return result

    # -- views --------------------------------------------------------------------------
    def emissions_by(self, level: str = "node") -> pd.DataFrame:
        """Yearly tCO2e by node (member or hub) or by scope, per period."""
        frame = self.data["emissions"].to_pandas()
        key = self.buses.loc[frame.index, "node" if level == "node" else "carrier"]
        return frame.groupby(key.values).sum()

    def member_emissions(self) -> pd.DataFrame:
        return self.emissions_by("node").rename(index={HUB: "shared infrastructure"})

    def capacity_by_technology(self) -> pd.DataFrame:
        cap = self.data["capacity"].to_pandas()
        assets = self.units[~self.units["lever"].isin(NOT_ASSETS)]
        cap = cap.loc[assets.index]
        table = cap.groupby([assets["technology"], assets["capacity_unit"]]).sum()
        return table[(table.abs() > 1e-6).any(axis=1)]

    def shared_assets(self) -> dict:
        """Hub assets and connections: capacity per period and the members connected to each network."""
        cap = self.data["capacity"].to_pandas()
        out: dict = {}
        hub = self.units[(self.units["node"] == HUB) & ~self.units["lever"].isin(NOT_ASSETS | {"today"})]
        connected = {}
        for lever, suffix in CONNECTIONS.items():
            links = self.units.index[self.units["lever"] == lever]
            links = [u for u in links if u.endswith(suffix)]
            connected[lever] = {p: sorted(self.units.loc[u, "node"] for u in links if cap.loc[u, p] > 1e-6)
                                for p in self.periods}  # fmt: skip
        network_of = {"co2_network": "co2_network", "direct_air_capture": "co2_network", "smr_ccs": "hydrogen_network",
                      "electrolysis": "hydrogen_network", "hydrogen_storage": "hydrogen_network",
                      "geothermal": "heat_network", "large_heat_pump": "heat_network", "heat_storage": "heat_network"}  # fmt: skip
        for unit, row in hub.iterrows():
            series = cap.loc[unit]
            if (series.abs() < 1e-6).all():
                continue
            network = network_of.get(row["lever"])
            out[unit.split("|", 1)[1]] = {
                str(p): {"capacity": float(series[p]), "unit": row["capacity_unit"],
                         "members": connected.get(network, {}).get(p, "all") if network else "all"}
                for p in self.periods
            }  # fmt: skip
        for store in getattr(self, "stores", pd.DataFrame()).index:
            energy = self.data["store_energy"].sel(store=store).to_pandas()
            if (energy.abs() < 1e-6).all():
                continue
            lever = self.stores.loc[store, "lever"]
            network = network_of.get(lever)
            out[store.split("|", 1)[1]] = {
                str(p): {"capacity": float(energy[p]), "unit": "MWh",
                         "members": connected.get(network, {}).get(p, "all") if network else "all"}
                for p in self.periods
            }  # fmt: skip
        for lever, by_period in connected.items():
            cap_sum = {p: float(cap.loc[[u for u in self.units.index if self.units.loc[u, "lever"] == lever], p].sum())
                       for p in self.periods}  # fmt: skip
            if any(v > 1e-6 for v in cap_sum.values()):
                unit = "tCO2/h" if lever == "co2_network" else "MW"
                out[f"{lever.replace('_network', '')}-connections"] = {
                    str(p): {"capacity": cap_sum[p], "unit": unit, "members": by_period[p]} for p in self.periods
                }
        return out

    def levers_used(self) -> pd.DataFrame:
        """Capacity by member and lever in each period (assets only)."""
        cap = self.data["capacity"].to_pandas()
        assets = self.units[~self.units["lever"].isin(NOT_ASSETS)]
        table = cap.loc[assets.index].groupby([assets["node"], assets["lever"]]).sum()
        return table[(table.abs() > 1e-6).any(axis=1)]

    def summary(self) -> dict:
        emissions = self.emissions_by("node")
        members = self.member_emissions().drop(index="shared infrastructure", errors="ignore")
        capacity = self.capacity_by_technology()
        return {
            "status": self.status,
            "objective": self.objective,
            "currency": self.currency,
            "periods": self.periods,
            "emissions_tco2e": {str(p): float(emissions[p].sum()) for p in self.periods},
            "emissions_by_scope_tco2e": {
                scope: {str(p): float(v) for p, v in row.items()} for scope, row in self.emissions_by("scope").iterrows()
            },
            "member_emissions_tco2e": {
                member: {str(p): float(row[p]) for p in self.periods} for member, row in members.iterrows()
            },
            "capacity": {
                tech: {str(p): {"value": float(row[p]), "unit": unit} for p in self.periods}
                for (tech, unit), row in capacity.iterrows()
            },
            "shared_assets": self.shared_assets(),
            "cost_breakdown": self.costs,
            "baseline_cost": self.baseline_cost,
        }

    # -- files -----------------------------------------------------------------------------
    def to_netcdf(self, path: Path) -> None:
        data = self.data.copy()
        # netCDF has no pandas string dtype: labels go out as plain unicode arrays.
        data = data.assign_coords({name: np.asarray(data[name].values, dtype=str) for name in data.coords
                                   if data[name].dtype.kind not in "biufcmM"})  # fmt: skip
        data.attrs = {"currency": self.currency, "status": self.status, "objective": self.objective}
        for name, column in self.units.items():
            data[f"unit_{name}"] = ("unit", np.asarray(column.astype(str), dtype=str))
        data.to_netcdf(path)

    def to_csv(self, folder: Path) -> list[Path]:
        folder.mkdir(parents=True, exist_ok=True)
        tables = {
            "capacity": self.data["capacity"].to_pandas().join(self.units[["node", "lever", "technology", "capacity_unit"]]),
            "energy": self.data["energy"].to_pandas().join(self.units[["node", "lever", "technology"]]),
            "emissions": self.data["emissions"].to_pandas(),
            "member_emissions": self.member_emissions(),
            "levers": self.levers_used(),
            "costs": pd.Series(self.costs, name=f"net present cost ({self.currency})").to_frame(),
        }
        written = []
        for name, frame in tables.items():
            path = folder / f"{name}.csv"
            frame.to_csv(path)
            written.append(path)
        return written


def _annual_unit_cost(pm: PathwayModel, data: xr.Dataset) -> xr.DataArray:
    """Yearly cost of each unit in each period: annuity and fixed O&M of standing vintages, plus variable cost."""
    n = pm.network
    periods = pm.coords["period"]
    units = pm.coords["unit"]
    capex = n.unit_period["capex"].unstack("period").reindex(index=units, columns=periods).fillna(0.0)
    crf = annuity(n.discount_rate, n.units["lifetime"].astype(float).values)
    fom = n.units["fom"].astype(float).values
    new = data["new_capacity"].transpose("unit", "build").values
    activity = pm.activity.transpose("unit", "build", "period").values
    standing = np.einsum("ub,ubp->up", new * capex.values, activity)
    if pm.investment is not None:
        # Scaled units pay what their size class costs, not the linear catalog price.
        scaled = pm.investment.solution.transpose("scaled", "build").values
        rows = units.get_indexer(pm.scaled_units)
        standing[rows] = np.einsum("ub,ubp->up", scaled, activity[rows])
    yearly = standing * (np.asarray(crf)[:, None] + fom[:, None])
    vom = n.unit_period["vom"].unstack("period").reindex(index=units, columns=periods).fillna(0.0).values
    yearly = yearly + vom * data["energy"].transpose("unit", "period").values
    return xr.DataArray(yearly, coords=[units, periods])
