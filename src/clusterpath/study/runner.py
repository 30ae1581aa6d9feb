"""Solve a sweep's cases on Dask, writing each result the moment it arrives, and resume.

Each finished case is one Parquet file ``cases/<key>.parquet``, written by this process (so a
remote Dask cluster needs no shared disk) through a temporary name and an atomic rename: a
sweep killed at any point leaves only whole files, and a restart solves only the cases
whose file is missing. Infeasible cases are results too and are kept; a case that fails
with an unexpected error is not written, so the next run tries it again.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
import uuid
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from clusterpath.io.errors import InputError
from clusterpath.schema import Cluster
from clusterpath.schema.scenario import Scenario
from clusterpath.study.outcome import period_of
from clusterpath.study.sweep import Case, Design

CASES = "cases"


@dataclass
class RunReport:
    computed: list[str] = field(default_factory=list)  # keys solved in this run
    reused: list[str] = field(default_factory=list)  # keys found on disk
    failed: dict[str, str] = field(default_factory=dict)  # key -> error, not written
    workers: int = 0  # Dask worker threads the cases ran on (0: nothing to solve)
    seconds: float = 0.0  # wall time of the solving, Dask start-up included


def solve_case(cluster: Cluster, scenario: Scenario, options: dict) -> dict:
    """One case on a worker: a flat row of results (no solver objects travel back)."""
    import warnings

    from clusterpath.pathway.plan import InfeasiblePlan, SolverStopped, plan
    from clusterpath.study.outcome import summarize

    logging.getLogger("linopy").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore")
    start = time.perf_counter()
    try:
        summary = summarize(plan(cluster, scenario, baseline=False, **options))
    except InfeasiblePlan as problem:
        row = {"status": "infeasible", "message": str(problem)}
    except SolverStopped as problem:
        row = {"status": "no_plan", "message": str(problem)}
    else:
        row = {"status": summary["status"], "message": "", "total_cost": summary["total_cost"]}
        row |= {f"cost:{kind}": value for kind, value in summary["cost_by_kind"].items()}
        row |= {f"emissions:{period}": value for period, value in summary["emissions_tco2e"].items()}
        for lever, item in summary["investments"].items():
            row |= {f"capacity:{lever}:{period}": value for period, value in item["capacity"].items()}
            row[f"unit:{lever}"] = item["unit"]
    row["solve_seconds"] = time.perf_counter() - start
    row["worker_pid"] = os.getpid()
    return row


def case_file(out: Path, key: str) -> Path:
    return out / CASES / f"{key}.parquet"


def run(design: Design, cluster: Cluster, out: Path, *, workers: int | None = None, scheduler: str | None = None,
        options: dict | None = None, on_start: Callable[[int, int], None] | None = None,
        on_case: Callable[[Case, dict | None], None] | None = None) -> RunReport:  # fmt: skip
    """Solve the cases without a result file; ``on_start(todo, done)`` then ``on_case`` after each."""
    cases = design.unique()
    report = RunReport()
    todo = []
    for case in cases:
        if case_file(out, case.key).is_file():
            report.reused.append(case.key)
        else:
            todo.append(case)
    if on_start:
        on_start(len(todo), len(report.reused))
    if not todo:
        return report
    run_id = uuid.uuid4().hex[:12]
    start = time.perf_counter()
    with _client(workers, scheduler) as client:
        from distributed import as_completed

        (out / CASES).mkdir(parents=True, exist_ok=True)  # only once there is something to solve it on
        report.workers = sum(client.nthreads().values())
        # The cluster travels with each task rather than scattered once: a restarted worker loses scattered data,
        # and with it every case still to come; a cluster description is small next to a solve.
        futures = {client.submit(solve_case, cluster, case.scenario, options or {}, key=f"case-{case.key}-{run_id}",
                                 pure=False): case for case in todo}  # fmt: skip
        try:
            for future in as_completed(futures):
                case = futures[future]
                try:
                    row = future.result()
                except ValueError as error:
                    from clusterpath.pathway.errors import PlanningError

                    if isinstance(error, PlanningError):  # the cluster lacks what every case needs: stop now
                        raise
                    report.failed[case.key] = f"{type(error).__name__}: {error}"
                    row = None
                except Exception as error:  # noqa: BLE001 - a bug in one case must not lose the others
                    report.failed[case.key] = f"{type(error).__name__}: {error}"
                    row = None
                if row is not None:
                    _write_case(out, case, row | {"run_id": run_id})
                    report.computed.append(case.key)
                if on_case:
                    on_case(case, row)
        finally:
            for future in futures:
                future.cancel()
    report.seconds = time.perf_counter() - start
    return report


def _write_case(out: Path, case: Case, row: dict) -> None:
    frame = pd.DataFrame([{"key": case.key, **{f"param:{k}": float(v) for k, v in case.values.items()}, **row}])
    path = case_file(out, case.key)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    frame.to_parquet(tmp, index=False)
    tmp.replace(path)


@contextmanager
def _client(workers: int | None, scheduler: str | None):
    from distributed import Client, LocalCluster

    if scheduler is not None:
        try:
            client = Client(scheduler, timeout="30s")
        except (OSError, TimeoutError, ValueError) as error:
            raise InputError("--scheduler", [f"cannot reach a Dask scheduler at {scheduler}: {error}"]) from None
        with client:
            yield client
        return
    n = max(1, workers if workers is not None else (os.cpu_count() or 1))
    # Ctrl-C reaches the whole process group: workers started while SIGINT is ignored keep ignoring it
    # (Python leaves an inherited SIG_IGN alone), so only this process stops and shuts them down in order.
    ignoring = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN) if ignoring else None
    try:
        # One single-threaded process per worker: HiGHS and the model builder hold the GIL much of the time.
        cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None,
                               silence_logs=logging.ERROR)  # fmt: skip
    finally:
        if ignoring:
            signal.signal(signal.SIGINT, previous)
    with cluster, Client(cluster) as client:
        yield client


def load_results(design: Design, out: Path) -> pd.DataFrame:
    """One row per distinct case on disk, with which role it plays (sample, base, tornado low or high)."""
    roles: dict[str, list[str]] = {}
    for i, case in enumerate(design.samples):
        roles.setdefault(case.key, []).append(f"sample:{i}")
    if design.base_case is not None:
        roles.setdefault(design.base_case.key, []).append("base")
    for name, (low, high) in design.tornado.items():
        roles.setdefault(low.key, []).append(f"low:{name}")
        roles.setdefault(high.key, []).append(f"high:{name}")
    frames = [pd.read_parquet(case_file(out, key)) for key in roles if case_file(out, key).is_file()]
    if not frames:
        return pd.DataFrame(columns=["key", "roles", "status"])
    table = pd.concat(frames, ignore_index=True)
    table.insert(1, "roles", table["key"].map(lambda k: " ".join(roles[k])))
    # What the sweep reports of each case: emissions and capacity in the period of the target year.
    target = period_of(design.base.target_year, design.base.periods)
    table["target_period"] = target
    if f"emissions:{target}" in table:
        table["emissions_target"] = table[f"emissions:{target}"]
    for column in [c for c in table.columns if c.startswith("capacity:") and c.endswith(f":{target}")]:
        table[f"investment:{column.split(':')[1]}"] = table[column].fillna(0.0)
    return table


def write_results(table: pd.DataFrame, out: Path) -> Path:
    path = out / "results.parquet"
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    table.to_parquet(tmp, index=False)
    tmp.replace(path)
    return path
