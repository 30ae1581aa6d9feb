"""Properties of the inventory: totals are sums of parts, independent of order and input units."""

import copy

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clusterpath.inventory import Inventory
from clusterpath.schema import Cluster

FUELS = ["natural_gas", "coal_bituminous", "fuel_oil", "diesel", "lpg", "wood", "biogas", "municipal_waste"]
SECTORS = ["chemicals", "refining", "steel", "cement", "power", "food", "waste", "other"]
# The same amount written in different units: MWh value -> text in that unit.
ENERGY_UNITS = {
    "MWh": lambda mwh: f"{mwh!r} MWh",
    "GWh": lambda mwh: f"{mwh / 1e3!r} GWh",
    "GJ": lambda mwh: f"{mwh * 3.6!r} GJ",
    "TJ": lambda mwh: f"{mwh * 0.0036!r} TJ",
    "kWh": lambda mwh: f"{mwh * 1e3!r} kWh",
}

amount = st.floats(min_value=0, max_value=1e7, allow_nan=False, allow_infinity=False)
demand = st.fixed_dictionaries(
    {
        "carrier": st.sampled_from([*FUELS, "electricity"]),
        "mwh": amount,
        "efficiency": st.floats(min_value=0.3, max_value=1.0),
    }
)
member = st.fixed_dictionaries(
    {
        "sector": st.sampled_from(SECTORS),
        "value_added": amount,
        "jobs": st.integers(min_value=0, max_value=10_000),
        "demands": st.lists(demand, max_size=4),
        "process_t": st.lists(st.tuples(st.sampled_from(["co2", "ch4", "n2o"]), amount), max_size=2),
        "wastewater_cod_t": st.lists(st.tuples(st.sampled_from(["aerobic", "anaerobic", "municipal_sewer"]), amount),
                                     max_size=2),
    }
)


def build(members: list[dict], unit: str = "MWh") -> dict:
    return {
        "id": "prop",
        "name": "Property cluster",
        "country": "NL",
        "location": {"lat": 51.9, "lon": 4.1},
        "kind": "port",
        "currency": "EUR",
        "base_year": 2023,
        "discount_rate": 0.08,
        "members": [
            {
                "id": f"m{i}",
                "name": f"Member {i}",
                "sector": m["sector"],
                "value_added": m["value_added"],
                "jobs": m["jobs"],
                "demands": [
                    {
                        "service": "electricity" if d["carrier"] == "electricity" else "heat_medium",
                        "carrier": d["carrier"],
                        "equipment": "direct" if d["carrier"] == "electricity" else "boiler",
                        **({} if d["carrier"] == "electricity" else {"efficiency": d["efficiency"]}),
                        "final_energy": ENERGY_UNITS[unit](d["mwh"]),
                    }
                    for d in m["demands"]
                ],
                "process_emissions": [{"source": "process", "gas": g, "amount": f"{t!r} t"} for g, t in m["process_t"]],
                "wastewater": [{"amount": "1000 m3", "cod": f"{t!r} t", "treatment": treatment}
                               for treatment, t in m["wastewater_cod_t"]],
            }
            for i, m in enumerate(members)
        ],
    }


relaxed = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@relaxed
@given(st.lists(member, min_size=1, max_size=6))
def test_totals_are_sums_of_parts(members):
    inventory = Inventory(Cluster.model_validate(build(members)))
    totals = inventory.totals
    for table in (inventory.members, inventory.sectors, inventory.carriers):
        for column in ("scope1_tco2e", "scope2_tco2e", "total_tco2e", "energy_mwh"):
            assert table[column].sum() == pytest.approx(totals[column], rel=1e-9, abs=1e-6)
    assert totals["total_tco2e"] == pytest.approx(totals["scope1_tco2e"] + totals["scope2_tco2e"], rel=1e-12)
    assert totals["scope1_tco2e"] == pytest.approx(
        totals["scope1_combustion_tco2e"] + totals["scope1_process_tco2e"] + totals["scope1_wastewater_tco2e"],
        rel=1e-9, abs=1e-6,
    )
    assert inventory.lines["tco2e"].sum() == pytest.approx(totals["total_tco2e"], rel=1e-9, abs=1e-6)


@relaxed
@given(st.lists(member, min_size=2, max_size=6), st.randoms(use_true_random=False))
def test_member_order_does_not_matter(members, rng):
    data = build(members)
    shuffled = copy.deepcopy(data)
    rng.shuffle(shuffled["members"])
    a = Inventory(Cluster.model_validate(data))
    b = Inventory(Cluster.model_validate(shuffled))
    for key, value in a.totals.items():
        assert b.totals[key] == pytest.approx(value, rel=1e-9, abs=1e-6, nan_ok=True)
    assert b.members.loc[a.members.index, "total_tco2e"].to_list() == pytest.approx(
        a.members["total_tco2e"].to_list(), rel=1e-9, abs=1e-6
    )


@relaxed
@given(st.lists(member, min_size=1, max_size=4), st.sampled_from(sorted(ENERGY_UNITS)))
def test_input_units_do_not_matter(members, unit):
    reference = Inventory(Cluster.model_validate(build(members, "MWh"))).totals
    converted = Inventory(Cluster.model_validate(build(members, unit))).totals
    for key, value in reference.items():
        assert converted[key] == pytest.approx(value, rel=1e-9, abs=1e-6, nan_ok=True)
