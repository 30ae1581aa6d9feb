import copy

import pytest

SMALL_CLUSTER = {
    "id": "small",
    "name": "Small test cluster",
    "country": "BE",
    "location": {"lat": 51.3, "lon": 4.3},
    "kind": "port",
    "currency": "EUR",
    "base_year": 2023,
    "discount_rate": 0.07,
    "grid": {"emission_factor": {2023: "0.2 tCO2e/MWh"}, "electricity_price": {2023: 100}},
    "members": [
        {
            "id": "chem",
            "name": "Chemicals Co",
            "sector": "chemicals",
            "value_added": 2.0e8,
            "jobs": 400,
            "demands": [
                {"service": "electricity", "carrier": "electricity", "final_energy": "1000 MWh"},
                {
                    "service": "steam",
                    "carrier": "natural_gas",
                    "equipment": "boiler",
                    "efficiency": 0.9,
                    "useful_energy": "900 MWh",
                },
            ],
            "process_emissions": [{"source": "nitric acid", "gas": "n2o", "amount": "2 t"}],
        },
        {
            "id": "power",
            "name": "Power Co",
            "sector": "power",
            "value_added": 5.0e7,
            "jobs": 50,
            "demands": [{"service": "electricity", "carrier": "natural_gas", "equipment": "engine",
                         "efficiency": 0.4, "final_energy": "1 TJ"}],
        },
    ],
}


@pytest.fixture
def small_cluster() -> dict:
    """A two-member cluster whose inventory is computed by hand in the tests."""
    return copy.deepcopy(SMALL_CLUSTER)
