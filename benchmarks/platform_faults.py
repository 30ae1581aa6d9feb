"""Issue 6, faults: (a) plan jobs submitted all at once each finish exactly once; (b) the server SIGKILLed
while jobs run, restarted, and every job accounted for. A real `clusterpath serve` on loopback.

    python benchmarks/platform_faults.py --out faults-sqlite.json
    python benchmarks/platform_faults.py --database-url postgresql://... --reset --out faults-pg.json

Exits 1 when a job is lost, stuck, run twice or failed without a reason. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

from platform_common import machine, postgres_version, prepare_database

from helpers.faults import Watcher, account, frozen_state, problems, running, seed, submit_at_once  # noqa: E402
from helpers.server import Server  # noqa: E402


def durations(jobs: dict[int, dict], ids: list[int]) -> dict:
    from datetime import datetime

    def seconds(a: str | None, b: str | None) -> float | None:
        return None if not (a and b) else round((datetime.fromisoformat(b) - datetime.fromisoformat(a)).total_seconds(), 1)

    runs = [seconds(jobs[i]["started_at"], jobs[i]["finished_at"]) for i in ids]
    runs = [r for r in runs if r is not None]
    return {"run_s_min": min(runs, default=None), "run_s_median": sorted(runs)[len(runs) // 2] if runs else None,
            "run_s_max": max(runs, default=None)}  # fmt: skip


def burst(args, url: str | None, folder: Path) -> dict:
    """(a) n plan jobs posted at once, waited for; none lost, none run twice."""
    prepare_database(url, args.reset)
    server = Server(folder / "burst", database_url=url).start()
    try:
        platform = seed(server.url)
        started = time.monotonic()
        responses = submit_at_once(platform, args.jobs)
        submit_s = time.monotonic() - started
        statuses = [r.status_code for r in responses]
        ids = [r.json()["id"] for r in responses if r.status_code == 202]
        watcher = Watcher(platform, start=started)
        finished = watcher.until_all_finished(ids, timeout=args.timeout)
        total_s = time.monotonic() - started
        summary = account(platform, ids)
    finally:
        server.kill()
    found = problems(summary) + ([] if finished else ["timed out before every job finished"])
    found += [f"{statuses.count(s)} submissions answered {s}" for s in sorted(set(statuses)) if s != 202]
    found += [f"job {i} logged {n} runs for {watcher.jobs[i]['attempts']} claims"
              for i, n in summary["runs_logged"].items() if n != watcher.jobs[i]["attempts"]]  # fmt: skip
    return {"jobs": args.jobs, "submit_all_s": round(submit_s, 2), "all_finished_s": round(total_s, 1),
            "input_versions": sorted({r.json()["input_version"] for r in responses if r.status_code == 202}),
            **durations(watcher.jobs, ids), "summary": summary, "problems": found}  # fmt: skip


def kills(args, url: str | None, folder: Path) -> dict:
    """(b) jobs queued, the server SIGKILLed mid-job args.kills times, restarted each time."""
    prepare_database(url, args.reset)
    server = Server(folder / "kills", database_url=url).start()
    database = url or f"sqlite:///{server.data_dir / 'clusterpath.db'}"
    cycles = []
    try:
        platform = seed(server.url)
        watcher = Watcher(platform)
        ids = [r.json()["id"] for r in submit_at_once(platform, args.kill_jobs)]
        watcher.note("submitted", jobs=ids)
        for cycle in range(args.kills):
            # Wait until a job has been computing a little while, so the kill lands inside the solve.
            if not watcher.until(lambda jobs: running(jobs), timeout=args.timeout):
                cycles.append({"cycle": cycle + 1, "skipped": "no job was running"})
                break
            time.sleep(args.kill_delay)
            server.kill()
            watcher.note("SIGKILL", pid=server.pid)
            left = frozen_state(database)
            stranded = {i: job["attempts"] for i, job in left.items() if job["status"] == "running"}
            watcher.note("left running by the dead server", jobs=stranded)
            restart = time.monotonic()
            server.start()
            watcher.note("restarted", pid=server.pid, ready_after_s=round(time.monotonic() - restart, 1))
            cycles.append({"cycle": cycle + 1, "left_running": stranded})
        finished = watcher.until_all_finished(ids, timeout=args.timeout)
        watcher.note("all finished" if finished else "timed out")
        summary = account(platform, ids)
        server_log = [line for line in server.log().splitlines() if "queued again" in line or "not run again" in line
                      or "interrupted" in line]  # fmt: skip
    finally:
        server.kill()
    found = problems(summary) + ([] if finished else ["timed out before every job finished"])
    interrupted = {int(i) for cycle in cycles for i in cycle.get("left_running", {})}
    unexplained = sorted(i for i in interrupted if i not in summary["requeued"] and i not in summary["failed"])
    if unexplained:
        found.append(f"interrupted jobs neither re-queued nor failed: {unexplained}")
    return {"jobs": args.kill_jobs, "kills": args.kills, "cycles": cycles, "timeline": watcher.timeline,
            "summary": summary, "server_log": server_log, "problems": found}  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", help="PostgreSQL URL (an empty database); SQLite in a temp folder if not")
    parser.add_argument("--reset", action="store_true", help="empty the PostgreSQL database first (drops its tables)")
    parser.add_argument("--jobs", type=int, default=20, help="plan jobs submitted at once in part (a)")
    parser.add_argument("--kill-jobs", type=int, default=6, help="plan jobs queued in part (b)")
    parser.add_argument("--kills", type=int, default=3, help="SIGKILL and restart cycles in part (b)")
    parser.add_argument("--kill-delay", type=float, default=1.0, help="seconds a job runs before the kill")
    parser.add_argument("--timeout", type=float, default=900.0, help="give up waiting after this many seconds")
    parser.add_argument("--parts", nargs="+", default=["burst", "kills"], choices=["burst", "kills"])
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    report = {"machine": machine(), "database": "postgresql" if args.database_url else "sqlite",
              "postgresql": postgres_version(args.database_url)}  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="clusterpath-faults-") as folder:
        if "burst" in args.parts:
            report["burst"] = burst(args, args.database_url, Path(folder))
            b = report["burst"]
            print(f"(a) {b['jobs']} plan jobs at once: all finished in {b['all_finished_s']} s "
                  f"(runs {b['run_s_min']}-{b['run_s_max']} s); {b['summary']['status']}, attempts "
                  f"{b['summary']['attempts']}; problems: {b['problems'] or 'none'}", flush=True)  # fmt: skip
        if "kills" in args.parts:
            report["kills"] = kills(args, args.database_url, Path(folder))
            k = report["kills"]
            for event in k["timeline"]:
                print(f"  {event['t']:7.2f} s  " + ", ".join(f"{key}={value}" for key, value in event.items()
                                                            if key != "t"))  # fmt: skip
            print(f"(b) {k['jobs']} jobs, {k['kills']} kills: {k['summary']['status']}, re-queued "
                  f"{k['summary']['requeued']}, failed {k['summary']['failed']}; problems: {k['problems'] or 'none'}")
    if args.out:
        args.out.write_text(json.dumps(report, indent=2, default=str))
    return 1 if any(report.get(part, {}).get("problems") for part in ("burst", "kills")) else 0


if __name__ == "__main__":
    sys.exit(main())
