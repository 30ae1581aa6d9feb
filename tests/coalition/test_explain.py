"""Why a member's share is what it is, on a three-player game worked out by hand.

c(a) = 4, c(b) = 5, c(c) = 6, c(ab) = 7, c(ac) = 8, c(bc) = 9, c(abc) = 11.
Each player adds the same to any coalition it joins: a 4 alone, 2 to one or two others (so Shapley
(4 + 2 + 2) / 3 = 8/3); b 5, 3, 3 (11/3); c 6, 4, 4 (14/3). The nucleolus raises the smallest margin
c(S) - x(S): the pairs' margins are x_a - 2, x_b - 3, x_c - 4 and sum to 11 - 9 = 2, the singletons'
4 - x_a, 5 - x_b, 6 - x_c sum to 4; so at best every pair has margin 2/3, at x = (8/3, 11/3, 14/3).
"""

from __future__ import annotations

import pandas as pd
import pytest

from clusterpath.coalition import Game, allocate
from clusterpath.coalition.explain import core_split, explain_member, lever_saving, marginal_by_size
from clusterpath.pathway.hub import HUB

COSTS = {("a",): 4, ("b",): 5, ("c",): 6, ("a", "b"): 7, ("a", "c"): 8, ("b", "c"): 9, ("a", "b", "c"): 11}


def game() -> Game:
    return Game.from_table(["a", "b", "c"], COSTS)


def test_shapley_is_the_mean_of_the_marginal_costs_by_size():
    rows = marginal_by_size(game(), "a")
    assert [r["joins_size"] for r in rows] == [0, 1, 2]
    assert [r["coalitions"] for r in rows] == [1, 2, 1]
    assert [r["mean_marginal_cost"] for r in rows] == pytest.approx([4, 2, 2])
    shapley = allocate(game(), "shapley").allocation["a"]
    assert shapley == pytest.approx(8 / 3)
    assert sum(r["mean_marginal_cost"] for r in rows) / 3 == pytest.approx(shapley)


def test_nucleolus_binding_coalitions_are_the_pairs_at_margin_two_thirds():
    rule = allocate(game(), "nucleolus").to_dict()
    why = explain_member(game(), rule, "a")
    assert why["alone"] == 4 and why["pays"] == pytest.approx(8 / 3) and why["saving"] == pytest.approx(4 / 3)
    binding = {tuple(c["members"]): c["margin"] for c in why["binding_coalitions"]}
    assert binding == pytest.approx({("a", "b"): 2 / 3, ("a", "c"): 2 / 3})
    # a's own margin (4/3) is next: it is not binding.
    assert why["closest_coalitions"][-1] == {"members": ["a"], "cost_alone": 4, "pays": pytest.approx(8 / 3),
                                             "margin": pytest.approx(4 / 3)}
    assert why["would_leave"] == [] and why["groups_better_off_alone"] == 0 and why["in_core"] is True


def test_a_split_outside_the_core_names_who_would_leave_and_by_how_much():
    rule = {"method": "by hand", "allocation": {"a": 5, "b": 3, "c": 3}, "standalone": {"a": 4, "b": 5, "c": 6},
            "total": 11, "in_core": False}
    why = explain_member(game(), rule, "b")
    # {a} pays 5 against 4 alone; {a, b} pays 8 against 7: both gain 1 by leaving. {a, c} pays 8 = c(ac).
    leaving = {tuple(c["members"]): -c["margin"] for c in why["would_leave"]}
    assert leaving == pytest.approx({("a",): 1, ("a", "b"): 1})
    assert why["groups_better_off_alone"] == 2 and why["in_a_group_better_off_alone"] is True  # {a, b}
    assert explain_member(game(), rule, "c")["in_a_group_better_off_alone"] is False
    assert why["saving"] == 2


def test_the_quoted_split_is_one_in_the_core_nucleolus_first():
    rules = {"shapley": {"in_core": True}, "dual": {"in_core": False}, "nucleolus": {"in_core": True}}
    assert core_split(rules) == "nucleolus"
    assert core_split({"shapley": {"in_core": None}, "scrb": {"in_core": True}}) == "scrb"
    assert core_split({"dual": {"in_core": False}, "shapley": {"in_core": None}}) is None


