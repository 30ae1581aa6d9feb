"""One solve of an example's plan with chosen HiGHS options: model size, binaries, build and solve time.

Not a test: it measures. One run at a time (docs/performance.md), e.g.

    .venv/bin/python benchmarks/solve_options.py --example port-chemicals --typical-days 1
    .venv/bin/python benchmarks/solve_options.py --typical-days 1 --option user_objective_scale=-4 --option user_bound_scale=-4
    .venv/bin/python benchmarks/solve_options.py --typical-days 4 --time-limit 420 --log /tmp/highs.log

Prints one JSON line. Options given are added to those ``pathway.solve.options`` chooses (as ``plan`` solves);
``--no-start`` leaves out the first plan from the relaxation. ``--log`` keeps HiGHS's own log, which shows
where a MIP spends its time (presolve, the root LP relaxation, branch and bound); ``--sizes`` lists the
entries of every variable and constraint by name and dimensions.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import time

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
    reports: list[solve.Progress] = []
    start, cpu = time.perf_counter(), time.process_time()
    status = solve.run(m, options, log_file=args.log, progress=reports.append,
                       classes=[] if args.no_start else pm.classes)  # fmt: skip
    print(json.dumps({
        "example": args.example, "typical_days": args.typical_days, "options": options,
        "start": None if args.no_start else f"relaxation by {args.relaxation_solver}",
        "variables": int(m.nvars), "constraints": int(m.ncons), "binaries": binaries,
        "build_s": round(built, 1), "solve_wall_s": round(time.perf_counter() - start, 1),
        "solve_cpu_s": round(time.process_time() - cpu, 1), "status": list(status),
        "objective": m.objective.value, "last_progress": reports[-1].describe() if reports else None,
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "load_average": [round(load, 2), round(os.getloadavg()[0], 2)],
        **({"sizes": sizes(m)} if args.sizes else {}),
    }))


def sizes(m) -> dict:
    """Entries of every variable and constraint by name, with its dimensions: where the model's size comes from."""
    def table(items) -> dict:
        return {name: {"dims": dict(item.labels.sizes), "entries": int((item.labels >= 0).sum())} for name, item in items}

    return {"variables": table(m.variables.items()), "constraints": table(m.constraints.items())}


if __name__ == "__main__":
    main()
