"""A cluster and scenario that solve in well under a second, for sweeps and comparisons."""

from __future__ import annotations

import yaml

CLUSTER = {
    "id": "tiny", "name": "Tiny cluster", "country": "BE", "location": {"lat": 51.3, "lon": 4.3}, "kind": "port",
    "currency": "EUR", "base_year": 2023, "discount_rate": 0.05,
    "grid": {"emission_factor": {2023: "0.2 tCO2e/MWh"}, "electricity_price": {2023: 80}},
    "members": [
        {"id": "chem", "name": "Chem", "sector": "chemicals", "value_added": 1e7, "jobs": 10,
         "demands": [{"service": "electricity", "carrier": "electricity", "final_energy": "2000 MWh"},
                     {"service": "steam", "carrier": "natural_gas", "equipment": "boiler", "efficiency": 0.9,
                      "useful_energy": "8760 MWh"}]},
    ],
}  # fmt: skip
# A carbon price only, so every case is feasible and the price visibly moves the plan.
SCENARIO = {"name": "tiny-price", "periods": [2025, 2035, 2050], "target": "carbon_price_only", "target_year": 2050,
            "carbon_price": {2025: 80, 2050: 250}, "typical_days": 1, "levers": ["electric_boiler"],
            "economies_of_scale": False}  # fmt: skip


def write(path, data) -> str:
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return str(path)