def test_lever_lines_add_up_to_the_saving():
    """Member x alone spends 10 on its boiler and 6 on its own share of a hub heat network; y alone 0 on the
    network. Together x's boiler costs 4 and the network 9, all x's (y would not build one alone); x pays 12."""
    together = pd.Series({("x", "boiler"): 4.0, (HUB, "heat_network"): 9.0, ("y", "boiler"): 3.0})
    alone = {"x": pd.Series({("x", "boiler"): 10.0, (HUB, "heat_network"): 6.0}),
             "y": pd.Series({("y", "boiler"): 5.0})}
    lines = {row["lever"]: row["saving"] for row in lever_saving("x", together, alone, pays=12.0)}
    assert lines["boiler"] == pytest.approx(6.0)
    assert lines["shared heat_network"] == pytest.approx(-3.0)
    assert lines["the split (charged beyond its part of the plan)"] == pytest.approx(13.0 - 12.0)
    assert sum(lines.values()) == pytest.approx(16.0 - 12.0)


# -- a real cluster, through the command line -------------------------------------------------------------


@pytest.fixture
def two_members(tmp_path):
    import yaml

    from ..pathway.test_build import BASE_YEAR, LAT, LON, gas, member, power

    raw = {"id": "pair", "name": "Pair", "country": "BE", "location": {"lat": LAT, "lon": LON}, "kind": "port",
           "currency": "EUR", "base_year": BASE_YEAR, "discount_rate": 0.05,
           "grid": {"emission_factor": {BASE_YEAR: "0.2 tCO2e/MWh"}, "electricity_price": {BASE_YEAR: 80}},
           "members": [member("a", [power(2000), gas("heat_low", 8760)]),
                       member("b", [gas("heat_low", 3000)], km_north=2)]}  # fmt: skip
    cluster_file, scenario_file = tmp_path / "pair.yaml", tmp_path / "scenario.yaml"
    cluster_file.write_text(yaml.safe_dump(raw, sort_keys=False))
    scenario_file.write_text(yaml.safe_dump({"name": "small", "periods": [2025, 2035], "target_year": 2040,
                                             "typical_days": 1, "economies_of_scale": False, "lead_times": False,
                                             "levers": ["heat_pump", "heat_network", "large_heat_pump"]}))  # fmt: skip
    return str(cluster_file), str(scenario_file)


@pytest.mark.filterwarnings("ignore::linopy.LinopySemanticsWarning")
def test_collaborate_explains_a_members_share_from_the_same_run(two_members):
    import json

    from typer.testing import CliRunner

    from clusterpath.cli import app

    cluster_file, scenario_file = two_members
    result = CliRunner().invoke(app, ["collaborate", cluster_file, "--scenario", scenario_file, "--json",
                                      "--workers", "1", "--explain", "b"])  # fmt: skip
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    quoted = report["core_split"]
    assert quoted in ("nucleolus", "least-core") and report["rules"][quoted]["in_core"] is True
    why = report["explanations"]["b"]
    rule = report["rules"][quoted]
    assert why["pays"] == pytest.approx(rule["allocation"]["b"]) and why["alone"] == report["standalone"]["b"]
    assert sum(row["saving"] for row in why["levers"]) == pytest.approx(why["saving"], rel=1e-9, abs=1e-3)
    # Two players: b joins no one (its stand-alone cost) or a (c(N) - c(a)); Shapley is their mean.
    sizes = [r["mean_marginal_cost"] for r in why["shapley_marginal_by_size"]]
    assert sizes == pytest.approx([report["standalone"]["b"], report["together"] - report["standalone"]["a"]])
    assert sum(sizes) / 2 == pytest.approx(report["rules"]["shapley"]["allocation"]["b"])
    assert why["would_leave"] == []
    changes = {row["change"]: row for row in why["sensitivity"]["changes"]}
    assert set(changes) == {"own demand +10%", "electricity price +10%"}
    # More heat to serve costs b more; the shares are re-solved, not scaled.
    assert changes["own demand +10%"]["difference"] > 0
    bad = CliRunner().invoke(app, ["collaborate", cluster_file, "--scenario", scenario_file, "--explain", "zz"])
    assert bad.exit_code == 2 and "'zz' is not a member" in bad.output
