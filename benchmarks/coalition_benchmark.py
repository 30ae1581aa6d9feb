"""Collaboration benchmark (issue 4): coalition costs by re-solving one model, exact and sampled Shapley.

Not a test: nothing is asserted. Three cases, selected with ``--cases``:

1. ``resolve``: the same K seeded random coalitions of the port example (14 members) costed by
   rebuilding each sub-cluster from scratch (``plan(..., baseline=False)``) and by re-solving one
   ``CoalitionModel`` built once: evaluations per second of each and their ratio. Only c(N) must
   agree (the coalition model shares the hub's potentials and prices cap shortfall, docs/model.md
   6.11); the ``--variants`` of the re-solve must agree with each other on every coalition.
2. ``exact``: exact Shapley of the port example's first 12 members (4,096 coalitions) through a
   ``ClusterGame`` solving the whole table in worker processes.
3. ``sampled``: sampled Shapley of 100 industrial-estate tenants (as ``pathway_benchmark.make_cluster``,
   grouped as ``clusterpath allocate`` groups them), in rounds of more permutations, until every
   player's 95% half-width is at most 1% of the collaboration dividend or a wall-clock budget is spent.

Every case (and, in case 1, every way of costing) runs in a fresh subprocess, one after the other,
so peak resident memories (``ru_maxrss``) never mix; a case killed at ``--wall-limit`` keeps what it
reported so far. Worker processes append one line per coalition solve to a log (see ``log_solves``),
which gives per-coalition times and the progress of a case that is stopped.

    .venv/bin/python benchmarks/coalition_benchmark.py --cases 1 2 3 --out results.json

See benchmarks/README.md and docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import resource
import signal
import subprocess
import sys
import time
import warnings
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version

import numpy as np

PORT = "port-chemicals"
CASES = {"1": "resolve", "2": "exact", "3": "sampled"}
# Ways of costing a coalition in case 1; cases 2 and 3 take the re-solve ones. "warm" is the library as
# it is; the others are diagnostics applied from here (see apply_variant), not library options.
VARIANTS = ("warm", "cold", "ipm", "highs")
TARGET_SHARE = 0.01  # case 3 stops once every half-width is at most this share of the dividend


# ----------------------------------------------------------------------------- inputs


def make_scenario(typical_days: int, economies_of_scale: bool):
    from clusterpath.io import load_scenario

    return load_scenario(None).model_copy(
        update={"typical_days": typical_days, "economies_of_scale": economies_of_scale}
    )


def make_cluster(case: dict):
    """The port example (optionally its first ``members``), or that many estate tenants."""
    from clusterpath import examples

    if case["cluster"] == PORT:
        cluster = examples.load(PORT)
        size = case.get("members") or len(cluster.members)
        return cluster.model_copy(update={"members": cluster.members[:size]})
    from pathway_benchmark import make_cluster as estate  # same folder: sys.path[0] when run as a script

    return estate(case["members"])


def random_coalitions(members: list[str], count: int, seed: int) -> list[list[str]]:
    """``count`` distinct coalitions of uniformly drawn sizes 1..n, members in cluster order.

    Distinct because a game memoises: a repeated coalition (N is drawn once in n) would cost a warm
    re-solve nothing and flatter its rate."""
    rng = np.random.default_rng(seed)
    out: list[list[str]] = []
    while len(out) < count:
        size = int(rng.integers(1, len(members) + 1))
        coalition = [members[i] for i in sorted(rng.choice(len(members), size, replace=False))]
        if coalition not in out:
            out.append(coalition)
    return out


def peak_mib(who=resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # Linux: KiB


# ------------------------------------------------------------------ instrumentation


def log_solves(path: str) -> None:
    """Append "end_time pid size seconds ok" for every ``CoalitionModel.cost`` call, here and in workers.

    ``ClusterGame`` hands each worker a whole batch at once, so nothing else shows progress or the time
    of one coalition. Workers are forked, so they inherit the wrapper; one short O_APPEND write per line
    keeps lines from different processes whole.
    """
    from clusterpath.pathway import coalition

    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    original = coalition.CoalitionModel.cost

    def cost(self, members):
        members = list(members)
        start, ok = time.perf_counter(), False
        try:
            value = original(self, members)
            ok = True
            return value
        finally:
            line = f"{time.time():.3f} {os.getpid()} {len(members)} {time.perf_counter() - start:.4f} {int(ok)}\n"
            os.write(fd, line.encode())

    coalition.CoalitionModel.cost = cost


def apply_variant(variant: str) -> None:
    """Change how every CoalitionModel re-solves (diagnostics only; "warm" leaves the library alone).

    cold: forget the previous basis before each coalition, to tell what the warm start is worth.
    ipm: interior point with crossover for every coalition, as ``PathwayModel.solve`` does for LPs.
    highs: with size classes, HiGHS's own branch and bound for every coalition (as before the tree of warm
    re-solves, ``pathway.branch``); no first plan or start.
    """
    from clusterpath.pathway import coalition

    model = coalition.CoalitionModel
    if variant == "cold":
        cost = model.cost

        def cold_cost(self, members):
            self.highs.clearSolver()
            return cost(self, members)

        model.cost = cold_cost
    elif variant == "ipm":
        init = model.__init__

        def ipm_init(self, *args, **kwargs):
            init(self, *args, **kwargs)
            self.highs.setOptionValue("solver", "ipm")
            self.highs.setOptionValue("run_crossover", "on")

        model.__init__ = ipm_init
    elif variant == "highs":
        init = model.__init__

        def highs_init(self, *args, **kwargs):
            init(self, *args, **kwargs)
            self.max_nodes = 0

        model.__init__ = highs_init


def read_log(path: str) -> np.ndarray:
    """Rows of (end_time, pid, size, seconds, ok) from ``log_solves``."""
    if not os.path.exists(path) or os.path.getsize(path) == 0:
        return np.empty((0, 5))
    return np.atleast_2d(np.loadtxt(path))


def log_summary(rows: np.ndarray, since: float | None = None) -> dict:
    """Solves, failures and times; the rate is over all processes, from the first solve's start to the last's end."""
    if since is not None:
        rows = rows[rows[:, 0] >= since]
    if not len(rows):
        return {"solves": 0}
    seconds, ok = rows[:, 3], rows[:, 4] == 1
    span = rows[:, 0].max() - (rows[:, 0] - rows[:, 3]).min()
    return {
        "solves": len(rows),
        "failed": int((~ok).sum()),
        "processes": len(np.unique(rows[:, 1])),
        "solve_s_mean": float(seconds.mean()),
        "solve_s_median": float(np.median(seconds)),
        "solve_s_max": float(seconds.max()),
        "solves_per_s": float(len(rows) / span) if span > 0 else None,
        "largest_failed_size": int(rows[~ok, 2].max()) if (~ok).any() else None,
    }


# ------------------------------------------------------------------ case 1: re-solve versus rebuild


def run_resolve(case: dict, report) -> None:
    """One CoalitionModel built once, then ``cost(S)`` for every coalition, each timed."""
    from clusterpath.pathway.build import NetworkBuilder
    from clusterpath.pathway.coalition import CoalitionModel

    t0 = time.perf_counter()
    network = NetworkBuilder(
        make_cluster(case), make_scenario(case["typical_days"], case["economies_of_scale"])
    ).build()
    t1 = time.perf_counter()
    model = CoalitionModel(network)
    t2 = time.perf_counter()
    report(
        network_build_s=t1 - t0,
        coalition_model_build_s=t2 - t1,
        columns=model.highs.getNumCol(),
        rows=model.highs.getNumRow(),
        peak_mib_after_build=peak_mib(),
    )
    evaluate_each(case["coalitions"], model.cost, report)
    report(tree_sizes=list(model.tree_sizes))  # LPs of each coalition's tree (0: HiGHS's branch and bound)
    check_grand(lambda: model.cost(model.members), report)


def run_rebuild(case: dict, report) -> None:
    """Each coalition as a cluster of its own, built and solved from scratch by ``plan``."""
    from clusterpath.pathway.plan import plan

    cluster, scenario = make_cluster(case), make_scenario(case["typical_days"], case["economies_of_scale"])
    build_s = []

    def rebuilt(coalition: list[str]) -> float:
        marks = {}
        start = time.perf_counter()
        sub = cluster.model_copy(update={"members": [m for m in cluster.members if m.id in set(coalition)]})
        result = plan(sub, scenario, baseline=False, step=lambda name: marks.setdefault(name, time.perf_counter()))
        build_s.append(marks["solve"] - start)  # network + linopy model, up to handing it to HiGHS
        return result.objective

    evaluate_each(case["coalitions"], rebuilt, report, build_s=build_s)
    check_grand(lambda: plan(cluster, scenario, baseline=False).objective, report)


def check_grand(cost, report) -> None:
    """c(N) once more, outside the timed list: the one coalition whose re-solved cost must equal ``plan``'s
    (for the others the coalition model shares hub potentials and lets a coalition buy cap shortfall,
    docs/model.md 6.11, so a sub-cluster planned from scratch is a different problem)."""
    start = time.perf_counter()
    report(grand_cost=float(cost()), grand_s=time.perf_counter() - start)


def evaluate_each(coalitions: list[list[str]], cost, report, build_s: list | None = None) -> None:
    """Cost every coalition in the given order; a failed solve is recorded, not fatal."""
    costs, seconds, cpu_seconds, errors = [], [], [], {}
    for k, coalition in enumerate(coalitions):
        start, cpu = time.perf_counter(), time.process_time()  # CPU of every thread (HiGHS runs in one)
        try:
            costs.append(float(cost(coalition)))
        except Exception as error:  # noqa: BLE001 - a benchmark reports what went wrong and goes on
            costs.append(None)
            errors[k] = f"{type(error).__name__}: {str(error)[-160:]}"
        seconds.append(time.perf_counter() - start)
        cpu_seconds.append(time.process_time() - cpu)
        extra = {"build_s": build_s} if build_s is not None else {}
        report(costs=costs, seconds=seconds, cpu_seconds=cpu_seconds, errors=errors, evaluated=len(costs),
               peak_mib=peak_mib(), **extra)  # fmt: skip


def relative_differences(a: list, b: list) -> np.ndarray:
    """(b - a) / |a| for the coalitions both costed."""
    pairs = np.array([(x, y) for x, y in zip(a, b, strict=False) if x is not None and y is not None], dtype=float)
    return (pairs[:, 1] - pairs[:, 0]) / np.maximum(np.abs(pairs[:, 0]), 1.0) if len(pairs) else np.array([])


def compare_resolve(rebuild: dict, resolve: dict, reference: dict | None) -> dict:
    """Rates and their ratio; c(S) against ``plan`` (signed: above zero, the coalition model costs more), c(N)
    against ``plan``, and every coalition against the reference variant's (warm start must not change a cost)."""
    out = {}
    for name, r in (("rebuild", rebuild), ("resolve", resolve)):
        total = sum(r.get("seconds", []))
        out[f"{name}_per_s"] = len(r.get("seconds", [])) / total if total else None
    build = resolve.get("coalition_model_build_s", 0.0) + resolve.get("network_build_s", 0.0)
    total = sum(resolve.get("seconds", []))
    out["resolve_per_s_with_build"] = len(resolve.get("seconds", [])) / (total + build) if total else None
    if out["rebuild_per_s"] and out["resolve_per_s"]:
        out["speedup"] = out["resolve_per_s"] / out["rebuild_per_s"]
    # Per coalition costed both ways (a rebuild stopped at the wall limit, or infeasible, leaves some out).
    both = [k for k, (x, y) in enumerate(zip(rebuild.get("costs", []), resolve.get("costs", []), strict=False))
            if x is not None and y is not None]  # fmt: skip
    for unit, key in (("wall", "seconds"), ("cpu", "cpu_seconds")):
        spent = [sum(r[key][k] for k in both) if key in r else 0.0 for r in (rebuild, resolve)]
        if both and all(spent):
            out[f"rebuild_{unit}_s"], out[f"resolve_{unit}_s"] = spent
            out[f"speedup_{unit}_same_coalitions"] = spent[0] / spent[1]
    diff = relative_differences(rebuild.get("costs", []), resolve.get("costs", []))
    out["compared"] = len(diff)
    if len(diff):
        out.update(
            max_rel_diff=float(np.abs(diff).max()), min_signed_diff=float(diff.min()), max_signed_diff=float(diff.max())
        )
    if rebuild.get("grand_cost") is not None and resolve.get("grand_cost") is not None:
        out["grand_rel_diff"] = float(np.abs(relative_differences([rebuild["grand_cost"]], [resolve["grand_cost"]]))[0])
    if reference is not None and reference is not resolve:
        diff = relative_differences(reference.get("costs", []), resolve.get("costs", []))
        out["max_rel_diff_vs_first_variant"] = float(np.abs(diff).max()) if len(diff) else None
    return out


