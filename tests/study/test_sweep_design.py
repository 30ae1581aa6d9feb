"""Cases of a sweep: how many, which values, reproducible draws, stable keys, and the capex factor's effect."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from helpers.study import CLUSTER, SCENARIO

from clusterpath.io import InputError, load_cluster
from clusterpath.pathway.build import NetworkBuilder
from clusterpath.schema import Cluster
from clusterpath.schema.scenario import Scenario
from clusterpath.study.sweep import design, load_sweep


def make(tiny, spec: dict, name: str = "sweep.yaml", cluster: dict | None = None, **options):
    *_, sweep = tiny
    spec, where = load_sweep(sweep(spec, name))
    return design(spec, where, Cluster.model_validate(cluster or CLUSTER), **options)


def test_grid_is_the_cartesian_product_and_tornado_adds_base_and_extremes(tiny):
    d = make(tiny, {"parameters": {"carbon_price": {"values": [0.5, 1.0, 2.0]}, "capex": {"low": 0.8, "high": 1.2,
                                                                                       "steps": 4},
                                   "discount_rate": {"values": [0.03, 0.08]}}})  # fmt: skip
    assert len(d.samples) == 3 * 4 * 2
    assert {tuple(sorted(c.values.items())) for c in d.samples} == {
        (("capex", x), ("carbon_price", c), ("discount_rate", r))
        for c in (0.5, 1.0, 2.0) for x in np.linspace(0.8, 1.2, 4) for r in (0.03, 0.08)
    }  # fmt: skip
    assert len({c.key for c in d.samples}) == 24
    assert d.base_case.values == {}
    assert {name: (lo.values, hi.values) for name, (lo, hi) in d.tornado.items()} == {
        "carbon_price": ({"carbon_price": 0.5}, {"carbon_price": 2.0}),
        "capex": ({"capex": 0.8}, {"capex": 1.2}),
        "discount_rate": ({"discount_rate": 0.03}, {"discount_rate": 0.08}),
    }
    # One-at-a-time cases are not grid points here (the others stay at the base): 24 + base + 6.
    assert len(d.unique()) == 31


def test_tornado_cases_that_are_grid_points_are_solved_once(tiny):
    d = make(tiny, {"parameters": {"carbon_price": {"values": [0.5, 1.5]}}})
    assert len(d.samples) == 2
    assert len(d.unique()) == 3  # low and high are the two grid points; only the base case is new


def test_factors_that_change_nothing_give_the_base_case(tiny):
    d = make(tiny, {"parameters": {"capex": {"values": [1.0, 1.2]}, "capex.electric_boiler": {"values": [1.0]}}})
    plain, dearer = d.samples
    assert plain.key == d.base_case.key and plain.scenario.capex_multiplier == {}
    # The lever's factor of 1 multiplies the 1.2 on every lever: nothing singles the lever out.
    assert dearer.scenario.capex_multiplier == {"*": 1.2}
    assert len(d.unique()) == 2  # every tornado case is one of the two


def test_random_draws_are_reproducible_and_cover_each_range_evenly(tiny):
    spec = {"method": "random", "samples": 20, "seed": 7, "tornado": False,
            "parameters": {"capex": {"low": 0.5, "high": 1.5}, "discount_rate": {"distribution": "triangular",
                                                                                 "low": 0.02, "mode": 0.05, "high": 0.1},
                           "carbon_price": {"values": [0.5, 1.0, 2.0]}}}  # fmt: skip
    first = make(tiny, spec)
    again = make(tiny, spec, name="again.yaml")
    other = make(tiny, {**spec, "seed": 8}, name="other.yaml")
    assert [c.values for c in first.samples] == [c.values for c in again.samples]
    assert [c.key for c in first.samples] == [c.key for c in again.samples]
    assert [c.values for c in first.samples] != [c.values for c in other.samples]
    assert len(first.samples) == 20 and first.tornado == {}
    capex = np.array([c.values["capex"] for c in first.samples])
    # Latin hypercube: exactly one draw in each twentieth of the range.
    assert sorted(np.floor((capex - 0.5) / 1.0 * 20).astype(int)) == list(range(20))
    rates = [c.values["discount_rate"] for c in first.samples]
    assert all(0.02 <= r <= 0.1 for r in rates)
    assert set(c.values["carbon_price"] for c in first.samples) == {0.5, 1.0, 2.0}


def test_case_scenarios_carry_the_values(tiny):
    d = make(tiny, {"tornado": False, "parameters": {"carbon_price": {"values": [2.0]}, "capex": {"values": [1.5]},
                                                     "capex.electric_boiler": {"values": [0.5]},
                                                     "electricity_price": {"values": [1.25]},
                                                     "discount_rate": {"values": [0.09]}}})  # fmt: skip
    scenario = d.samples[0].scenario
    assert scenario.carbon_price == {y: 2.0 * p for y, p in SCENARIO["carbon_price"].items()}
    # Factors multiply: the lever's own factor applies on top of the factor on every lever.
    assert scenario.capex_multiplier == {"*": 1.5, "electric_boiler": 0.75}
    # No electricity price in the scenario: the cluster's grid price is scaled (same currency here).
    assert scenario.electricity_price == {2023: 100.0}
    assert scenario.discount_rate == 0.09
    assert d.base.carbon_price == {y: float(p) for y, p in SCENARIO["carbon_price"].items()}


def test_trajectories_are_chosen_whole(tiny):
    low, high = {2025: 20, 2050: 60}, {2025: 150, 2050: 400}
    d = make(tiny, {"parameters": {"carbon_price": {"trajectories": [low, high]}}})
    assert [c.scenario.carbon_price for c in d.samples] == [low, high]
    assert d.tornado["carbon_price"][0].key == d.samples[0].key


def test_keys_ignore_parameter_order_and_follow_every_input(tiny):
    a = make(tiny, {"parameters": {"carbon_price": {"values": [0.5, 2.0]}, "capex": {"values": [0.9]}}}, "a.yaml")
    b = make(tiny, {"parameters": {"capex": {"values": [0.9]}, "carbon_price": {"values": [0.5, 2.0]}}}, "b.yaml")
    assert {c.key for c in a.unique()} == {c.key for c in b.unique()}
    cheaper = make(tiny, {"overrides": {"typical_days": 2},
                          "parameters": {"carbon_price": {"values": [0.5, 2.0]}, "capex": {"values": [0.9]}}}, "c.yaml")
    assert not {c.key for c in a.unique()} & {c.key for c in cheaper.unique()}
    other_cluster = {**CLUSTER, "discount_rate": 0.06}
    moved = make(tiny, {"parameters": {"carbon_price": {"values": [0.5, 2.0]}, "capex": {"values": [0.9]}}}, "d.yaml",
                 cluster=other_cluster)  # fmt: skip
    assert not {c.key for c in a.unique()} & {c.key for c in moved.unique()}
    gap = make(tiny, {"parameters": {"carbon_price": {"values": [0.5, 2.0]}, "capex": {"values": [0.9]}}}, "e.yaml",
               options={"mip_gap": 0.001})  # fmt: skip
    assert not {c.key for c in a.unique()} & {c.key for c in gap.unique()}


def test_keys_are_the_same_in_another_process(tiny):
    """Resume happens in a later process: keys must not depend on Python's per-process hash seed."""
    cluster, _, sweep = tiny
    path = sweep({"parameters": {"carbon_price": {"values": [0.5, 2.0]}}})
    code = ("import sys; from clusterpath.io import load_cluster; from clusterpath.study.sweep import design, load_sweep; "
            f"spec, where = load_sweep({path!r}); "
            f"print(' '.join(c.key for c in design(spec, where, load_cluster({cluster!r})).unique()))")  # fmt: skip
    root = Path(__file__).resolve().parents[2] / "src"
    keys = []
    for seed in ("1", "2"):
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                              env={"PYTHONPATH": str(root), "PYTHONHASHSEED": seed, "PATH": ""})  # fmt: skip
        keys.append(done.stdout.split())
    spec, where = load_sweep(path)
    assert keys[0] == keys[1] == [c.key for c in design(spec, where, load_cluster(cluster)).unique()]


