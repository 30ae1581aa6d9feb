"""Issue 6, load: latency of the platform's read endpoints with many concurrent users, against a real
`clusterpath serve` on loopback.

The server is seeded through the API with the port-chemicals example (14 members, each member's data
uploaded), a finished plan (scope-1-net-zero-2050, 1 typical day) and a finished inventory, and --users accounts
(2 coordinators, one observer in seven, the rest members spread over the companies), each logged in with
its own session token. Each user then loops for --duration seconds over a weighted mix of the read
endpoints its role may use, with a think time drawn uniformly from 0 to twice --think between requests
(--think 0: back-to-back requests, the saturation case). The first --warmup seconds are not counted.

    python benchmarks/platform_load.py --out load-sqlite.json
    python benchmarks/platform_load.py --think 0 --out load-sqlite-saturated.json
    python benchmarks/platform_load.py --database-url postgresql://... --reset --out load-pg.json

See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import httpx
import psutil
import yaml
from platform_common import machine, postgres_version, prepare_database

from helpers.server import Server  # noqa: E402

API = "/api/v1"
SLUG = "port"
PASSWORD = "a benchmark user's password"
EXAMPLE = "port-chemicals"
PLAN = {"scenario": "scope-1-net-zero-2050", "typical_days": 1}

# (name, path template, weight); {own} is the caller's company (a random one for a coordinator).
ENDPOINTS = [
    ("cluster", "/clusters/{slug}", 15),
    ("members", "/clusters/{slug}/members", 10),
    ("own versions", "/clusters/{slug}/members/{own}/versions", 8),
    ("own data", "/clusters/{slug}/members/{own}/versions/1", 8),
    ("aggregates by sector", "/clusters/{slug}/aggregates/emissions?by=sector", 6),
    ("aggregates by carrier", "/clusters/{slug}/aggregates/emissions?by=carrier", 4),
    ("jobs", "/clusters/{slug}/jobs", 12),
    ("results", "/clusters/{slug}/results", 12),
    ("plan result", "/clusters/{slug}/results/{plan}", 15),
    ("inventory result", "/clusters/{slug}/results/{inventory}", 5),
]


@dataclass
class User:
    email: str
    role: str
    member: str | None
    token: str = ""


@dataclass
class Seeded:
    users: list[User]
    members: list[str]
    results: dict[str, int]
    seconds: dict[str, float] = field(default_factory=dict)


def example() -> dict:
    return yaml.safe_load(resources.files("clusterpath.data").joinpath("examples", f"{EXAMPLE}.yaml").read_text())


def _ok(response: httpx.Response, *codes: int) -> dict:
    if response.status_code not in (codes or (200, 201)):
        raise RuntimeError(f"{response.request.method} {response.request.url.path}: {response.status_code} "
                           f"{response.text[:500]}")  # fmt: skip
    return response.json() if response.content else {}


def _register(url: str, user: User) -> str:
    with httpx.Client(base_url=url, timeout=120) as client:
        _ok(client.post(f"{API}/auth/register", json={"email": user.email, "name": user.email.split("@")[0],
                                                       "password": PASSWORD}))  # fmt: skip
        return _ok(client.post(f"{API}/auth/login", json={"email": user.email, "password": PASSWORD}))["token"]


def seed(url: str, n_users: int) -> Seeded:
    """Everything the users will read, made through the API as a coordinator and the members would."""
    timings = {}
    started = time.monotonic()
    data = example()
    members = [m.pop("id") for m in data["members"]]
    bodies = dict(zip(members, data.pop("members")))
    description = {k: v for k, v in data.items() if k not in ("id", "name")}
    coordinator = User("coordinator-0@example.org", "coordinator", None)
    coordinator.token = _register(url, coordinator)
    client = httpx.Client(base_url=url, timeout=120, headers={"Authorization": f"Bearer {coordinator.token}"})
    base = f"{API}/clusters/{SLUG}"
    _ok(client.post(f"{API}/clusters", json={"slug": SLUG, "name": data["name"], "k": 3, "description": description}))
    for key in members:
        _ok(client.post(f"{base}/members", json={"key": key, "name": bodies[key]["name"]}))
        _ok(client.put(f"{base}/members/{key}/data", json=bodies[key]))
    timings["cluster_and_data_s"] = time.monotonic() - started

    jobs = {kind: _ok(client.post(f"{base}/jobs", json={"kind": kind, "options": options}), 202)["id"]
            for kind, options in (("plan", PLAN), ("inventory", {}))}  # fmt: skip

    # The users register while the plan is solving: both take a while, and the plan uses one core.
    users = [coordinator, User("coordinator-1@example.org", "coordinator", None)]
    observers = max(1, n_users // 7)
    users += [User(f"observer-{i}@example.org", "observer", None) for i in range(observers)]
    users += [User(f"member-{i}@example.org", "member", members[i % len(members)])
              for i in range(n_users - len(users))]  # fmt: skip
    codes = {}
    for user in users[1:]:
        body = {"email": user.email, "role": user.role} | ({"member": user.member} if user.member else {})
        codes[user.email] = _ok(client.post(f"{base}/invitations", json=body), 201)["code"]
    started_users = time.monotonic()
    with ThreadPoolExecutor(4) as pool:
        tokens = list(pool.map(lambda u: _register(url, u), users[1:]))
    for user, token in zip(users[1:], tokens):
        user.token = token
        _ok(client.post(f"{API}/invitations/accept", json={"code": codes[user.email]},
                        headers={"Authorization": f"Bearer {token}"}))  # fmt: skip
    timings["users_s"] = time.monotonic() - started_users

    deadline = time.monotonic() + 900
    while True:
        states = {kind: _ok(client.get(f"{base}/jobs/{i}")) for kind, i in jobs.items()}
        if all(s["status"] in ("done", "failed") for s in states.values()):
            break
        if time.monotonic() > deadline:
            raise RuntimeError(f"the seeding jobs did not finish: {states}")
        time.sleep(1)
    failed = {kind: s["error"] for kind, s in states.items() if s["status"] != "done"}
    if failed:
        raise RuntimeError(f"a seeding job failed: {failed}")
    listing = _ok(client.get(f"{base}/results"))
    results = {kind: next(r["id"] for r in listing if r["job"] == i) for kind, i in jobs.items()}
    timings["total_s"] = time.monotonic() - started
    client.close()
    return Seeded(users, members, results, {k: round(v, 1) for k, v in timings.items()})


def choices_for(user: User) -> list[tuple[str, str, int]]:
    if user.role == "observer":
        return [e for e in ENDPOINTS if "{own}" not in e[1]]
    return ENDPOINTS


async def one_user(user: User, seeded: Seeded, url: str, args, t0: float, records: list, rng: random.Random) -> None:
    endpoints = choices_for(user)
    weights = [w for *_, w in endpoints]
    headers = {"Authorization": f"Bearer {user.token}"}
    end = t0 + args.warmup + args.duration
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=60,
                                 limits=httpx.Limits(max_connections=1)) as client:  # fmt: skip
        # Users arrive spread over the first second (or think time), not as one thundering herd.
        await asyncio.sleep(rng.uniform(0, max(1.0, args.think)))
        while time.monotonic() < end:
            name, template, _ = rng.choices(endpoints, weights)[0]
            own = user.member or rng.choice(seeded.members)
            path = API + template.format(slug=SLUG, own=own, plan=seeded.results["plan"],
                                         inventory=seeded.results["inventory"])  # fmt: skip
            start = time.monotonic()
            try:
                response = await client.get(path)
                status, size = response.status_code, len(response.content)
            except httpx.HTTPError as error:
                status, size = type(error).__name__, 0
            elapsed = time.monotonic() - start
            if start >= t0 + args.warmup and start < end:
                records.append((name, user.role, status, elapsed, size))
            if args.think > 0:
                await asyncio.sleep(rng.uniform(0, 2 * args.think))


def percentiles(values: list[float]) -> dict:
    if not values:
        return {}
    ordered = sorted(values)

    def rank(p: float) -> float:
        # Nearest rank: the smallest value with at least p % of the values at or below it.
        return ordered[max(0, min(len(ordered) - 1, int(-(-p * len(ordered) // 100)) - 1))]

    return {"n": len(ordered), "p50_ms": round(rank(50) * 1000, 1), "p95_ms": round(rank(95) * 1000, 1),
            "p99_ms": round(rank(99) * 1000, 1), "max_ms": round(ordered[-1] * 1000, 1),
            "mean_ms": round(sum(ordered) / len(ordered) * 1000, 1)}  # fmt: skip


def summarise(records: list, seconds: float) -> dict:
    ok = [r for r in records if r[2] == 200]
    errors = [r for r in records if r[2] != 200]
    by_endpoint = {}
    for name, *_ in ENDPOINTS:
        mine = [r for r in records if r[0] == name]
        by_endpoint[name] = percentiles([r[3] for r in mine if r[2] == 200]) | {
            "errors": sum(1 for r in mine if r[2] != 200),
            "mean_bytes": round(sum(r[4] for r in mine) / len(mine)) if mine else 0}  # fmt: skip
    by_role = {role: percentiles([r[3] for r in ok if r[1] == role]) for role in ("coordinator", "member", "observer")}
    error_kinds = {}
    for r in errors:
        error_kinds[f"{r[0]}: {r[2]}"] = error_kinds.get(f"{r[0]}: {r[2]}", 0) + 1
    return {"requests": len(records), "errors": len(errors), "error_kinds": error_kinds,
            "throughput_rps": round(len(records) / seconds, 1), "overall": percentiles([r[3] for r in ok]),
            "by_endpoint": by_endpoint, "by_role": by_role}  # fmt: skip


def cpu_seconds(process: psutil.Process) -> float:
    times = process.cpu_times()
    return times.user + times.system


async def load(url: str, seeded: Seeded, args, server_pid: int) -> dict:
    records: list = []
    server = psutil.Process(server_pid)
    me = psutil.Process()
    rng = random.Random(args.seed)
    t0 = time.monotonic()
    tasks = [one_user(user, seeded, url, args, t0, records, random.Random(rng.random())) for user in seeded.users]

    async def measure() -> dict:
        await asyncio.sleep(args.warmup)
        before = (cpu_seconds(server), cpu_seconds(me), time.monotonic())
        psutil.cpu_percent()
        await asyncio.sleep(args.duration)
        after = (cpu_seconds(server), cpu_seconds(me), time.monotonic())
        wall = after[2] - before[2]
        return {"server_cores_used": round((after[0] - before[0]) / wall, 2),
                "client_cores_used": round((after[1] - before[1]) / wall, 2),
                "machine_cpu_percent": psutil.cpu_percent(), "load_average_after": psutil.getloadavg()}  # fmt: skip

    async def profile() -> dict | None:
        binary = shutil.which("py-spy") or shutil.which("py-spy", path=str(Path(sys.executable).parent))
        if not args.profile or binary is None:
            return None
        await asyncio.sleep(args.warmup)
        out = Path(tempfile.mkdtemp(prefix="clusterpath-profile-")) / "stacks.txt"
        spy = await asyncio.create_subprocess_exec(binary, "record", "-p", str(server_pid), "-d", str(int(args.duration)),
                                                   "-f", "raw", "-o", str(out), "--nonblocking", "-t",
                                                   stdout=asyncio.subprocess.DEVNULL,
                                                   stderr=asyncio.subprocess.DEVNULL)  # fmt: skip
        await spy.wait()
        return hotspots(out.read_text()) if out.exists() else None

    *_, cpu, stacks = await asyncio.gather(*tasks, measure(), profile())
    return summarise(records, args.duration) | {"cpu": cpu, "profile": stacks}


def hotspots(raw: str, top: int = 25) -> dict:
    """Where the server's threads spent their samples: inclusive share per function, busiest first."""
    inclusive: dict[str, int] = {}
    own: dict[str, int] = {}
    ours: dict[str, int] = {}
    total = 0
    for line in raw.splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        frames = [re.sub(r" \((.*/)?(site-packages/|src/)?", " (", f) for f in stack.split(";")]
        # Idle threads (the worker's poll, the event loop's select) are not load.
        if any(idle in frames[-1] for idle in ("wait (threading", "select (selectors", "_worker (concurrent")):
            continue
        total += int(count)
        for frame in set(frames):
            inclusive[frame] = inclusive.get(frame, 0) + int(count)
        # The platform's own functions, to tell which endpoint or step the time goes to.
        for frame in {f for f in stack.split(";") if "(clusterpath/" in f}:
            ours[frame] = ours.get(frame, 0) + int(count)
        own[frames[-1]] = own.get(frames[-1], 0) + int(count)

    def share(table: dict, n: int = top) -> list:
        return [(name, round(100 * c / total, 1)) for name, c in sorted(table.items(), key=lambda kv: -kv[1])[:n]]

    return {"busy_samples": total, "inclusive_percent": share(inclusive), "self_percent": share(own),
            "clusterpath_inclusive_percent": share(ours, 40)}