# ------------------------------------------------------------------ cases 2 and 3: games


def build_game(case: dict, report):
    """The game as ``clusterpath allocate`` builds it: alike members grouped above AUTO_GROUP_MEMBERS, unless
    ``group_members`` says otherwise; the players are the members either way."""
    from clusterpath.coalition.cluster_game import ClusterGame
    from clusterpath.pathway.build import NetworkBuilder
    from clusterpath.pathway.groups import AUTO_GROUP_MEMBERS, group, member_groups

    t0 = time.perf_counter()
    full = NetworkBuilder(make_cluster(case), make_scenario(case["typical_days"], case["economies_of_scale"])).build()
    grouped = case.get("group_members")
    if grouped is None:
        grouped = case["members"] > AUTO_GROUP_MEMBERS
    network = group(full, member_groups(full)) if grouped else full
    t1 = time.perf_counter()
    game = ClusterGame(network, full=full if grouped else None, workers=case["workers"])  # the parent's model
    t2 = time.perf_counter()
    report(
        players=game.n,
        grouped=grouped,
        groups=len(network.meta.get("groups", {})),
        nodes=len(game.model.nodes),
        network_build_s=t1 - t0,
        game_build_s=t2 - t1,
        peak_mib_after_build=peak_mib(),
        start_method=multiprocessing.get_start_method(),
    )
    return game


