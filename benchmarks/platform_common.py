"""What both platform benchmarks need: the tests' server and fault helpers, a database to start from,
and a note of the machine and software the figures come from."""

from __future__ import annotations

import os
import platform as host
import subprocess
import sys
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# The server process and the job accounting are the ones the tests check (tests/helpers/).
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "src"))


def prepare_database(url: str | None, reset: bool) -> None:
    """A PostgreSQL database must start empty: figures on someone's data would mean nothing, and the
    benchmark must not write into it. --reset empties it (drops schema public)."""
    if url is None:
        return
    from sqlalchemy import inspect, text

    from clusterpath.platform.db import make_engine

    engine = make_engine(url)
    try:
        if reset:
            with engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE"))
                connection.execute(text("CREATE SCHEMA public"))
        elif inspect(engine).get_table_names():
            raise SystemExit(f"{url.split('@')[-1]} has tables: give an empty database, or --reset to empty it")
    finally:
        engine.dispose()


def machine() -> dict:
    def commit() -> str:
        try:
            head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True,
                                  text=True, check=True).stdout.strip()  # fmt: skip
            dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "src"], capture_output=True,
                                   text=True).stdout.strip()  # fmt: skip
            return head + (" (src modified)" if dirty else "")
        except (OSError, subprocess.CalledProcessError):
            return "unknown"

    packages = ("fastapi", "starlette", "uvicorn", "sqlalchemy", "psycopg", "httpx", "anyio", "highspy", "linopy")
    versions = {}
    for name in packages:
        try:
            versions[name] = version(name)
        except Exception:  # noqa: BLE001 - a missing package is reported, not fatal
            versions[name] = None
    return {
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "cores": os.cpu_count(),
        "load_average_at_start": os.getloadavg(),
        "python": sys.version.split()[0],
        "platform": host.platform(),
        "commit": commit(),
        "versions": versions,
    }


def postgres_version(url: str | None) -> str | None:
    if url is None:
        return None
    from sqlalchemy import text

    from clusterpath.platform.db import make_engine

    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(text("SHOW server_version")).scalar()
    finally:
        engine.dispose()
