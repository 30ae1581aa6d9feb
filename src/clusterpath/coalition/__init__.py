"""Sharing the cost of collaboration: cooperative cost games and their allocation rules.

A :class:`Game` holds the cost c(S) of every coalition S of players (a table, a rule, or a lazily
evaluated model, e.g. a cluster's pathway model in :class:`ClusterGame`); :func:`allocate` splits c(N) by
Shapley value, nucleolus, least core, SCRB, proportional shares or (for a cluster) dual prices, and reports
whether the split is in the core. docs/allocation.md has the maths.
"""

from clusterpath.coalition.allocation import RULES, Allocation, Solution, allocate, rule
from clusterpath.coalition.cluster_game import ClusterGame  # registers "dual", the cluster-only method
from clusterpath.coalition.core import CoreCheck, core_check
from clusterpath.coalition.game import MAX_EXACT_PLAYERS, AirportGame, Game
from clusterpath.coalition.gamefile import load_game, parse_game
from clusterpath.coalition.nucleolus import LeastCore, least_core, nucleolus
from clusterpath.coalition.rules import proportional, scrb
from clusterpath.coalition.shapley import ShapleyEstimate, sample_shapley, shapley

__all__ = [
    "MAX_EXACT_PLAYERS",
    "RULES",
    "AirportGame",
    "Allocation",
    "ClusterGame",
    "CoreCheck",
    "Game",
    "LeastCore",
    "ShapleyEstimate",
    "Solution",
    "allocate",
    "core_check",
    "least_core",
    "load_game",
    "nucleolus",
    "parse_game",
    "proportional",
    "rule",
    "sample_shapley",
    "scrb",
    "shapley",
]
