"""The cost game of a cluster: re-solving one model gives what building each coalition from scratch gives."""

from __future__ import annotations

import json
from itertools import combinations

import numpy as np
import pytest
import yaml
from typer.testing import CliRunner

from clusterpath.cli import app
from clusterpath.coalition import allocate
from clusterpath.coalition.cluster_game import ClusterGame
from clusterpath.io import load_cluster, load_scenario
from clusterpath.pathway.build import NetworkBuilder
from clusterpath.pathway.hub import HUB
from clusterpath.pathway.plan import plan

from ..pathway.test_build import BASE_YEAR, LAT, LON, cluster, gas, member, power, scenario

pytestmark = pytest.mark.filterwarnings("ignore::linopy.LinopySemanticsWarning")
runner = CliRunner()

LEVERS = ["heat_pump", "electric_boiler", "hydrogen_network", "hydrogen_fuel", "heat_network", "large_heat_pump"]


def members() -> list[dict]:
    """Members at different distances, one with process methane (a fixed emission priced by carbon)."""
    ch4 = {"gas": "ch4", "amount": "5 t", "source": "venting"}
    return [member("a", [power(2000), gas("heat_low", 8760), gas("steam", 4000)]),
            member("b", [power(500), gas("heat_low", 3000)], km_north=2, process=[ch4]),
            member("c", [power(1000)]),
            member("d", [gas("heat_low", 5000, efficiency=0.8)], km_north=5)]  # fmt: skip


def four():
    return cluster(*members())


def capped(**kw):
    # Net zero only in 2040, after the horizon: b's methane has no lever, and b alone must meet its cap.
    # Lead times off: the games share the hub's heat from 2025, which the shipped heat network lead time
    # (GLOBAL, 2.5 + 1 years from the decision year 2024) would forbid.
    return scenario(LEVERS, periods=[2025, 2030, 2035], target_year=2040, economies_of_scale=False,
                    carbon_price={2025: 80, 2035: 150}, **{"lead_times": False, **kw})  # fmt: skip


def rebuilt_cost(c, s, coalition) -> float:
    """c(S) the slow way: a cluster of the coalition's members, built and solved from scratch."""
    return plan(c.model_copy(update={"members": [m for m in c.members if m.id in coalition]}), s, baseline=False).objective


@pytest.mark.parametrize("target", ["carbon_price_only", "cluster_cap", "member_caps"])
def test_resolving_one_model_gives_each_coalitions_own_plan(target):
    """No shared limit binds in this cluster: without a cap a coalition's plan is the sub-cluster's; with one,
    it may also buy tonnes of its cap from the others at the cluster's price, so it pays at most that."""
    c, s = four(), capped(target=target)
    game = ClusterGame(NetworkBuilder(c, s).build(), workers=1)
    assert game.total == pytest.approx(plan(c, s, baseline=False).objective, rel=1e-9)
    for coalition in [("a",), ("b",), ("a", "b"), ("b", "d"), ("a", "c", "d"), ("c",)]:
        rebuilt = rebuilt_cost(c, s, coalition)
        if target == "carbon_price_only":
            assert game.cost(coalition) == pytest.approx(rebuilt, rel=1e-7), coalition
        else:
            assert game.cost(coalition) <= rebuilt * (1 + 1e-7), coalition
    assert game.standalone().sum() >= game.total * (1 - 1e-9)  # going alone never pays