def run_exact(case: dict, report) -> None:
    """``allocate(game, "shapley")``: the full 2^n table through the workers, then the exact formula."""
    from clusterpath.coalition import allocate

    with build_game(case, report) as game:
        start = time.perf_counter()
        try:
            result = allocate(game, "shapley")
        except Exception as error:
            report(
                error=f"{type(error).__name__}: {str(error)[-300:]}",
                failed_after_s=time.perf_counter() - start,
                evaluated=game.evaluated,
            )
            raise
        wall = time.perf_counter() - start
    report(
        shapley_s=wall,
        evaluated=game.evaluated,
        worker_s_per_coalition=wall * case["workers"] / max(game.evaluated, 1),
        total=result.total,
        dividend=sum(result.standalone.values()) - result.total,
        in_core=result.in_core,
        blocking_coalition=result.blocking_coalition,
        standalone=result.standalone,
        allocation=result.allocation,
        peak_mib=peak_mib(),
        workers_peak_mib=peak_mib(resource.RUSAGE_CHILDREN),  # the pool has been shut down and waited for
    )


def run_sampled(case: dict, report) -> None:
    """Sampled Shapley in rounds: each round asks for more permutations from the same seed, so it starts
    with the same orders as the last (``rng.permuted`` shuffles row by row) and the game's memo solves only
    the new prefixes. Stops at the target, or before a round that would not fit the budget at the rate so far."""
    from clusterpath.coalition import allocate

    start = time.perf_counter()
    rounds = []
    with build_game(case, report) as game:
        try:
            t0 = time.perf_counter()
            standalone = game.standalone()  # in the workers (each builds its model first)
            t1 = time.perf_counter()
            total = game.total  # one coalition: solved in this process
            t2 = time.perf_counter()
            dividend = float(standalone.sum() - total)
            report(standalone_s=t1 - t0, grand_s=t2 - t1, total=total, dividend=dividend)
            samples = case["first_samples"]
            while True:
                r0, solved = time.perf_counter(), game.evaluated
                result = allocate(game, "shapley", samples=samples, seed=case["seed"])
                rounds.append(
                    round_report(
                        result,
                        dividend,
                        samples,
                        time.perf_counter() - r0,
                        game.evaluated - solved,
                        time.perf_counter() - start,
                    )
                )
                report(rounds=rounds, evaluated=game.evaluated, peak_mib=peak_mib())
                if rounds[-1]["target_met"]:
                    break
                samples = next_samples(samples, rounds, case["budget"] - (time.perf_counter() - start))
                if samples is None:
                    break
        except Exception as error:
            report(
                error=f"{type(error).__name__}: {str(error)[-300:]}",
                failed_after_s=time.perf_counter() - start,
                evaluated=game.evaluated,
            )
            raise
    report(sampled_s=time.perf_counter() - start, workers_peak_mib=peak_mib(resource.RUSAGE_CHILDREN))