def wrk(url: str, token: str, args) -> dict | None:
    """The cluster endpoint with wrk (C, not Python): what the server gives when the client costs little."""
    binary = shutil.which("wrk")
    if binary is None:
        return None
    target = f"{url}{API}/clusters/{SLUG}"
    done = subprocess.run([binary, "-t2", f"-c{args.users}", f"-d{args.wrk_seconds}s", "--latency", "--timeout", "30s",
                           "-H", f"Authorization: Bearer {token}", target], capture_output=True, text=True,
                          check=True).stdout  # fmt: skip
    latency = dict(re.findall(r"^\s+(\d+)%\s+([\d.]+\w+)\s*$", done, re.M))
    rate = re.search(r"Requests/sec:\s+([\d.]+)", done)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", done)
    errors = re.search(r"Socket errors: (.*)$", done, re.M)
    return {"endpoint": "cluster", "connections": args.users, "seconds": args.wrk_seconds, "latency": latency,
            "requests_per_s": float(rate.group(1)) if rate else None, "non_2xx": int(non2xx.group(1)) if non2xx else 0,
            "socket_errors": errors.group(1) if errors else None, "output": done}  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", help="PostgreSQL URL (an empty database); SQLite in a temp folder if not")
    parser.add_argument("--reset", action="store_true", help="empty the PostgreSQL database first (drops its tables)")
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--duration", type=float, default=60.0, help="measured seconds")
    parser.add_argument("--warmup", type=float, default=10.0, help="seconds run before measuring")
    parser.add_argument("--think", type=float, default=1.0, help="mean think time between a user's requests (s)")
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--wrk", action="store_true", help="also load the cluster endpoint with wrk, if installed")
    parser.add_argument("--wrk-seconds", type=int, default=20)
    parser.add_argument("--profile", action="store_true", help="sample the server with py-spy while measuring")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    report = {"machine": machine(), "database": "postgresql" if args.database_url else "sqlite",
              "postgresql": postgres_version(args.database_url),
              "settings": {k: v for k, v in vars(args).items() if k not in ("database_url", "out")}}  # fmt: skip
    prepare_database(args.database_url, args.reset)
    with tempfile.TemporaryDirectory(prefix="clusterpath-load-") as folder:
        server = Server(Path(folder), database_url=args.database_url).start()
        try:
            seeded = seed(server.url, args.users)
            report["seeding"] = seeded.seconds | {"users": len(seeded.users), "members": len(seeded.members)}
            print(f"seeded: {report['seeding']}", flush=True)
            report["load"] = asyncio.run(load(server.url, seeded, args, server.pid))
            if args.wrk:
                report["wrk"] = wrk(server.url, seeded.users[-1].token, args)
        finally:
            server.kill()
    result = report["load"]
    print(f"{args.users} users, think {args.think} s, {args.duration:g} s: {result['requests']} requests, "
          f"{result['throughput_rps']} /s, errors {result['errors']} {result['error_kinds'] or ''}")
    print(f"{'endpoint':<24}{'n':>7}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}{'bytes':>8}")
    for name, row in [*result["by_endpoint"].items(), ("overall", result["overall"])]:
        print(f"{name:<24}{row.get('n', 0):>7}{row.get('p50_ms', '-'):>9}{row.get('p95_ms', '-'):>9}"
              f"{row.get('p99_ms', '-'):>9}{row.get('max_ms', '-'):>9}{row.get('mean_bytes', ''):>8}")
    print(f"cpu: {result['cpu']}")
    if result.get("profile"):
        print("server profile, inclusive % of busy samples in clusterpath's functions:")
        for name, share in result["profile"]["clusterpath_inclusive_percent"]:
            print(f"  {share:5.1f}  {name[:140]}")
    if report.get("wrk"):
        w = report["wrk"]
        print(f"wrk on cluster: {w['requests_per_s']} /s, latency {w['latency']}, non-2xx {w['non_2xx']}")
    if args.out:
        args.out.write_text(json.dumps(report, indent=2, default=str))
    return 1 if result["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
