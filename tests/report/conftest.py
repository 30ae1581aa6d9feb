"""A two-member cluster planned once for the report tests (one typical day, two periods), and its allocation."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path

import pytest

from helpers.study import CLUSTER as ONE_MEMBER

# Chem keeps its steam and power; Food's low-temperature heat is a second member, so the cost can be split.
CLUSTER = copy.deepcopy(ONE_MEMBER) | {"members": [*copy.deepcopy(ONE_MEMBER["members"]), {
    "id": "food", "name": "Food", "sector": "food", "value_added": 5e6, "jobs": 20,
    "demands": [{"service": "heat_low", "carrier": "natural_gas", "equipment": "boiler", "efficiency": 0.9,
                 "useful_energy": "4380 MWh"}]}]}  # fmt: skip
SCENARIO = {"name": "small", "periods": [2025, 2035], "target_year": 2035, "typical_days": 1,
            "levers": ["heat_pump", "electric_boiler", "efficiency"], "economies_of_scale": False}  # fmt: skip


@dataclass
class Solved:
    cluster: object
    scenario: object
    result: object  # PathwayResult
    summary: dict
    allocation: dict


@pytest.fixture(scope="session")
def solved() -> Solved:
    from clusterpath.coalition import allocate
    from clusterpath.coalition.cluster_game import ClusterGame
    from clusterpath.pathway.build import NetworkBuilder
    from clusterpath.pathway.plan import plan
    from clusterpath.schema import Cluster
    from clusterpath.schema.scenario import Scenario

    cluster, scenario = Cluster.model_validate(CLUSTER), Scenario.model_validate(SCENARIO)
    result = plan(cluster, scenario)
    network = NetworkBuilder(cluster, scenario).build()
    with ClusterGame(network, full=network, workers=1, mip_gap=0.001, source=cluster.id) as game:
        shares = allocate(game, "dual").to_dict()
    return Solved(cluster, scenario, result, result.summary(), shares)


@pytest.fixture(scope="session")
def report(solved):
    from clusterpath.report.cluster import cluster_report

    return cluster_report(solved.cluster, solved.scenario, solved.summary, solved.allocation, solved.result)


@pytest.fixture(scope="session")
def written(report, tmp_path_factory) -> dict[str, Path]:
    """The three files of the solved cluster's report."""
    from clusterpath.report import write_report

    return write_report(report, tmp_path_factory.mktemp("report"))