BAD = [
    ({"parameters": {"carbon_prize": {"values": [1]}}}, "unknown parameter(s) carbon_prize"),
    ({"parameters": {"capex.rocket": {"values": [1]}}}, "unknown parameter(s) capex.rocket"),
    ({"parameters": {"carbon_price": {"values": []}}}, "the sweep has no cases"),
    ({"parameters": {}}, "no parameters"),
    ({"method": "random", "samples": 0, "parameters": {"capex": {"low": 0.5, "high": 1}}}, "the sweep has no cases"),
    ({"method": "random", "parameters": {"capex": {"low": 0.5, "high": 1}}}, "needs samples"),
    ({"parameters": {"capex": {"values": [1.0, -0.2]}}}, "-0.2 is not a factor of 0 or more"),
    ({"parameters": {"carbon_price": {"low": -1, "high": 1}}}, "-1.0 is not a factor of 0 or more"),
    ({"parameters": {"discount_rate": {"values": [0.05, 1.2]}}}, "1.2 is not a rate from 0 to below 1"),
    ({"parameters": {"capex": {"low": 1.2, "high": 0.8}}}, "low 1.2 is above high 0.8"),
    ({"parameters": {"capex": {"values": [1], "low": 0, "high": 1}}}, "give exactly one of"),
    ({"parameters": {"capex": {"trajectories": [{2025: 1}]}}}, "trajectories are for carbon_price"),
    ({"parameters": {"carbon_price": {"trajectories": [{2025: 10, 2060: 30}]}}}, "year(s) 2060 outside the scenario's "
                                                                                  "horizon 2025-2050"),
    ({"overrides": {"electricity_price": {2020: 50, 2050: 90}}, "parameters": {"capex": {"values": [1]}}},
     "overrides.electricity_price: year(s) 2020 outside the scenario's horizon 2025-2050"),
    ({"overrides": {"periods": [2025, 2030], "target_year": 2030, "carbon_price": {2025: 10, 2050: 30}},
      "parameters": {"capex": {"values": [1]}}}, "year(s) 2050 outside the scenario's horizon 2025-2030"),
    ({"overrides": {"discount_rate": 2}, "parameters": {"capex": {"values": [1]}}}, "discount_rate"),
    ({"base": "net-zero-2099", "parameters": {"capex": {"values": [1]}}}, "no such file, and not a scenario name ("),
]


