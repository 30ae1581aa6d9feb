"""How plans are solved: progress reports, Ctrl-C keeping the best plan, the start from the relaxation."""

from __future__ import annotations

import os
import signal
import time

import linopy
import numpy as np
import pytest

from clusterpath.pathway import MIP_GAP, branch, solve
from clusterpath.pathway.build import NetworkBuilder
from clusterpath.pathway.network import PathwayModel

from .test_build import cluster, hydrogen_feedstock, member, power, scenario

pytestmark = pytest.mark.filterwarnings("ignore::linopy.LinopySemanticsWarning")


def knapsacks(items: int = 70, rows: int = 12, seed: int = 3) -> linopy.Model:
    """A multi-dimensional knapsack that HiGHS does not close to a zero gap at its root."""
    rng = np.random.default_rng(seed)
    m = linopy.Model()
    x = m.add_variables(binary=True, coords=[range(items)], dims=["item"], name="x")
    weight = rng.integers(10, 100, size=(rows, items))
    for row in range(rows):
        m.add_constraints((x * weight[row]).sum() <= int(weight[row].sum() // 3), name=f"row{row}")
    m.add_objective(-(x * rng.integers(10, 100, size=items)).sum())
    return m


@pytest.fixture
def every_report(monkeypatch):
    monkeypatch.setattr(solve, "PROGRESS_EVERY", 0.0)
    # Ctrl-C as a terminal delivers it to a command: Python's own handler, whatever an earlier test in this
    # process (a server, a Dask cluster) installed.
    before = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, before)


def ctrl_c() -> None:
    """Send Ctrl-C from HiGHS's callback thread and hold HiGHS there until the main thread has taken it."""
    os.kill(os.getpid(), signal.SIGINT)
    time.sleep(1.0)


def test_ctrl_c_keeps_the_best_plan_found_so_far(every_report):
    m = knapsacks()
    seen = []

    def stop_at_first_plan(now: solve.Progress) -> None:
        seen.append(now)
        if now.best is not None and len([s for s in seen if s.best is not None]) == 1:
            ctrl_c()

    status, condition = solve.run(m, {"mip_rel_gap": 0.0}, progress=stop_at_first_plan)
    assert (status, condition) == ("ok", "user_interrupt")
    chosen = m.variables["x"].solution.values
    assert set(np.round(chosen, 6)) <= {0.0, 1.0}
    for row in range(12):  # the plan kept is feasible
        assert float(m.constraints[f"row{row}"].lhs.solution.values) <= float(m.constraints[f"row{row}"].rhs) + 1e-6
    assert m.objective.value == pytest.approx(seen[-1].best, rel=1e-9) or m.objective.value <= seen[-1].best
    assert {s.phase for s in seen} <= {"root", "branch and bound", "simplex", "interior point"}


def transport(size: int = 120, seed: int = 5) -> linopy.Model:
    """An LP of a few thousand columns: simplex takes many iterations, and has no plan until it ends."""
    rng = np.random.default_rng(seed)
    m = linopy.Model()
    x = m.add_variables(lower=0, coords=[range(size), range(size)], dims=["source", "sink"], name="x")
    m.add_constraints(x.sum("sink") <= rng.uniform(50, 100, size), name="supply")
    m.add_constraints(x.sum("source") >= rng.uniform(20, 40, size), name="demand")
    m.add_objective((x * rng.uniform(1, 100, (size, size))).sum())
    return m


def test_ctrl_c_before_any_plan_stops_with_keyboard_interrupt(every_report):
    sent = []

    def stop_at_once(now: solve.Progress) -> None:
        if not sent:
            sent.append(now)
            ctrl_c()

    with pytest.raises(KeyboardInterrupt):
        solve.run(transport(), {"solver": "simplex"}, progress=stop_at_once)


def test_progress_says_the_phase_and_the_gap(every_report):
    m = knapsacks(items=40, rows=6)
    seen: list[solve.Progress] = []
    assert solve.run(m, {"mip_rel_gap": 0.0}, progress=seen.append) == ("ok", "optimal")
    assert seen and {s.phase for s in seen} <= {"root", "branch and bound", "simplex", "interior point"}
    with_plan = [s for s in seen if s.gap is not None]
    assert with_plan and all(s.gap >= 0 for s in with_plan)
    assert "gap" in with_plan[-1].describe() and "no plan yet" in next(s for s in seen if s.best is None).describe()


def electrolysis_cluster():
    """Hydrogen users on a hub whose electrolyser has size classes (economies of scale: a MIP)."""
    c = cluster(member("chem", [power(2000)], km_north=2), member("h2a", [hydrogen_feedstock(8760 * 20)], km_north=4),
                member("h2b", [hydrogen_feedstock(8760 * 3)], km_north=1))  # fmt: skip
    s = scenario(["hydrogen_network", "electrolysis"], periods=[2025, 2035], target_year=2035, economies_of_scale=True,
                 lead_times=False)  # fmt: skip
    return c, s


def test_the_start_from_the_relaxation_gives_the_mips_optimum():
    """Solved with the start and the stated gap, and by HiGHS alone to a zero gap: the same cost within the gap."""
    c, s = electrolysis_cluster()
    network = NetworkBuilder(c, s).build()
    with_start = PathwayModel(network)
    assert with_start.classes and len(with_start.model.binaries)
    assert with_start.solve(mip_gap=MIP_GAP) == ("ok", "optimal")
    alone = PathwayModel(network)
    assert solve.run(alone.model, {"mip_rel_gap": 0.0}) == ("ok", "optimal")
    assert with_start.objective_value == pytest.approx(alone.objective_value, rel=MIP_GAP)
    assert with_start.objective_value >= alone.objective_value - 1e-6 * abs(alone.objective_value)
    # A gap the first plan already meets: it is the answer, with no branch and bound, and a plan in full.
    loose = PathwayModel(network)
    assert loose.solve(mip_gap=0.05) == ("ok", "optimal") and loose.has_solution()
    assert alone.objective_value - 1e-6 * abs(alone.objective_value) <= loose.objective_value
    assert loose.objective_value == pytest.approx(alone.objective_value, rel=0.05)
    chosen = loose.model.variables["size-class"].solution
    assert set(np.round(chosen.values[np.isfinite(chosen.values)], 9)) <= {0.0, 1.0}


def test_the_branch_and_bound_on_classes_closes_a_gap_the_first_plan_leaves(monkeypatch):
    """At a zero gap the first plan is not enough; the branch and bound on the relaxation's LP proves the optimum,
    and it is HiGHS's own to 1e-7 (HiGHS's MIP solver never runs)."""
    c, s = electrolysis_cluster()
    network = NetworkBuilder(c, s).build()
    closed = []
    tree = branch.solve

    def recorded(*args, **kwargs):
        result = tree(*args, **kwargs)
        closed.append((result[2], result[3] > 1))
        return result

    monkeypatch.setattr(branch, "solve", recorded)
    ours = PathwayModel(network)
    assert ours.solve(mip_gap=0.0) == ("ok", "optimal")
    assert closed == [(True, True)]  # proven, by more nodes than the root
    alone = PathwayModel(network)
    assert solve.run(alone.model, {"mip_rel_gap": 0.0}) == ("ok", "optimal")
    assert ours.objective_value == pytest.approx(alone.objective_value, rel=1e-7)
    chosen = ours.model.variables["size-class"].solution
    assert set(np.round(chosen.values[np.isfinite(chosen.values)], 9)) <= {0.0, 1.0}


def test_ctrl_c_in_the_branch_and_bound_on_classes_keeps_its_best_plan(every_report):
    """Stopped between its nodes' LPs, the tree over classes hands its best plan on, not HiGHS's LP values."""
    c, s = electrolysis_cluster()
    ours = PathwayModel(NetworkBuilder(c, s).build())
    seen = []

    def stop_in_the_tree(now: solve.Progress) -> None:
        if now.phase == "branch and bound on classes" and now.best is not None and not seen:
            seen.append(now)
            ctrl_c()

    assert ours.solve(mip_gap=0.0, progress=stop_in_the_tree) == ("ok", "user_interrupt")
    chosen = ours.model.variables["size-class"].solution
    assert set(np.round(chosen.values[np.isfinite(chosen.values)], 9)) <= {0.0, 1.0}
    assert seen and ours.model.objective.value <= seen[0].best * (1 + 1e-9)
