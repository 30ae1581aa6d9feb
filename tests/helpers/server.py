"""A real `clusterpath serve` process on a loopback port, to be killed and restarted like a server in
production: the fault tests and the platform benchmarks (benchmarks/platform_*.py) share it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

import clusterpath


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """One `clusterpath serve` subprocess at a time on a fixed port; `start` again after `kill` restarts it
    on the same database, as a supervisor would."""

    def __init__(self, data_dir: Path, database_url: str | None = None, port: int | None = None,
                 env: dict[str, str] | None = None) -> None:  # fmt: skip
        self.data_dir = Path(data_dir)
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None
        self.starts = 0
        self.environment = {k: v for k, v in os.environ.items() if k != "CLUSTERPATH_DATABASE_URL"}
        # The server must run the code under test, not whichever clusterpath the interpreter would find.
        source = str(Path(clusterpath.__file__).resolve().parents[1])
        self.environment["PYTHONPATH"] = os.pathsep.join(p for p in (source, os.environ.get("PYTHONPATH")) if p)
        if database_url:
            self.environment["CLUSTERPATH_DATABASE_URL"] = database_url
        self.environment.update(env or {})

    @property
    def log_path(self) -> Path:
        return self.data_dir / f"server-{self.starts}.log"

    def start(self, timeout: float = 180.0) -> Server:
        if self.process is not None and self.process.poll() is None:
            raise RuntimeError("the server is running already")
        self.starts += 1
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "w") as log:
            # A session of its own, so a kill takes the whole process group and nothing else.
            self.process = subprocess.Popen([sys.executable, "-m", "clusterpath", "serve", "--port", str(self.port),
                                             "--data-dir", str(self.data_dir)], env=self.environment, stdout=log,
                                            stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip
        deadline = time.monotonic() + timeout
        while True:
            try:
                if httpx.get(f"{self.url}/health", timeout=2).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.kill()
                raise RuntimeError(f"the server did not start:\n{self.log_path.read_text()[-4000:]}")
            time.sleep(0.1)

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process is not None else None

    def kill(self) -> None:
        """SIGKILL the server's process group: no shutdown, no cleanup, as when a machine loses power."""
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait(30)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.kill()

    def log(self) -> str:
        return "".join(p.read_text(errors="replace") for p in sorted(self.data_dir.glob("server-*.log")))
