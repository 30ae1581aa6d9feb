"""Coalitions with size classes: the tree of warm re-solves gives what HiGHS's branch and bound gives."""

from __future__ import annotations

from itertools import combinations

import pytest

from clusterpath.pathway import MIP_GAP
from clusterpath.pathway.build import NetworkBuilder
from clusterpath.pathway.coalition import CoalitionModel

from .test_build import cluster, hydrogen_feedstock, member, power, scenario

pytestmark = pytest.mark.filterwarnings("ignore::linopy.LinopySemanticsWarning")


def hydrogen_users():
    """Three members and an electrolyser with size classes: each coalition sizes its own (a MIP)."""
    c = cluster(member("chem", [power(2000)], km_north=2), member("h2a", [hydrogen_feedstock(8760 * 20)], km_north=4),
                member("h2b", [hydrogen_feedstock(8760 * 3)], km_north=1))  # fmt: skip
    s = scenario(["hydrogen_network", "electrolysis"], periods=[2025, 2035], target_year=2035, economies_of_scale=True,
                 lead_times=False)  # fmt: skip
    return NetworkBuilder(c, s).build()


def test_every_coalition_costs_what_highs_branch_and_bound_finds():
    network = hydrogen_users()
    tree, highs = CoalitionModel(network), CoalitionModel(network)
    highs.max_nodes = 0  # straight to HiGHS's own branch and bound, as every coalition was solved before
    assert tree._integer.size > 0
    coalitions = [c for size in (1, 2, 3) for c in combinations(tree.members, size)]
    for coalition in coalitions:
        assert tree.cost(coalition) == pytest.approx(highs.cost(coalition), rel=MIP_GAP), coalition
    assert all(size > 0 for size in tree.tree_sizes) and set(highs.tree_sizes) == {0}
    # Solved in another order, each from another basis: the same costs.
    for coalition in reversed(coalitions):
        assert tree.cost(coalition) == pytest.approx(highs.cost(coalition), rel=MIP_GAP), coalition