def test_a_member_alone_gets_its_share_of_the_storage_site():
    """Two equal emitters share a site: alone, one may inject half of it, as if its own site were half the size."""
    def site(mt: float) -> dict:
        return {"id": "north", "name": "North site", "distance": "50 km", "injection_capacity": f"{mt} Mt"}

    kiln = [gas("heat_high", 200_000, equipment="kiln")]
    s = scenario(["carbon_capture", "co2_network"], periods=[2025, 2035], target="carbon_price_only",
                 carbon_price={2025: 300}, economies_of_scale=False)  # fmt: skip
    both = cluster(member("x", kiln, sector="cement"), member("y", kiln, sector="cement"), co2_storage=[site(0.04)])
    game = ClusterGame(NetworkBuilder(both, s).build(), workers=1)
    alone_with_half = plan(cluster(member("x", kiln, sector="cement"), co2_storage=[site(0.02)]), s, baseline=False)
    assert game.cost({"x"}) == pytest.approx(alone_with_half.objective, rel=1e-7)
    assert game.total == pytest.approx(plan(both, s, baseline=False).objective, rel=1e-9)


def test_parallel_workers_give_the_serial_values():
    network = NetworkBuilder(four(), capped()).build()
    serial = ClusterGame(network, workers=1).table()
    with ClusterGame(network, workers=2) as game:
        parallel = game.table()
    np.testing.assert_allclose(parallel, serial, rtol=1e-9)


def test_dual_allocation_adds_up_and_is_in_the_core_of_a_linear_game():
    game = ClusterGame(NetworkBuilder(four(), capped()).build(), workers=1)
    result = allocate(game, "dual")
    assert sum(result.allocation.values()) == pytest.approx(game.total, rel=1e-9)
    # Every coalition's cost, then the core test by enumeration (Owen: duals of an LP are in the core).
    costs = game.table()
    x = np.array([result.allocation[p] for p in game.players])
    for size in range(1, game.n):
        for members in combinations(range(game.n), size):
            mask = sum(1 << i for i in members)
            assert x[list(members)].sum() <= costs[mask] + 1e-6 * abs(costs[mask])


def test_dual_allocation_needs_a_cluster(tmp_path):
    path = tmp_path / "game.json"
    path.write_text(json.dumps({"players": ["A", "B"], "costs": {"A": 1, "B": 2, "A,B": 2.5}}))
    result = runner.invoke(app, ["allocate", str(path), "--method", "dual"])
    assert result.exit_code == 2
    assert "needs a cluster" in result.output


@pytest.fixture
def files(tmp_path):
    """The same cluster and a small scenario as files, for the command line."""
    cluster_file = tmp_path / "four.yaml"
    raw = {"id": "four", "name": "Four", "country": "BE", "location": {"lat": LAT, "lon": LON}, "kind": "port",
           "currency": "EUR", "base_year": BASE_YEAR, "discount_rate": 0.05,
           "grid": {"emission_factor": {BASE_YEAR: "0.2 tCO2e/MWh"}, "electricity_price": {BASE_YEAR: 80}},
           "members": members()}  # fmt: skip
    cluster_file.write_text(yaml.safe_dump(raw, sort_keys=False))
    scenario_file = tmp_path / "scenario.yaml"
    scenario_file.write_text(yaml.safe_dump({"name": "small", "periods": [2025, 2030, 2035], "target_year": 2040,
                                             "typical_days": 1, "levers": LEVERS, "economies_of_scale": False}))  # fmt: skip
    return str(cluster_file), str(scenario_file)


def test_allocate_a_cluster_as_json(files):
    # The JSON is on stdout; notes (a dividend within the solver's gap) go to stderr.
    cluster_file, scenario_file = files
    result = runner.invoke(app, ["allocate", cluster_file, "--scenario", scenario_file, "--method", "shapley", "--json",
                                 "--workers", "1"])  # fmt: skip
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["method"] == "shapley" and payload["currency"] == "EUR"
    assert set(payload["allocation"]) == {"a", "b", "c", "d"}
    assert sum(payload["allocation"].values()) == pytest.approx(payload["total"], rel=1e-9)
    # Exact Shapley solved every coalition, so the core is tested (Shapley need not be in it).
    assert payload["in_core"] is True or payload["blocking_coalition"]
    result = runner.invoke(app, ["allocate", cluster_file, "--scenario", scenario_file, "--method", "proportional",
                                 "--by", "use", "--json", "--workers", "1"])  # fmt: skip
    payload = json.loads(result.stdout)
    assert payload["method"] == "proportional" and "use of shared infrastructure" in payload["basis"]
    assert sum(payload["allocation"].values()) == pytest.approx(payload["total"], rel=1e-9)


