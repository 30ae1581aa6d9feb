"""The cost game of a cluster: c(S) from the pathway model, evaluated in parallel.

Each worker process (local, or on a Dask cluster given by its scheduler address) builds
the cluster's model once and then re-solves it for every coalition it is sent
(``pathway.coalition.CoalitionModel``); the game memoises what comes back.
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Self

import numpy as np
import pandas as pd

from clusterpath.coalition.allocation import Solution, rule
from clusterpath.coalition.game import Game
from clusterpath.io.errors import InputError
from clusterpath.pathway import MIP_GAP
from clusterpath.pathway.coalition import CoalitionModel
from clusterpath.pathway.network import Network

# Worker processes keep their model between batches: built once per network token.
_MODELS: dict[str, CoalitionModel] = {}
# Below this many coalitions per worker, starting processes costs more than it saves.
MIN_PER_WORKER = 4


def _model(token: str, networks: bytes, options: dict) -> CoalitionModel:
    if token not in _MODELS:
        _MODELS.clear()  # one cluster at a time per worker: models are large
        network, full = pickle.loads(networks)
        _MODELS[token] = CoalitionModel(network, full=full, **options)
    return _MODELS[token]


def _evaluate(token: str, network: bytes, options: dict, coalitions: list[frozenset[str]]) -> list[float]:
    model = _model(token, network, options)
    return [model.cost(c) for c in coalitions]


class ClusterGame(Game):
    """Players are a cluster's members; c(S) is the least cost of S planning alone together."""

    def __init__(self, network: Network, *, full: Network | None = None, workers: int | None = None,
                 scheduler: str | None = None, mip_gap: float = MIP_GAP, source: str = "cluster",
                 time_limit: float | None = None, on_solved: Callable[[int], None] | None = None) -> None:  # fmt: skip
        """``network`` may be grouped (``pathway.groups``), with ``full`` the ungrouped one: the players
        are still the members, and a coalition takes its members' part of each group. ``time_limit``
        bounds each coalition's solve (seconds); ``on_solved(n)`` hears of every n coalitions solved."""
        self.network, self.full = network, full
        self.options = {"mip_gap": mip_gap, "time_limit": time_limit}
        self.on_solved = on_solved or (lambda _: None)
        self.model = CoalitionModel(network, full=full, **self.options)
        super().__init__(self.model.members, source=source)  # costs come from evaluate_batch
        self.workers = max(1, workers if workers is not None else (os.cpu_count() or 1))
        self.scheduler = scheduler
        self.token = f"{id(self)}-{os.getpid()}"
        self.evaluated = 0  # coalitions solved, for reports and benchmarks
        self._pool: ProcessPoolExecutor | None = None

    def evaluate_batch(self, coalitions: list[frozenset[str]]) -> Sequence[float]:
        self.evaluated += len(coalitions)
        parallel = self.scheduler is not None or (self.workers > 1 and len(coalitions) >= MIN_PER_WORKER * self.workers)
        if not parallel:
            costs = []
            for coalition in coalitions:
                costs.append(self.model.cost(coalition))
                self.on_solved(1)
            return costs
        # Coalitions of similar size solve from similar bases: deal them out in contiguous chunks.
        order = sorted(range(len(coalitions)), key=lambda i: (len(coalitions[i]), sorted(coalitions[i])))
        payload = pickle.dumps((self.network, self.full))
        if self.scheduler is not None:
            return self._on_dask(payload, coalitions, order)
        chunks = np.array_split(order, self.workers)
        if self._pool is None:  # kept for the game's life, so each worker builds its model once
            self._pool = ProcessPoolExecutor(max_workers=self.workers)
        futures = [self._pool.submit(_evaluate, self.token, payload, self.options, [coalitions[i] for i in chunk])
                   for chunk in chunks]  # fmt: skip
        results = []
        for future, chunk in zip(futures, chunks, strict=True):
            results.append(future.result())
            self.on_solved(len(chunk))
        return _scatter(len(coalitions), chunks, results)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _on_dask(self, payload: bytes, coalitions: list[frozenset[str]], order: list[int]) -> np.ndarray:
        from distributed import Client

        with Client(self.scheduler, timeout="30s") as client:
            chunks = np.array_split(order, max(1, sum(client.nthreads().values())))
            network = client.scatter(payload, broadcast=True)
            futures = [client.submit(_evaluate, self.token, network, self.options, [coalitions[i] for i in chunk],
                                     pure=False) for chunk in chunks]  # fmt: skip
            results = _scatter(len(coalitions), chunks, client.gather(futures))
        self.on_solved(len(coalitions))
        return results

    def lever_costs(self, coalition: frozenset[str]) -> pd.Series:
        """What the coalition's plan spends by (node, lever); its cost is remembered like any other."""
        costs = self.model.lever_costs(coalition)
        mask = self.mask(coalition)
        if mask not in self._memo:
            self._memo[mask] = float(costs.sum() + self.model.fixed_cost(coalition))
            self.evaluated += 1
            self.on_solved(1)
        return costs

    def dual_allocation(self) -> np.ndarray:
        """Owen's allocation from the duals of the linear relaxation, in player order."""
        return self.model.dual_allocation().reindex(list(self.players)).to_numpy()

    def use_allocation(self) -> np.ndarray:
        """Own spending plus the hub's spending by use of shared infrastructure, in player order."""
        return self.model.use_allocation().reindex(list(self.players)).to_numpy()


def _scatter(size: int, chunks: list[np.ndarray], results: list[list[float]]) -> np.ndarray:
    out = np.empty(size)
    for chunk, values in zip(chunks, results, strict=True):
        out[chunk] = values
    return out


@rule("dual")
def _dual(game: Game) -> Solution:
    return Solution(_cluster(game, "the dual-price allocation needs a cluster (its linear program)").dual_allocation())


@rule("use")
def _use(game: Game) -> Solution:
    return Solution(_cluster(game, "the allocation by use of shared infrastructure needs a cluster (its plan)").use_allocation())


def _cluster(game: Game, why: str) -> ClusterGame:
    if not isinstance(game, ClusterGame):
        raise InputError(game.source, [f"{why}; a game file lists costs only: use another method"])
    return game
