"""Small hand-written Networks for the pathway tests."""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from clusterpath.pathway.network import HOURS, Network


def make_network(*, buses, units, ports, demand, periods=(2025,), years=None, rate=0.0, base_year=None,
                 weights=(365.0,), order=None, profiles=None, stores=(), durations=None, **extra) -> Network:
    """A Network from compact per-unit dicts on one node; scalars stand for every period.

    ``durations``: hours each time step of each day lasts (day, step), for segmented days; default 24 of 1 hour.
    """
    periods = pd.Index(list(periods), name="period")
    days = pd.RangeIndex(len(weights), name="day")
    steps = HOURS if durations is None else np.shape(durations)[1]
    hours = pd.RangeIndex(steps, name="hour")
    if durations is not None:
        extra["step_hours"] = xr.DataArray(np.asarray(durations, float), coords=[days, hours])
    if order is None:
        order = np.repeat(np.arange(len(weights)), np.asarray(weights, int))

    def by_period(value) -> np.ndarray:
        return np.broadcast_to(np.asarray(value, float), (len(periods),))

    unit_rows, unit_period = [], []
    for spec in units:
        unit_rows.append({
            "unit": spec["unit"], "node": "site", "technology": spec["unit"],
            "lifetime": float(spec.get("lifetime", 20)), "fom": float(spec.get("fom", 0.0)),
            "extendable": bool(spec.get("extendable", True)), "capacity_max": float(spec.get("capacity_max", np.inf)),
            "profile": spec.get("profile", ""), "unlimited": bool(spec.get("unlimited", False)),
        })  # fmt: skip
        capex, vom, existing = (by_period(spec.get(k, 0.0)) for k in ("capex", "vom", "existing"))
        unit_period += [{"unit": spec["unit"], "period": p, "capex": capex[i], "vom": vom[i], "existing": existing[i]}
                        for i, p in enumerate(periods)]  # fmt: skip
    profiles = profiles or {}
    profile_values = np.array([np.broadcast_to(np.asarray(v, float), (len(days), steps)) for v in profiles.values()])
    balance = [b for b, kind in buses.items() if kind == "balance"]
    load = np.zeros((len(balance), len(periods), len(days), steps))
    for bus, value in demand.items():
        load[balance.index(bus)] = np.asarray(value, float)  # broadcasts (hour), (day, hour) or (period, day, hour)
    store_rows, store_period = [], []
    for spec in stores:
        store_rows.append({
            "store": spec["store"], "bus": spec["bus"], "lifetime": float(spec.get("lifetime", 20)),
            "fom": float(spec.get("fom", 0.0)), "eta_charge": float(spec.get("eta_charge", 1.0)),
            "eta_discharge": float(spec.get("eta_discharge", 1.0)), "standing_loss": float(spec.get("standing_loss", 0.0)),
            "energy_max": float(spec.get("energy_max", np.inf)), "max_hours": spec.get("max_hours", np.nan),
        })  # fmt: skip
        energy, power = by_period(spec.get("capex_energy", 0.0)), by_period(spec.get("capex_power", 0.0))
        store_period += [{"store": spec["store"], "period": p, "capex_energy": energy[i], "capex_power": power[i]}
                         for i, p in enumerate(periods)]  # fmt: skip
    tables = {}
    if store_rows:
        tables = {"stores": pd.DataFrame(store_rows).set_index("store"),
                  "store_period": pd.DataFrame(store_period).set_index(["store", "period"])}  # fmt: skip
    return Network(
        periods=periods,
        period_years=pd.Series(years or {p: 1 for p in periods}),
        discount_rate=rate,
        base_year=periods[0] if base_year is None else base_year,
        day_weight=xr.DataArray(np.asarray(weights, float), coords=[days]),
        day_order=np.asarray(order),
        buses=pd.DataFrame({"node": "site", "carrier": list(buses), "kind": list(buses.values())},
                           index=pd.Index(list(buses), name="bus")),
        units=pd.DataFrame(unit_rows).set_index("unit"),
        unit_period=pd.DataFrame(unit_period).set_index(["unit", "period"]),
        ports=pd.DataFrame(ports, columns=["unit", "bus", "coefficient"]),
        demand=xr.DataArray(load, coords=[pd.Index(balance, name="bus"), periods, days, hours]),
        profiles=xr.DataArray(profile_values.reshape(len(profiles), len(days), steps),
                              coords=[pd.Index(list(profiles), name="profile"), days, hours]),
        **tables,
        **extra,
    )  # fmt: skip
