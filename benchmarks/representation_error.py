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
HOURS_PER_DAY = 24
STORAGE, RENEWABLES, ELECTROLYSIS = "storage_mwh", "renewables_mw", "electrolysis_mw"
FIGURES = {"storage": STORAGE, "renewables": RENEWABLES, "electrolysis": ELECTROLYSIS}  # table column: row key
RENEWABLE_LEVERS = ("solar_pv", "onshore_wind", "offshore_wind")


def resolution(text: str) -> tuple[int, int]:
    """``12`` (typical days of 24 hours) or ``12x6`` (12 typical days of 6 segments) -> (days, segments)."""
    days, _, segments = text.lower().partition("x")
    return int(days), int(segments or HOURS_PER_DAY)


def label(days: int, segments: int) -> str:
    return f"{days}" if segments == HOURS_PER_DAY else f"{days}x{segments}"


def case(example: str, scenario_name: str | None, days: int, segments: int, periods: list[int] | None, eos: bool,
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
    update = {"typical_days": days, "segments": segments, "economies_of_scale": eos}
    if periods:
        update |= {"periods": periods, "target_year": max(periods)}
    scenario = load_scenario(scenario_name).model_copy(update=update)
    row = {"example": example, "days": days, "segments": segments, "fingerprint": fingerprint(cluster)}
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
        from clusterpath.pathway import solve

        options = solve.options(model.model, time_limit=time_limit) | {"run_crossover": "off"}
        _, condition = solve.run(model.model, options, log_file=log)
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


def run(args, example: str, days: int, segments: int) -> dict:
    queue = mp.get_context("fork").Queue()
    name = label(days, segments)
    process = mp.get_context("fork").Process(
        target=case, args=(example, args.scenario, days, segments, args.periods, args.economies_of_scale,
                           args.time_limit, args.crossover, args.logs and args.logs / f"{example}-{name}.log",
                           args.members, queue))  # fmt: skip
    start = time.perf_counter()
    process.start()
    process.join(args.wall_limit)
    head = {"example": example, "days": days, "segments": segments}
    if process.is_alive():
        process.kill()
        process.join()
        return head | {"condition": f"killed at wall limit {args.wall_limit:g} s"}
    row = queue.get() if not queue.empty() else head | {"condition": f"crashed (exit {process.exitcode})"}
    return row | {"wall_s": round(time.perf_counter() - start, 1)}


def relative(value: float | None, full: float | None, floor: float) -> float | None:
    """(value - full) / full; None when either is missing or the reference figure is below ``floor``."""
    if value is None or full is None or abs(full) < floor:
        return None
    return (value - full) / full


def key(row: dict) -> tuple[int, int]:
    return row["days"], row.get("segments", HOURS_PER_DAY)


def references(rows: list[dict], reference: tuple[int, int]) -> dict:
    """The finished reference case of each example."""
    return {r["example"]: r for r in rows if key(r) == reference and "objective" in r}


def describe_reference(reference: tuple[int, int]) -> str:
    days, segments = reference
    if days >= FULL_YEAR:
        return "the full year (365 days x 24 hours)" if segments == HOURS_PER_DAY else \
            f"the 365 real days in {segments} segments each"
    return f"{days} typical days" + ("" if segments == HOURS_PER_DAY else f" x {segments} segments")


def errors(rows: list[dict], settings: dict) -> list[dict]:
    """Each finished resolution against the reference of its example: the rows of data/representation_error.csv."""
    reference = settings["reference"]
    full = references(rows, reference)
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
        if ref is None or "objective" not in r or key(r) == reference or r.get("fingerprint") != ref.get("fingerprint"):
            continue
        out.append({"example": r["example"], "fingerprint": r["fingerprint"], "typical_days": r["days"],
                    "segments": key(r)[1], "reference": describe_reference(reference),
                    "objective": relative(r["objective"], ref["objective"], 0.0),
                    **{name: relative(r[k], ref[k], 1.0) for name, k in FIGURES.items()},
                    "conditions": conditions, "source": source})  # fmt: skip
    return out


def _cell(row: dict, ref: dict, name: str, scale: float = 1.0, floor: float = 1.0) -> str:
    error = relative(row[name], ref.get(name), floor) if ref and row is not ref else None
    return f"{row[name] / scale:,.1f}" + (f" ({error:+.1%})" if error is not None else "")


def markdown(rows: list[dict], reference: tuple[int, int]) -> str:
    """The table of docs/timeseries.md: each finished case, its figures and their error against the reference."""
    full = references(rows, reference)
    header = ("| example | days x steps | variables | constraints | solve s | objective, M | storage MWh | "
              "renewables MW | electrolysis MW |")
    lines = [header, "|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    for r in sorted(rows, key=lambda r: (r["example"], *key(r))):
        name = f"{r['days']} x {key(r)[1]}"
        if "objective" not in r:
            lines.append(f"| {r['example']} | {name} | {r.get('variables', '')} | {r.get('constraints', '')} | | "
                         f"{r['condition']} | | | |")  # fmt: skip
            continue
        ref = full.get(r["example"], {})
        lines.append(f"| {r['example']} | {name} | {r['variables']:,} | {r['constraints']:,} | {r['solve_s']:,.0f} | "
                     f"{_cell(r, ref, 'objective', 1e6, 0.0)} | {_cell(r, ref, STORAGE)} | {_cell(r, ref, RENEWABLES)} "
                     f"| {_cell(r, ref, ELECTROLYSIS)} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", nargs="+", default=["hydrogen-hub", "geothermal-park", "industrial-estate",
                                                           "port-chemicals"])  # fmt: skip
    parser.add_argument("--days", nargs="+", type=resolution, default=[(d, HOURS_PER_DAY) for d in (1, 4, 12, 365)],
                        help="resolutions: DAYS (of 24 hours) or DAYSxSEGMENTS, e.g. 1 4 12 12x6 365")
    parser.add_argument("--reference", type=resolution, default=(FULL_YEAR, HOURS_PER_DAY),
                        help="the resolution the others are measured against (default 365, the full year)")
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
    parser.add_argument("--csv", type=Path, default=None, help="relative errors against the reference")
    args = parser.parse_args()

    settings = {"scenario": args.scenario or "net-zero-2050", "periods": args.periods, "members": args.members,
                "economies_of_scale": args.economies_of_scale, "reference": args.reference,
                "crossover": args.crossover, "command": " ".join(sys.argv),
                "commit": subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                                         text=True, check=False).stdout.strip()}  # fmt: skip
    rows = []
    args.out.parent.mkdir(parents=True, exist_ok=True)
    if args.logs:
        args.logs.mkdir(parents=True, exist_ok=True)
    rows += [json.loads(line) for line in args.out.read_text().splitlines()] if args.resume and args.out.exists() else []
    for example in args.examples:
        for days, segments in args.days:
            if any(r["example"] == example and key(r) == (days, segments) and "objective" in r for r in rows):
                continue
            row = run(args, example, days, segments) | settings
            rows.append(row)
            with args.out.open("a", encoding="utf-8") as handle:
                handle.write(json.dumps(row) + "\n")
            print(json.dumps(row), flush=True)
    print(markdown(rows, args.reference))
    if args.csv:
        import pandas as pd

        pd.DataFrame(errors(rows, settings)).to_csv(args.csv, index=False)


if __name__ == "__main__":
    main()
