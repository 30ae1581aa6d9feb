"""Sweep benchmark (issue 5): the same sweep of the port example on a local Dask cluster of 1 and of 2 workers.

Not a test: nothing is asserted. For each worker count the sweep starts from an empty results
folder (nothing to resume), so every case is solved; the wall time includes starting the
local Dask cluster, and the speed-up is the 1-worker wall time over the n-worker one. Each
case's own solve time (build + solve in its worker, ``solve_seconds``) is summed too: when it
grows with more workers, the workers slowed each other down (shared cores, memory bandwidth).

The sweep: ``--cases`` Latin-hypercube samples (seed 0, no tornado cases) of the carbon price
(x0.5-2 of 80 EUR/t in 2025 rising to 200 in 2050), capex of every lever (x0.7-1.3), the
electricity price (x0.8-1.5 of the cluster's) and the discount rate (3-10 %), around
``scope-1-net-zero-2050`` with ``--periods`` and ``--typical-days``.

    PYTHONPATH=src .venv/bin/python benchmarks/sweep_benchmark.py --cases 64 --workers 1 2 --out sweep.json

See docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import yaml

PORT = "port-chemicals"


def sweep_file(folder: Path, cases: int, periods: list[int], typical_days: int) -> Path:
    spec = {
        "base": "scope-1-net-zero-2050",
        "overrides": {"periods": periods, "typical_days": typical_days, "carbon_price": {2025: 80, 2050: 200}},
        "method": "random", "samples": cases, "seed": 0, "tornado": False,
        "parameters": {"carbon_price": {"low": 0.5, "high": 2.0}, "capex": {"low": 0.7, "high": 1.3},
                       "electricity_price": {"low": 0.8, "high": 1.5}, "discount_rate": {"low": 0.03, "high": 0.10}},
    }  # fmt: skip
    path = folder / "benchmark-sweep.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    return path


def run_once(workers: int, path: Path, out: Path) -> dict:
    from clusterpath.io import load_cluster
    from clusterpath.study import runner
    from clusterpath.study.sweep import design, load_sweep

    cluster = load_cluster(PORT)
    spec, where = load_sweep(path)
    options = {"mip_gap": 0.01}
    cases = design(spec, where, cluster, options=options)
    load_before = os.getloadavg()
    start = time.perf_counter()
    report = runner.run(cases, cluster, out, workers=workers, options=options)
    wall = time.perf_counter() - start
    results = runner.load_results(cases, out)
    return {
        "workers": workers, "cases": len(cases.unique()), "computed": len(report.computed), "failed": report.failed,
        "wall_s": wall, "cases_per_minute": 60 * len(report.computed) / wall,
        "sum_solve_s": float(results["solve_seconds"].sum()), "mean_solve_s": float(results["solve_seconds"].mean()),
        "statuses": results["status"].value_counts().to_dict(),
        "total_cost_range": [float(results["total_cost"].min()), float(results["total_cost"].max())]
        if "total_cost" in results else None,
        "load_average_before": load_before, "load_average_after": os.getloadavg(),
    }  # fmt: skip


def metadata() -> dict:
    def installed(name: str) -> str | None:
        try:
            return version(name)
        except PackageNotFoundError:
            return None

    root = Path(__file__).resolve().parents[1]
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "src"], cwd=root, capture_output=True, text=True).stdout.split("\n")
    return {
        "started": datetime.now(UTC).isoformat(timespec="seconds"), "cpu_count": os.cpu_count(),
        "machine": platform.machine(), "python": platform.python_version(), "commit": commit,
        "uncommitted_src": [line for line in dirty if line.strip()],
        "versions": {name: installed(name) for name in ("dask", "distributed", "linopy", "highspy", "pandas", "pyarrow")},
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=64)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--periods", type=int, nargs="+", default=[2025, 2035, 2050])
    parser.add_argument("--typical-days", type=int, default=1)
    parser.add_argument("--out", type=Path, default=Path("sweep-benchmark.json"))
    args = parser.parse_args()
    import warnings

    warnings.filterwarnings("ignore")
    payload = {"settings": {"cluster": PORT, "cases": args.cases, "periods": args.periods,
                            "typical_days": args.typical_days, "mip_gap": 0.01}, "meta": metadata(), "runs": []}  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="sweep-benchmark-") as scratch:
        path = sweep_file(Path(scratch), args.cases, args.periods, args.typical_days)
        for workers in args.workers:
            row = run_once(workers, path, Path(scratch) / f"out-{workers}")
            payload["runs"].append(row)
            print(json.dumps(row), file=sys.stderr, flush=True)
            args.out.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")  # partial figures survive a kill
    one = next((r for r in payload["runs"] if r["workers"] == 1), None)
    for row in payload["runs"]:
        row["speedup_over_1_worker"] = one["wall_s"] / row["wall_s"] if one else None
    args.out.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    print(json.dumps({r["workers"]: (round(r["wall_s"], 1), r["speedup_over_1_worker"]) for r in payload["runs"]}))


if __name__ == "__main__":
    main()
