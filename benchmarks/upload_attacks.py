"""Peak memory a running `clusterpath serve` takes above idle to answer each attack upload of issue 14 (item 5).

    .venv/bin/python benchmarks/upload_attacks.py [--database-url URL --reset] [--json out.json]

Starts the server (tests/helpers/server.py) on SQLite in a temporary folder unless a PostgreSQL URL is given,
makes a cluster with one member company, and uploads each file of tests/helpers/attacks.py as that member,
plus a legitimate member file for comparison. Before each upload the server's peak resident set (VmHWM) is
reset to its current size (`5` written to /proc/PID/clear_refs); after the answer, the new peak minus the
reset one is the figure. Target: at most 100 MiB for every attack. Linux only (reads /proc).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from platform_common import machine, prepare_database, postgres_version

MiB = 2**20
TARGET_MIB = 100


def _status(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no {field} in /proc/{pid}/status")


def _files() -> dict[str, tuple[str, bytes]]:
    from helpers import attacks
    from helpers.platform import member

    import yaml

    return {
        "legitimate member file (YAML)": ("alpha.yaml", yaml.safe_dump(member("alpha")).encode()),
        "billion laughs, 9 levels of 9 (YAML)": ("alpha.yaml", attacks.billion_laughs().encode()),
        "aliases just under the budget, 6 levels of 7 (YAML)": ("alpha.yaml",
                                                               attacks.billion_laughs(6, 7).encode()),
        "alias inside its own anchor (YAML)": ("alpha.yaml", attacks.recursive_yaml().encode()),
        "nested 100,000 deep (YAML)": ("alpha.yaml", attacks.deep_yaml().encode()),
        "nested 100,000 deep (JSON)": ("alpha.json", attacks.deep_json().encode()),
        "1 M cells without addresses in one row (xlsx)": ("alpha.xlsx", attacks.cell_bomb()),
        "1 M cells in 1,000 rows (xlsx)": ("alpha.xlsx", attacks.cell_bomb(rows=1000)),
        "250,000 rows of one cell (xlsx)": ("alpha.xlsx", attacks.cell_bomb(rows=250_000, cells=250_000)),
        "declared A1:XFD1048576, two cells (xlsx)": ("alpha.xlsx", attacks.row_gap_bomb()),
        "declared full width over 40 rows (xlsx)": ("alpha.xlsx", attacks.wide_dimension_bomb()),
        "50,000 empty parts (xlsx)": ("alpha.xlsx", attacks.many_parts()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="an empty PostgreSQL database (default: SQLite in a temp folder)")
    parser.add_argument("--reset", action="store_true", help="empty the PostgreSQL database first")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    prepare_database(args.database_url, args.reset)

    import httpx
    from helpers.platform import API, DESCRIPTION, PASSWORD
    from helpers.server import Server

    rows = []
    with tempfile.TemporaryDirectory(prefix="clusterpath-upload-bench-") as folder:
        server = Server(Path(folder), args.database_url).start()
        try:
            client = httpx.Client(base_url=server.url, timeout=600)
            client.post(f"{API}/auth/register", json={"email": "c@example.org", "name": "C", "password": PASSWORD})
            token = client.post(f"{API}/auth/login", json={"email": "c@example.org", "password": PASSWORD}).json()
            headers = {"Authorization": f"Bearer {token['token']}"}
            client.post(f"{API}/clusters", json={"slug": "port", "name": "Port", "description": DESCRIPTION},
                        headers=headers).raise_for_status()  # fmt: skip
            client.post(f"{API}/clusters/port/members", json={"key": "alpha", "name": "Alpha"},
                        headers=headers).raise_for_status()  # fmt: skip
            time.sleep(1)
            for label, (name, content) in _files().items():
                Path(f"/proc/{server.pid}/clear_refs").write_text("5")
                idle = _status(server.pid, "VmHWM")  # the resident size the reset left as the peak
                started = time.perf_counter()
                response = client.post(f"{API}/clusters/port/members/alpha/upload", headers=headers,
                                       files={"file": (name, content, "application/octet-stream")})  # fmt: skip
                seconds = time.perf_counter() - started
                peak = _status(server.pid, "VmHWM")
                detail = response.json().get("detail", "") if response.status_code >= 400 else ""
                rows.append({"file": label, "bytes": len(content), "status": response.status_code,
                             "seconds": round(seconds, 3), "peak_above_idle_mib": round((peak - idle) / MiB, 1),
                             "answer": detail.split(": ", 1)[-1][:90]})  # fmt: skip
        finally:
            server.stop()
    width = max(len(r["file"]) for r in rows)
    print(f"{'file':<{width}}  {'bytes':>7}  status  {'seconds':>7}  {'MiB above idle':>14}")
    for r in rows:
        print(f"{r['file']:<{width}}  {r['bytes']:>7}  {r['status']:>6}  {r['seconds']:>7.2f}  "
              f"{r['peak_above_idle_mib']:>14.1f}")  # fmt: skip
    worst = max(r["peak_above_idle_mib"] for r in rows if "legitimate" not in r["file"])
    print(f"worst attack: {worst:.1f} MiB above idle (target at most {TARGET_MIB} MiB)")
    if args.json:
        args.json.write_text(json.dumps({"machine": machine(), "postgres": postgres_version(args.database_url),
                                         "rows": rows}, indent=2))  # fmt: skip


if __name__ == "__main__":
    main()