def round_report(result, dividend: float, samples: int, seconds: float, solved: int, elapsed: float) -> dict:
    half = np.array(list(result.ci95.values()))
    share = half / dividend if dividend > 0 else np.full(len(half), np.inf)
    return {
        "samples": result.samples,
        "asked": samples,
        "round_s": seconds,
        "elapsed_s": elapsed,
        "new_coalitions": solved,
        "coalitions_per_s": solved / seconds if seconds > 0 else None,
        "max_half_width_pct": 100 * float(share.max()),
        "median_half_width_pct": 100 * float(np.median(share)),
        "target_met": bool(share.max() <= TARGET_SHARE),
    }


def next_samples(samples: int, rounds: list[dict], left_s: float) -> int | None:
    """Double the permutations, or fewer if that would overrun the budget; None if not even two more fit."""
    done = [r for r in rounds if r["new_coalitions"]]
    if not done:
        return 2 * samples
    seconds_per_order = sum(r["round_s"] for r in done) / sum(r["samples"] for r in done)
    affordable = samples + 2 * int(left_s / seconds_per_order / 2)
    best = min(2 * samples, affordable)
    return best if best >= samples + 2 else None


# ------------------------------------------------------------------------------ driver


def child(kind: str, case: dict, partial_path: str) -> None:
    warnings.filterwarnings("ignore")  # linopy's semantics notices about the size-class masks
    results: dict = {}

    def report(**values):
        results.update(values)
        with open(partial_path, "w") as f:
            json.dump(results, f)

    log_solves(case["log"])
    apply_variant(case.get("variant", "warm"))
    {"rebuild": run_rebuild, "resolve": run_resolve, "exact": run_exact, "sampled": run_sampled}[kind](case, report)


