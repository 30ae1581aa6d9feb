"""One solve of an example's plan with chosen HiGHS options: model size, binaries, build and solve time.

Not a test: it measures. One run at a time (docs/performance.md), e.g.

    .venv/bin/python benchmarks/solve_options.py --example port-chemicals --typical-days 1
    .venv/bin/python benchmarks/solve_options.py --typical-days 1 --option user_objective_scale=-4 --option user_bound_scale=-4
    .venv/bin/python benchmarks/solve_options.py --typical-days 4 --time-limit 420 --log /tmp/highs.log

Prints one JSON line. Options given are added to those ``pathway.solve.options`` chooses (as ``plan`` solves);
``--no-start`` leaves out the first plan from the relaxation. ``--log`` keeps HiGHS's own log, which shows
where a MIP spends its time (presolve, the root LP relaxation, branch and bound); ``--sizes`` lists the
entries of every variable and constraint by name and dimensions. ``--presolve`` adds the matrix's size and
coefficient range before and after HiGHS's presolve; ``--relaxation-only`` solves only the linear relaxation
(size and flow classes continuous, by ``--relaxation-solver``), the first step of a plan.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import time

import numpy as np

from clusterpath.io.load import load_cluster, load_scenario
from clusterpath.pathway import MIP_GAP, solve
from clusterpath.pathway.build import NetworkBuilder
from clusterpath.pathway.network import PathwayModel


def _option(text: str) -> tuple[str, object]:
    name, _, value = text.partition("=")
    for cast in (int, float):
        try:
            return name, cast(value)
        except ValueError:
            pass
    return name, value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--example", default="port-chemicals")
    parser.add_argument("--scenario", default=None)
    parser.add_argument("--typical-days", type=int, default=12)
    parser.add_argument("--mip-gap", type=float, default=MIP_GAP)
    parser.add_argument("--time-limit", type=float, default=None)
    parser.add_argument("--option", action="append", default=[], help="a HiGHS option NAME=VALUE (repeatable)")
    parser.add_argument("--log", default=None, help="write HiGHS's log to this file")
    parser.add_argument("--sizes", action="store_true", help="also list variables and constraints by name")
    parser.add_argument("--no-start", action="store_true", help="no first plan from the relaxation (HiGHS alone)")
    parser.add_argument("--relaxation-solver", default=solve.RELAXATION_SOLVER, help="ipm or simplex")
    parser.add_argument("--presolve", action="store_true", help="also the matrix before and after HiGHS's presolve")
    parser.add_argument("--relaxation-only", action="store_true", help="solve only the linear relaxation")
    args = parser.parse_args()
    solve.RELAXATION_SOLVER = args.relaxation_solver

    cluster = load_cluster(args.example)
    scenario = load_scenario(args.scenario).model_copy(update={"typical_days": args.typical_days})
    start = time.perf_counter()
    pm = PathwayModel(NetworkBuilder(cluster, scenario).build())
    built = time.perf_counter() - start
    m = pm.model
    binaries = {name: int((m.variables[name].labels >= 0).sum()) for name in m.binaries}
    load = os.getloadavg()[0]
    options = solve.options(m, time_limit=args.time_limit, mip_gap=args.mip_gap) | dict(map(_option, args.option))
    matrix = presolved(m, options) if args.presolve else None
    reports: list[solve.Progress] = []
    start, cpu = time.perf_counter(), time.process_time()
    if args.relaxation_only:
        status, objective = relaxation(m, options | {"solver": args.relaxation_solver}, args.log)
    else:
        status = solve.run(m, options, log_file=args.log, progress=reports.append,
                           classes=[] if args.no_start else pm.classes)  # fmt: skip
        objective = m.objective.value
    print(json.dumps({
        "example": args.example, "typical_days": args.typical_days, "options": options,
        "start": None if args.no_start else f"relaxation by {args.relaxation_solver}",
        "relaxation_only": args.relaxation_only, "commit": _commit(),
        "variables": int(m.nvars), "constraints": int(m.ncons), "binaries": binaries,
        "build_s": round(built, 1), "solve_wall_s": round(time.perf_counter() - start, 1),
        "solve_cpu_s": round(time.process_time() - cpu, 1), "status": status,
        "objective": objective, "last_progress": reports[-1].describe() if reports else None,
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "load_average": [round(load, 2), round(os.getloadavg()[0], 2)],
        **({"matrix": matrix} if matrix else {}),
        **({"sizes": sizes(m)} if args.sizes else {}),
    }))


def relaxation(m, options: dict, log) -> tuple[str, float]:
    """The linear relaxation of ``m`` by HiGHS (integrality dropped), as a plan's first step solves it."""
    options = {"output_flag": log is not None, **({"log_file": log} if log else {})} | options
    options.pop("mip_rel_gap", None)
    h = m.to_highspy()
    for name, value in options.items():
        h.setOptionValue(name, value)
    lp = h.getLp()
    integer = np.flatnonzero([int(v) for v in lp.integrality_]).astype(np.int32)
    h.changeColsIntegrality(integer.size, integer, np.zeros(integer.size, dtype=np.uint8))
    h.run()
    return h.modelStatusToString(h.getModelStatus()), h.getInfo().objective_function_value


def presolved(m, options: dict) -> dict:
    """Columns, rows, nonzeros and coefficient ranges of the matrix, before and after HiGHS's presolve."""
    h = m.to_highspy()
    h.setOptionValue("output_flag", False)
    for name in ("user_objective_scale",):
        if name in options:
            h.setOptionValue(name, options[name])
    before = _stats(h.getLp())
    start, cpu = time.perf_counter(), time.process_time()
    h.presolve()
    took = {"presolve_wall_s": round(time.perf_counter() - start, 1), "presolve_cpu_s": round(time.process_time() - cpu, 1)}
    return {"model": before, "presolved": _stats(h.getPresolvedLp()), **took}


def _stats(lp) -> dict:
    values = np.abs(np.asarray(lp.a_matrix_.value_, dtype=float))
    cost = np.abs(np.asarray(lp.col_cost_, dtype=float))
    bounds = np.abs(np.concatenate([np.asarray(lp.row_lower_), np.asarray(lp.row_upper_)]))
    bounds = bounds[np.isfinite(bounds) & (bounds > 0)]
    return {"columns": int(lp.num_col_), "rows": int(lp.num_row_), "nonzeros": int(values.size),
            "coefficients": [float(values.min(initial=np.inf)), float(values.max(initial=0))],
            "costs": [float(cost[cost > 0].min(initial=np.inf)), float(cost.max(initial=0))],
            "row_bounds": [float(bounds.min(initial=np.inf)), float(bounds.max(initial=0))]}  # fmt: skip


def _commit() -> str:
    import subprocess

    return subprocess.run(["git", "rev-parse", "--short", "HEAD"], check=False, capture_output=True, text=True).stdout.strip()


def sizes(m) -> dict:
    """Entries of every variable and constraint by name, with its dimensions: where the model's size comes from."""
    def table(items) -> dict:
        return {name: {"dims": dict(item.labels.sizes), "entries": int((item.labels >= 0).sum())} for name, item in items}

    return {"variables": table(m.variables.items()), "constraints": table(m.constraints.items())}


if __name__ == "__main__":
    main()
