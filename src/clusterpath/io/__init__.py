"""Readers and writers of cluster descriptions."""

from clusterpath.io.errors import InputError
from clusterpath.io.load import load_cluster, load_scenario, scenario_names

__all__ = ["InputError", "load_cluster", "load_scenario", "scenario_names"]