def run_child(kind: str, case: dict, wall_limit: float | None) -> dict:
    tag = f"{os.getpid()}-{kind}-{case.get('variant', '')}-{case.get('workers', '')}"
    partial, log = f"/tmp/coalition-benchmark-{tag}.json", f"/tmp/coalition-benchmark-{tag}.log"
    for path in (partial, log):
        if os.path.exists(path):
            os.remove(path)
    case = {**case, "log": log}
    command = [sys.executable, __file__, "--child", kind, json.dumps(case), partial]
    t0 = time.perf_counter()
    started = time.time()
    # Its own session, so a kill at the wall limit also ends the game's worker processes.
    proc = subprocess.Popen(command, start_new_session=True)
    try:
        code = proc.wait(timeout=wall_limit)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        code = "killed (wall limit)"
    out = {}
    if os.path.exists(partial):
        with open(partial) as f:
            out = json.load(f)
    out.update(
        kind=kind,
        exit=code,
        subprocess_wall_s=time.perf_counter() - t0,
        solve_log=log,
        solve_log_summary=log_summary(read_log(log), since=started),
    )
    return out


def resolve_case(args) -> dict:
    from clusterpath import examples

    members = [m.id for m in examples.load(PORT).members]
    case = {
        "cluster": PORT,
        "typical_days": args.typical_days,
        "economies_of_scale": args.economies_of_scale,
        "coalitions": random_coalitions(members, args.coalitions, args.seed),
    }
    rebuild = run_child("rebuild", case, args.wall_limit)
    print(json.dumps({"case": 1, "rebuild": summary(rebuild)}), flush=True)
    row = {
        "case": "resolve",
        "settings": {k: v for k, v in case.items() if k != "coalitions"},
        "coalitions": case["coalitions"],
        "rebuild": rebuild,
        "variants": {},
    }
    reference = None
    for variant in args.variants:
        resolve = run_child("resolve", {**case, "variant": variant}, args.wall_limit)
        reference = reference or resolve
        row["variants"][variant] = {"resolve": resolve, **compare_resolve(rebuild, resolve, reference)}
        print(json.dumps({"case": 1, "variant": variant, **summary(row["variants"][variant])}), flush=True)
    return row


def game_case(kind: str, args, workers: int, variant: str) -> dict:
    case = {
        "typical_days": args.typical_days,
        "economies_of_scale": args.economies_of_scale,
        "workers": workers,
        "variant": variant,
        "seed": args.seed,
    }
    if kind == "exact":
        case.update(cluster=PORT, members=args.exact_members)
    else:
        case.update(
            cluster="industrial-estate",
            members=args.sampled_members,
            group_members=args.group_members,
            budget=args.budget,
            first_samples=args.first_samples,
        )
    result = run_child(kind, case, args.wall_limit)
    print(json.dumps({"case": kind, "workers": workers, "variant": variant, **summary(result)}), flush=True)
    return {"case": kind, "settings": case, "result": result}


