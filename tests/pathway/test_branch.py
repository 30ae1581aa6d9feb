"""Branch and bound over size classes by warm-started LPs (pathway/branch.py), on MIPs solved by hand."""

from __future__ import annotations

import linopy
import numpy as np
import pandas as pd
import pytest
import xarray as xr

from clusterpath.pathway import branch
from clusterpath.pathway.branch import Classes
from clusterpath.pathway.solve import _positions


def two_suppliers(demand: float = 10.0, *, lo_b: float = 0.0):
    """Supply ``demand`` from a or b, each built in one size class (network.py's ``_classes`` form).

    a: class [0, 100], fixed cost 100 plus 1 per unit; b: class [lo_b, 100], no fixed cost, 5 per unit.
    The relaxation pays a's fixed cost in proportion to its use, 100 x 10/100 = 10: a costs it 2 a unit,
    so it takes a (20); the first plan (a's class fixed) then costs 110. The optimum is b alone: 50.
    """
    m = linopy.Model()
    units, segment = pd.Index(["a", "b"], name="unit"), pd.Index([0], name="segment")
    lo = xr.DataArray([[0.0], [lo_b]], coords=[units, segment])
    hi = xr.DataArray([[100.0], [100.0]], coords=[units, segment])
    supply = m.add_variables(lower=0, coords=[units], name="supply")
    choose = m.add_variables(binary=True, coords=[units, segment], name="choose")
    amount = m.add_variables(lower=0, coords=[units, segment], name="amount")
    m.add_constraints(amount - hi * choose <= 0)
    m.add_constraints(amount - lo * choose >= 0)
    m.add_constraints(choose.sum("segment") <= 1)
    m.add_constraints(supply - amount.sum("segment") == 0)
    m.add_constraints(supply.sum() == demand)
    fixed = xr.DataArray([[100.0], [0.0]], coords=[units, segment])
    slope = xr.DataArray([[1.0], [5.0]], coords=[units, segment])
    m.add_objective((fixed * choose + slope * amount).sum())
    h = m.to_highspy()
    h.setOptionValue("output_flag", False)
    return h, branch.Groups.of([Classes(choose, amount, lo, hi)], _positions(m.matrices.vlabels))


def test_the_tree_finds_the_optimum_the_first_plan_misses():
    h, groups = two_suppliers()
    _, objective, proven, nodes = branch.solve(h, groups, gap=0.0)
    assert proven and objective == pytest.approx(50.0)
    assert nodes >= 2  # the root (relaxation 20, first plan 110) could not have stopped
    h.run()  # HiGHS's own branch and bound on the same MIP, integrality restored
    assert h.getInfo().objective_function_value == pytest.approx(50.0)


def test_the_first_plan_within_the_gap_is_kept_without_branching():
    """Demand 100 fills a's class: the relaxation pays a's fixed cost in full, 200 against b's 500."""
    h, groups = two_suppliers(100.0)
    _, objective, proven, nodes = branch.solve(h, groups, gap=1e-3)
    assert proven and objective == pytest.approx(200.0) and nodes == 1


def test_a_class_that_cannot_be_met_gives_no_plan():
    """b may only be built at 20 or more; demand 10 with a's class closed off leaves nothing feasible."""
    h, groups = two_suppliers(10.0, lo_b=20.0)
    h.changeColBounds(int(groups.choose[0, 0]), 0.0, 0.0)
    values, _, proven, _ = branch.solve(h, groups, gap=0.0)
    assert values is None and not proven


def test_a_quantity_on_a_boundary_takes_the_smaller_class():
    groups = branch.Groups(choose=np.array([[0, 1, -1]]), amount=np.array([[2, 3, -1]]),
                           lo=np.array([[0.0, 10.0, np.nan]]), hi=np.array([[10.0, 20.0, np.nan]]))  # fmt: skip
    for amounts, expected in (([0, 0], 0), ([10, 0], 1), ([4, 6], 1), ([0, 15], 2), ([0, 20], 2)):
        values = np.array([0.0, 0.0, *amounts])
        assert groups.position(values)[0] == expected, amounts
