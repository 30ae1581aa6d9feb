"""Representation error of typical days against the full year (issue 16, item 4).

Not a test: it measures. For each example and resolution (typical days; 365 is the full,
chronological year) it builds and solves the plan in a fresh subprocess (killed at
``--wall-limit``) and records the objective and the capacities of storage, renewables and
electrolysis in the last period; then it tabulates each resolution against the full year.

    .venv/bin/python benchmarks/representation_error.py --examples hydrogen-hub --days 1 4 12 365 \\
        --periods 2050 --no-economies-of-scale --out /tmp/repr/hydrogen-hub.jsonl --csv /tmp/repr/hydrogen-hub.csv

``--periods`` replaces the scenario's periods (fewer periods, a smaller full-year model);
``--no-economies-of-scale`` makes the plan an LP. Cases run one after another and each
result is appended to ``--out`` as it ends (JSON lines), so a run stopped half-way keeps
what finished. ``--csv`` writes the rows of ``data/representation_error.csv`` (the
relative errors against the full year) for the cases that have one.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import resource
import subprocess
import sys
import time
from pathlib import Path

FULL_YEAR = 365
STORAGE, RENEWABLES, ELECTROLYSIS = "storage_mwh", "renewables_mw", "electrolysis_mw"
FIGURES = {"storage": STORAGE, "renewables": RENEWABLES, "electrolysis": ELECTROLYSIS}  # table column: row key
RENEWABLE_LEVERS = ("solar_pv", "onshore_wind", "offshore_wind")


def case(example: str, scenario_name: str | None, days: int, periods: list[int] | None, eos: bool,
         time_limit: float | None, crossover: bool, log: Path | None, members: int | None, queue) -> None:  # fmt: skip
    from clusterpath.io.load import load_cluster, load_scenario
    from clusterpath.pathway.build import NetworkBuilder
    from clusterpath.pathway.network import PathwayModel
    from clusterpath.pathway.plan import _grouped
    from clusterpath.pathway.representation import fingerprint
    from clusterpath.pathway.result import PathwayResult

    cluster = load_cluster(example)
    if members:  # a sub-cluster of the example: its first members, on the same site and resources
        cluster = cluster.model_copy(update={"members": cluster.members[:members]})
    update = {"typical_days": days, "economies_of_scale": eos}
    if periods:
        update |= {"periods": periods, "target_year": max(periods)}
    scenario = load_scenario(scenario_name).model_copy(update=update)
    row = {"example": example, "days": days, "fingerprint": fingerprint(cluster)}
    start = time.perf_counter()
    network = _grouped(NetworkBuilder(cluster, scenario).build(), None, len(cluster.members))  # as plan() groups
    model = PathwayModel(network)
    row |= {"build_s": round(time.perf_counter() - start, 1), "variables": int(model.model.nvars),
            "constraints": int(model.model.ncons)}  # fmt: skip
    start = time.perf_counter()
    if crossover or model.model.binaries:
        # A MILP to 0.1 %, so that its gap does not pass for a representation error.
        _, condition = model.solve(time_limit=time_limit, mip_gap=0.001, log_file=log)
    else:  # the product's solve, without crossover: an interior optimum, not a vertex (as exact to 1e-7)
        from clusterpath.pathway.network import _silent_stdout

        with _silent_stdout():
            _, condition = model.model.solve(solver_name="highs", io_api="direct", progress=False, solver="ipm",
                                             run_crossover="off", output_flag=log is not None, log_fn=log,
                                             **({"time_limit": time_limit} if time_limit else {}))  # fmt: skip
    row |= {"solve_s": round(time.perf_counter() - start, 1), "condition": condition,
            "peak_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}  # fmt: skip
    if condition == "optimal":
        result = PathwayResult.from_model(model, cluster.currency, condition)
        last = result.periods[-1]
        capacity = result.data["capacity"].sel(period=last).to_series()
        lever = result.units["lever"].reindex(capacity.index)
        row |= {
            "objective": float(result.objective),
            STORAGE: float(result.data["store_energy"].sel(period=last).sum()) if "store_energy" in result.data else 0.0,
            RENEWABLES: float(capacity[lever.isin(RENEWABLE_LEVERS)].sum()),
            ELECTROLYSIS: float(capacity[lever == "electrolysis"].sum()),
        }
    queue.put(row)


def run(args, example: str, days: int) -> dict:
    queue = mp.get_context("fork").Queue()
    process = mp.get_context("fork").Process(
        target=case, args=(example, args.scenario, days, args.periods, args.economies_of_scale, args.time_limit,
                           args.crossover, args.logs and args.logs / f"{example}-{days}.log", args.members, queue))
    start = time.perf_counter()
    process.start()
    process.join(args.wall_limit)
    if process.is_alive():
        process.kill()
        process.join()
        return {"example": example, "days": days, "condition": f"killed at wall limit {args.wall_limit:g} s"}
    row = queue.get() if not queue.empty() else {"example": example, "days": days,
                                                 "condition": f"crashed (exit {process.exitcode})"}  # fmt: skip
    return row | {"wall_s": round(time.perf_counter() - start, 1)}


def relative(value: float | None, full: float | None, floor: float) -> float | None:
    """(value - full) / full; None when either is missing or the full-year figure is below ``floor``."""
    if value is None or full is None or abs(full) < floor:
        return None
    return (value - full) / full


def errors(rows: list[dict], settings: dict) -> list[dict]:
    """Each finished resolution against the full year of its example: the rows of data/representation_error.csv."""
    full = {r["example"]: r for r in rows if r["days"] == FULL_YEAR and "objective" in r}
    periods = settings["periods"]
    conditions = ((f"for its first {settings['members']} members " if settings.get("members") else "")
                  + f"under {settings['scenario']}"
                  + (f" with the periods {', '.join(map(str, periods))} only" if periods else "")
                  + (", economies of scale on (a MILP)" if settings["economies_of_scale"]
                     else ", economies of scale off (an LP)"))  # fmt: skip
    source = f"{settings['command']} ({time.strftime('%Y-%m-%d')}, commit {settings['commit']})"
    out = []
    for r in rows:
        ref = full.get(r["example"])
        if ref is None or "objective" not in r or r["days"] == FULL_YEAR or r.get("fingerprint") != ref.get("fingerprint"):
            continue
        out.append({"example": r["example"], "fingerprint": r["fingerprint"], "typical_days": r["days"],
                    "objective": relative(r["objective"], ref["objective"], 0.0),
                    **{name: relative(r[key], ref[key], 1.0) for name, key in FIGURES.items()},
                    "conditions": conditions, "source": source})  # fmt: skip
    return out


def _cell(row: dict, ref: dict, key: str, scale: float = 1.0, floor: float = 1.0) -> str:
    error = relative(row[key], ref.get(key), floor) if row["days"] != FULL_YEAR else None
    return f"{row[key] / scale:,.1f}" + (f" ({error:+.1%})" if error is not None else "")


def markdown(rows: list[dict]) -> str:
    """The table of docs/timeseries.md: each finished case, its figures and their error against the full year."""
    full = {r["example"]: r for r in rows if r["days"] == FULL_YEAR and "objective" in r}
    lines = ["| example | days | variables | solve s | objective, M | storage MWh | renewables MW | electrolysis MW |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]  # fmt: skip
    for r in sorted(rows, key=lambda r: (r["example"], r["days"])):
        if "objective" not in r:
            lines.append(f"| {r['example']} | {r['days']} | {r.get('variables', '')} | | {r['condition']} | | | |")
            continue
        ref = full.get(r["example"], {})
        lines.append(f"| {r['example']} | {r['days']} | {r['variables']:,} | {r['solve_s']:,.0f} | "
                     f"{_cell(r, ref, 'objective', 1e6, 0.0)} | {_cell(r, ref, STORAGE)} | {_cell(r, ref, RENEWABLES)} "
                     f"| {_cell(r, ref, ELECTROLYSIS)} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", nargs="+", default=["hydrogen-hub", "geothermal-park", "industrial-estate",
                                                           "port-chemicals"])  # fmt: skip
    parser.add_argument("--days", nargs="+", type=int, default=[1, 4, 12, FULL_YEAR])
    parser.add_argument("--scenario", default=None, help="default net-zero-2050")
    parser.add_argument("--periods", nargs="+", type=int, default=None, help="replace the scenario's periods")
    parser.add_argument("--members", type=int, default=None, help="plan only each example's first N members")
    parser.add_argument("--economies-of-scale", action=argparse.BooleanOptionalAction, default=False)
    parser.add_argument("--crossover", action=argparse.BooleanOptionalAction, default=True,
                        help="LPs: interior point with crossover as the product solves them (default), or without")
    parser.add_argument("--time-limit", type=float, default=None, help="HiGHS time limit per case, s")
    parser.add_argument("--wall-limit", type=float, default=2400, help="kill a case after this many s")
    parser.add_argument("--out", type=Path, required=True, help="JSON lines, one per case")
    parser.add_argument("--logs", type=Path, default=None, help="keep each case's HiGHS log in this folder")
    parser.add_argument("--resume", action="store_true", help="keep the finished cases already in --out")
    parser.add_argument("--csv", type=Path, default=None, help="relative errors against the full year")
    args = parser.parse_args()

    settings = {"scenario": args.scenario or "net-zero-2050", "periods": args.periods, "members": args.members,
                "economies_of_scale": args.economies_of_scale,
                "crossover": args.crossover, "command": " ".join(sys.argv),
                "commit": subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                                         text=True, check=False).stdout.strip()}  # fmt: skip
    rows = []
    args.out.parent.mkdir(parents=True, exist_ok=True)
    if args.logs:
        args.logs.mkdir(parents=True, exist_ok=True)
    rows += [json.loads(line) for line in args.out.read_text().splitlines()] if args.resume and args.out.exists() else []
    for example in args.examples:
        for days in args.days:
            if any(r["example"] == example and r["days"] == days and "objective" in r for r in rows):
                continue
            row = run(args, example, days) | settings
            rows.append(row)
            with args.out.open("a", encoding="utf-8") as handle:
                handle.write(json.dumps(row) + "\n")
            print(json.dumps(row), flush=True)
    print(markdown(rows))
    if args.csv:
        import pandas as pd

        pd.DataFrame(errors(rows, settings)).to_csv(args.csv, index=False)


if __name__ == "__main__":
    main()