def summary(values: dict) -> dict:
    """A row without its long lists, for the progress lines."""
    return {k: v for k, v in values.items() if not isinstance(v, list | dict) or k == "solve_log_summary"}


def metadata() -> dict:
    meta = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": " ".join(sys.argv),
        "python": platform.python_version(),
        "machine": platform.platform(),
        "cpus": os.cpu_count(),
        "load_average_at_start": os.getloadavg(),
        **source_state(),
    }
    for package in ("highspy", "linopy", "numpy"):
        try:
            meta[package] = version(package)  # highspy has no __version__
        except PackageNotFoundError:
            meta[package] = None
    return meta


def source_state() -> dict:
    """The commit measured, and any uncommitted change under src/ (it would make the figures unrepeatable)."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

    def git(*args: str) -> str:
        return subprocess.run(["git", "-C", root, *args], check=False, capture_output=True, text=True).stdout.strip()

    return {
        "commit": git("rev-parse", "HEAD"),
        "uncommitted_src": git("status", "--porcelain", "--", "src").splitlines(),
    }


def fmt(x, spec=".2f"):
    return "-" if x is None else format(x, spec)


def print_tables(rows: list[dict]) -> None:
    for row in rows:
        print()
        if row["case"] == "resolve":
            print_resolve(row)
        elif row["case"] == "exact":
            print_exact(row)
        else:
            print_sampled(row)


def print_resolve(row: dict) -> None:
    s, rebuild = row["settings"], row["rebuild"]
    print(
        f"1. re-solve vs rebuild: {PORT}, {len(row['coalitions'])} coalitions, {s['typical_days']} typical day(s), "
        f"economies of scale {'on' if s['economies_of_scale'] else 'off'}"
    )
    print(
        f"{'variant':>8} {'build s':>7} {'eval/s':>7} {'w/ build':>8} {'rebuild/s':>9} {'speedup':>7} {'CPU x':>6} "
        f"{'c(S)/plan(S)-1':>17} {'c(N) diff':>9} {'vs first':>8} {'failed':>6} {'peak MiB':>8}"
    )
    for name, v in row["variants"].items():
        r = v["resolve"]
        build = r.get("network_build_s", 0.0) + r.get("coalition_model_build_s", 0.0)
        signed = f"{fmt(v.get('min_signed_diff'), '+.1e')}..{fmt(v.get('max_signed_diff'), '+.1e')}"
        print(
            f"{name:>8} {fmt(build):>7} {fmt(v.get('resolve_per_s'), '.3f'):>7} "
            f"{fmt(v.get('resolve_per_s_with_build'), '.3f'):>8} {fmt(v.get('rebuild_per_s'), '.3f'):>9} "
            f"{fmt(v.get('speedup')):>7} {fmt(v.get('speedup_cpu_same_coalitions')):>6} {signed:>17} "
            f"{fmt(v.get('grand_rel_diff'), '.0e'):>9} "
            f"{fmt(v.get('max_rel_diff_vs_first_variant'), '.0e'):>8} {len(r.get('errors', {})):>6} "
            f"{fmt(r.get('peak_mib'), '.0f'):>8}"
        )
    if rebuild.get("errors"):
        print(f"  ! rebuild failed for {len(rebuild['errors'])} coalitions")
    if rebuild.get("build_s"):
        print(
            f"  rebuild: {np.mean(rebuild['build_s']):.2f} s build + "
            f"{np.mean(rebuild['seconds']) - np.mean(rebuild['build_s']):.2f} s solve per coalition (mean)"
        )


def print_exact(row: dict) -> None:
    s, r = row["settings"], row["result"]
    log = r.get("solve_log_summary", {})
    print(f"2. exact Shapley: {PORT} first {s['members']} members, workers={s['workers']}, variant {s['variant']}")
    print(
        f"{'build s':>8} {'shapley s':>9} {'solved':>7} {'worker s/coal':>13} {'solve s mean':>12} "
        f"{'dividend':>14} {'in core':>7} {'exit':>6}"
    )
    print(
        f"{fmt(r.get('game_build_s')):>8} {fmt(r.get('shapley_s'), '.0f'):>9} "
        f"{r.get('evaluated', log.get('solves', '-')):>7} {fmt(r.get('worker_s_per_coalition')):>13} "
        f"{fmt(log.get('solve_s_mean')):>12} {fmt(r.get('dividend'), ',.0f'):>14} {r.get('in_core')!s:>7} "
        f"{r.get('exit')!s:>6}"
    )
    if r.get("error"):
        print(f"  ! {r['error']}")


def print_sampled(row: dict) -> None:
    s, r = row["settings"], row["result"]
    print(
        f"3. sampled Shapley: {s['members']} estate tenants ({r.get('nodes', '?')} nodes after grouping), "
        f"workers={s['workers']}, variant {s['variant']}, "
        f"budget {s['budget']:.0f} s; build {fmt(r.get('network_build_s'))} + {fmt(r.get('game_build_s'))} s, "
        f"stand-alone {fmt(r.get('standalone_s'), '.0f')} s, grand {fmt(r.get('grand_s'), '.0f')} s, "
        f"dividend {fmt(r.get('dividend'), ',.0f')}"
    )
    print(
        f"{'samples':>7} {'elapsed s':>9} {'new coal':>8} {'coal/s':>7} {'max hw %':>8} {'median hw %':>11} {'met':>4}"
    )
    for x in r.get("rounds", []):
        print(
            f"{x['samples']:>7} {x['elapsed_s']:>9.0f} {x['new_coalitions']:>8} {fmt(x['coalitions_per_s']):>7} "
            f"{x['max_half_width_pct']:>8.2f} {x['median_half_width_pct']:>11.2f} {x['target_met']!s:>4}"
        )
    log = r.get("solve_log_summary", {})
    print(
        f"  solve log: {log.get('solves', 0)} solves ({log.get('failed', 0)} failed), "
        f"{fmt(log.get('solves_per_s'), '.3f')}/s, mean {fmt(log.get('solve_s_mean'))} s; exit {r.get('exit')}"
    )
    if r.get("error"):
        print(f"  ! {r['error']}")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--cases",
        nargs="+",
        choices=sorted(CASES),
        default=sorted(CASES),
        help="1 re-solve vs rebuild, 2 exact Shapley (12 members), 3 sampled Shapley (100 members)",
    )
    parser.add_argument("--typical-days", type=int, default=1)
    parser.add_argument(
        "--economies-of-scale",
        action=argparse.BooleanOptionalAction,
        default=False,
        help="size classes (a MILP); off: an LP",
    )
    parser.add_argument("--coalitions", type=int, default=20, help="case 1: random coalitions (K)")
    parser.add_argument("--seed", type=int, default=4, help="coalitions (case 1) and permutations (case 3)")
    parser.add_argument(
        "--variants",
        nargs="+",
        choices=VARIANTS,
        default=["warm"],
        help="how coalitions are re-solved: warm (the library as is), cold (no basis kept), highs (HiGHS's "
        "branch and bound for every coalition with size classes), "
        "ipm (interior point + crossover); diagnostics besides warm",
    )
    parser.add_argument("--workers", type=int, nargs="+", default=[2], help="cases 2 and 3: worker processes")
    parser.add_argument("--exact-members", type=int, default=12)
    parser.add_argument("--sampled-members", type=int, default=100)
    parser.add_argument(
        "--group-members",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="case 3: solve alike members as groups (default: as `clusterpath allocate`, above 50 members)",
    )
    parser.add_argument("--budget", type=float, default=1200.0, help="case 3: wall-clock budget for sampling, s")
    parser.add_argument("--first-samples", type=int, default=4, help="case 3: permutations of the first round")
    parser.add_argument("--wall-limit", type=float, default=None, help="kill a case's subprocess after this, s")
    parser.add_argument("--out", default="results.json")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child[0], json.loads(args.child[1]), args.child[2])
        return

    meta, rows = metadata(), []

    def save(row: dict) -> None:
        rows.append(row)
        with open(args.out, "w") as f:
            json.dump({"meta": meta, "rows": rows}, f, indent=2)

    for number in sorted(args.cases):
        if CASES[number] == "resolve":
            save(resolve_case(args))
            continue
        for workers in args.workers:
            for variant in args.variants:
                save(game_case(CASES[number], args, workers, variant))
    print_tables(rows)


if __name__ == "__main__":
    main()