@pytest.mark.parametrize(("spec", "message"), BAD)
def test_bad_sweeps_name_the_problem(tiny, spec, message):
    with pytest.raises(InputError) as raised:
        make(tiny, spec)
    assert message in raised.value.message


def test_scaling_needs_something_to_scale(tiny):
    *_, sweep = tiny
    path = sweep({"base": "scope-1-net-zero-2050", "parameters": {"carbon_price": {"values": [1.5]}}})
    spec, where = load_sweep(path)
    with pytest.raises(InputError, match="has no carbon_price to scale"):
        design(spec, where, Cluster.model_validate(CLUSTER))


def test_capex_multiplier_scales_levers_not_todays_equipment():
    cluster = Cluster.model_validate(CLUSTER)
    plain = Scenario.model_validate({**SCENARIO, "levers": ["heat_pump", "electric_boiler"]})
    tables = {}
    for name, factors in (("plain", {}), ("all", {"*": 1.5}), ("one", {"*": 1.5, "heat_pump": 0.5})):
        network = NetworkBuilder(cluster, plain.model_copy(update={"capex_multiplier": factors})).build()
        capex = network.unit_period["capex"].unstack("period")
        tables[name] = capex.groupby(network.units["lever"]).sum()
    plain_t, all_t, one_t = tables["plain"], tables["all"], tables["one"]
    assert (plain_t.loc["heat_pump"] > 0).all() and (plain_t.loc["today"] > 0).all()
    np.testing.assert_allclose(all_t.loc["heat_pump"], 1.5 * plain_t.loc["heat_pump"])
    np.testing.assert_allclose(all_t.loc["electric_boiler"], 1.5 * plain_t.loc["electric_boiler"])
    np.testing.assert_allclose(one_t.loc["heat_pump"], 0.5 * plain_t.loc["heat_pump"])
    np.testing.assert_allclose(one_t.loc["electric_boiler"], 1.5 * plain_t.loc["electric_boiler"])
    np.testing.assert_allclose(all_t.loc["today"], plain_t.loc["today"])


def test_capex_multiplier_scales_stores_and_size_classes():
    cluster = load_cluster("hydrogen-hub")
    scenario = Scenario.model_validate({"name": "s", "periods": [2025, 2050], "typical_days": 1})
    plain = NetworkBuilder(cluster, scenario).build()
    dear = NetworkBuilder(cluster, scenario.model_copy(update={"capex_multiplier": {"*": 2.0}})).build()
    assert len(plain.store_period) and plain.scale is not None
    np.testing.assert_allclose(dear.store_period.to_numpy(), 2 * plain.store_period.to_numpy())
    np.testing.assert_allclose(dear.scale[["fixed", "slope"]].to_numpy(), 2 * plain.scale[["fixed", "slope"]].to_numpy())
    np.testing.assert_allclose(dear.scale[["lo", "hi"]].to_numpy(), plain.scale[["lo", "hi"]].to_numpy())


@pytest.mark.parametrize(("factors", "message"), [({"*": -1.0}, "finite factor of 0 or more"),
                                                  ({"*": math.inf}, "finite factor of 0 or more"),
                                                  ({"rocket": 1.0}, "unknown lever(s) rocket")])  # fmt: skip
def test_scenario_rejects_bad_capex_multipliers(factors, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        Scenario.model_validate({**SCENARIO, "capex_multiplier": factors})
