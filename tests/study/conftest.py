"""Fixtures of the scenario-study tests (the data are in helpers/study.py)."""

from __future__ import annotations

import copy

import pytest
from helpers.study import CLUSTER, SCENARIO, write


@pytest.fixture
def tiny(tmp_path):
    """Paths of the cluster and scenario files, and a writer for sweep files beside them."""
    cluster = write(tmp_path / "cluster.yaml", CLUSTER)
    scenario = write(tmp_path / "scenario.yaml", SCENARIO)

    def sweep(spec: dict, name: str = "sweep.yaml") -> str:
        return write(tmp_path / name, {"base": "scenario.yaml", **copy.deepcopy(spec)})

    return cluster, scenario, sweep