def test_collaborate_reports_dividend_rules_and_levers(files):
    cluster_file, scenario_file = files
    result = runner.invoke(app, ["collaborate", cluster_file, "--scenario", scenario_file, "--json", "--workers", "1"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["dividend"] == pytest.approx(sum(report["standalone"].values()) - report["together"])
    assert set(report["rules"]) == {"shapley", "nucleolus", "least-core", "scrb", "proportional", "use", "dual"}
    for rule in report["rules"].values():
        assert sum(rule["allocation"].values()) == pytest.approx(report["together"], rel=1e-9)
        assert rule["in_core"] in (True, False)
    assert report["coalitions_solved"] == 2**4 - 1
    levers = {row["lever"]: row for row in report["levers"]}
    assert sum(row["saving"] for row in levers.values()) == pytest.approx(report["dividend"], rel=1e-6, abs=1.0)
    text = runner.invoke(app, ["collaborate", cluster_file, "--scenario", scenario_file, "--workers", "1"])
    assert text.exit_code == 0 and "Collaboration dividend" in " ".join(text.output.split())


def test_a_cluster_of_one_member_has_nothing_to_share(tmp_path, files):
    cluster_file, scenario_file = files
    with open(cluster_file, encoding="utf-8") as f:
        raw = yaml.safe_load(f)
    raw["members"] = raw["members"][:1]
    path = tmp_path / "one.yaml"
    path.write_text(yaml.safe_dump(raw))
    result = runner.invoke(app, ["allocate", str(path), "--method", "shapley", "--scenario", scenario_file])
    assert result.exit_code == 2
    assert "at least two members" in result.output


def test_a_coalition_that_cannot_meet_its_own_cap_exits_3(files, tmp_path):
    cluster_file, _ = files
    strict = tmp_path / "strict.yaml"
    # Net zero in 2035: member b's process methane has no lever, so b alone (and the cluster) cannot get there.
    strict.write_text(yaml.safe_dump({"name": "strict", "periods": [2025, 2035], "target_year": 2035, "typical_days": 1,
                                      "levers": LEVERS, "economies_of_scale": False}))  # fmt: skip
    result = runner.invoke(app, ["allocate", cluster_file, "--scenario", str(strict), "--method", "scrb", "--workers", "1"])
    assert result.exit_code == 3
    assert "on its own: infeasible" in " ".join(result.output.split())


def test_a_grouped_network_gives_the_members_game():
    """Alike members at the same distance: the game on the grouped model is the members' game,
    coalitions that split a group included."""
    from clusterpath.pathway.groups import group, member_groups

    from ..pathway.test_groups import alike
    from ..pathway.test_groups import capped as group_scenario

    full = NetworkBuilder(alike(), group_scenario()).build()
    grouped = group(full, member_groups(full))
    assert len(grouped.meta["groups"]) == 2
    members = ClusterGame(full, workers=1)
    groups = ClusterGame(grouped, full=full, workers=1)
    assert groups.players == members.players
    for coalition in [("a1",), ("a2", "b1"), ("a1", "a3", "c"), ("a1", "a2", "a3", "b1", "b2", "c"), ("b2", "c")]:
        assert groups.cost(coalition) == pytest.approx(members.cost(coalition), rel=1e-7), coalition
    dual = allocate(groups, "dual")
    assert sum(dual.allocation.values()) == pytest.approx(groups.total, rel=1e-9)
    use = allocate(groups, "use").allocation
    assert sum(use.values()) == pytest.approx(groups.total, rel=1e-9)
    # b1 and b2 only buy power: each pays its own plan, which for alike members is in proportion to demand.
    assert use["b2"] / use["b1"] == pytest.approx(4.0, rel=1e-6)


def test_use_allocation_of_a_game_without_shared_savings_is_each_members_own_cost():
    """Linear costs and no binding shared limit make the game additive: c(N) = sum c({i}), whose only
    core point is each member's stand-alone cost. Charging the hub's heat by use must land on it."""
    game = ClusterGame(NetworkBuilder(four(), capped(target="carbon_price_only")).build(), workers=1)
    spent = game.lever_costs(frozenset(game.players))
    assert spent.xs(HUB, level="node").abs().sum() > 1e5  # the hub's heat pump and power are shared
    result = allocate(game, "use", check_core=True)
    assert result.in_core
    for player in game.players:
        assert result.allocation[player] == pytest.approx(result.standalone[player], rel=1e-6)


def test_use_allocation_charges_the_hubs_hydrogen_by_the_hydrogen_each_member_takes():
    c = cluster(member("h1", [gas("heat_high", 40_000, equipment="furnace")]),
                member("h2", [gas("heat_high", 120_000, equipment="furnace")], km_north=2),
                member("p", [power(3000)]))  # fmt: skip
    # Electrolysis in the EU needs 3.7 years of consents and construction (lead_times.csv): off here, where the 2025
    # cap needs the hub's hydrogen, since this test is about who pays for it.
    s = scenario(["hydrogen_network", "hydrogen_fuel", "electrolysis"], periods=[2025, 2030, 2035], target_year=2035,
                 lead_times=False)  # fmt: skip
    game = ClusterGame(NetworkBuilder(c, s).build(), workers=1)
    spent = game.lever_costs(frozenset(game.players))
    own = spent.groupby(level="node").sum()
    hub = own.pop(HUB)
    # What each took from the hub's hydrogen over the horizon, discounted like the costs.
    taken = plan(c, s, baseline=False)
    energy = taken.data["energy"].to_pandas().mul(taken.discount, axis=1).sum(axis=1)
    hydrogen = {m: energy[f"{m}|h2-connection"] for m in ("h1", "h2")}
    assert min(hydrogen.values()) > 0
    x = allocate(game, "use").allocation
    assert sum(x.values()) == pytest.approx(game.total, rel=1e-9)
    assert x["p"] == pytest.approx(own["p"], rel=1e-9)  # takes nothing from the hub, pays its own plan
    for m in ("h1", "h2"):
        assert x[m] - own[m] == pytest.approx(hub * hydrogen[m] / sum(hydrogen.values()), rel=1e-6)


def test_a_dividend_within_the_mip_gap_is_flagged(files):
    cluster_file, scenario_file = files
    argv = ["allocate", cluster_file, "--scenario", scenario_file, "--method", "dual", "--json", "--workers", "1"]
    coarse = json.loads(runner.invoke(app, [*argv, "--mip-gap", "0.5"]).stdout)
    dividend = 1 - coarse["total"] / sum(coarse["standalone"].values())
    assert dividend < 0.5 and "within the solver's optimality gap" in coarse["gap_note"]
    fine = json.loads(runner.invoke(app, [*argv, "--mip-gap", "0"]).stdout)
    assert "gap_note" not in fine


def test_each_coalition_solve_has_the_time_limit_and_reports_progress():
    """`collaborate --time-limit` reaches every coalition's HiGHS solve; each solved coalition is counted as it ends."""
    c, s = four(), capped()
    solved = []
    game = ClusterGame(NetworkBuilder(c, s).build(), workers=1, time_limit=7, on_solved=solved.append)
    assert game.model.highs.getOptionValue("time_limit")[1] == 7
    game.evaluate_batch([frozenset({"a"}), frozenset({"b"}), frozenset({"a", "b"})])
    assert sum(solved) == 3


def test_collaborate_takes_a_time_limit(files):
    cluster_file, scenario_file = files
    result = runner.invoke(app, ["collaborate", cluster_file, "--scenario", scenario_file, "--json", "--workers", "1",
                                 "--time-limit", "60"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["coalitions_solved"] == 2**4 - 1


def test_plans_and_coalitions_share_one_stated_gap():
    """One declaration of the gap: the plan (library, command line, platform) and every coalition use it."""
    from inspect import signature

    from clusterpath import cli
    from clusterpath.pathway import MIP_GAP
    from clusterpath.pathway.coalition import CoalitionModel
    from clusterpath.platform.jobs import AllocateOptions, CollaborateOptions, PlanOptions

    defaults = {signature(f).parameters["mip_gap"].default for f in (plan, ClusterGame, CoalitionModel, cli.plan,
                                                                      cli.allocate, cli.collaborate, cli.finance)}
    defaults |= {options().mip_gap for options in (PlanOptions, AllocateOptions, CollaborateOptions)}
    assert defaults == {MIP_GAP} and MIP_GAP <= 0.001


def test_the_split_divides_the_plans_own_cost(tmp_path):
    """`plan` and `allocate --method dual` at their defaults solve the same MIP (an electrolyser with size classes)
    at the same resolution to the same gap: the allocation's c(N) is the plan's objective within that gap."""
    from clusterpath.pathway import MIP_GAP

    from ..pathway.test_build import hydrogen_feedstock

    raw = {"id": "h2", "name": "Hydrogen users", "country": "BE", "location": {"lat": LAT, "lon": LON}, "kind": "port",
           "currency": "EUR", "base_year": BASE_YEAR, "discount_rate": 0.05,
           "grid": {"emission_factor": {BASE_YEAR: "0.2 tCO2e/MWh"}, "electricity_price": {BASE_YEAR: 80}},
           "members": [member("chem", [power(2000)], km_north=2),
                       member("h2a", [hydrogen_feedstock(8760 * 20)], km_north=4),
                       member("h2b", [hydrogen_feedstock(8760 * 3)], km_north=1)]}  # fmt: skip
    (tmp_path / "h2.yaml").write_text(yaml.safe_dump(raw, sort_keys=False))
    chosen = {"name": "small", "periods": [2025, 2035], "target_year": 2035, "typical_days": 1,
              "levers": ["hydrogen_network", "electrolysis"], "economies_of_scale": True, "lead_times": False}  # fmt: skip
    (tmp_path / "scenario.yaml").write_text(yaml.safe_dump(chosen))
    files = [str(tmp_path / "h2.yaml"), "--scenario", str(tmp_path / "scenario.yaml")]
    planned = runner.invoke(app, ["plan", *files, "--json", str(tmp_path / "plan.json")])
    assert planned.exit_code == 0, planned.output
    split = runner.invoke(app, ["allocate", *files, "--method", "dual", "--json", "--workers", "1"])
    assert split.exit_code == 0, split.output
    objective = json.loads((tmp_path / "plan.json").read_text())["objective"]
    assert json.loads(split.stdout)["total"] == pytest.approx(objective, rel=MIP_GAP)
    network = NetworkBuilder(load_cluster(str(tmp_path / "h2.yaml")), load_scenario(str(tmp_path / "scenario.yaml"))).build()
    assert network.scale is not None and not network.scale.empty  # a MIP, not an LP


def test_the_plan_and_its_split_take_one_resolution():
    """One --typical-days option, unset by default (the scenario's typical days) for the plan and every command
    that splits its cost: the split is computed on the plan's own model unless the user asks otherwise."""
    from inspect import signature

    from clusterpath import cli
    from clusterpath.platform.jobs import AllocateOptions, CollaborateOptions, PlanOptions

    commands = (cli.plan, cli.allocate, cli.collaborate, cli.report)
    parameters = [signature(command).parameters["typical_days"] for command in commands]
    assert {p.default for p in parameters} == {None}
    assert all(p.annotation == parameters[0].annotation for p in parameters)
    assert {options().typical_days for options in (PlanOptions, AllocateOptions, CollaborateOptions)} == {None}
