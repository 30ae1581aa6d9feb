"""`clusterpath serve` starts a real server on a local port with the SQLite file in its data folder."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import httpx
import pytest


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_serve_answers_and_creates_its_database(tmp_path):
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "CLUSTERPATH_DATABASE_URL"}
    server = subprocess.Popen([sys.executable, "-m", "clusterpath", "serve", "--port", str(port), "--data-dir",
                               str(tmp_path)], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/health", timeout=2)
                break
            except httpx.TransportError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"the server did not start: {server.stdout.read()}") from None
                time.sleep(0.2)
        assert response.json() == {"status": "ok"}
        spec = httpx.get(f"http://127.0.0.1:{port}/api/v1/openapi.json", timeout=5).json()
        assert spec["info"]["title"] == "clusterpath"
        assert (tmp_path / "clusterpath.db").is_file()
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0]
    assert "Database: sqlite" in output


def test_serve_with_an_unreachable_database_says_so(tmp_path):
    from typer.testing import CliRunner

    from clusterpath.cli import app

    result = CliRunner().invoke(app, ["serve", "--port", "1"], env={
        "CLUSTERPATH_DATABASE_URL": "postgresql://nobody:wrong@127.0.0.1:1/none"})  # fmt: skip
    assert result.exit_code == 2 and "cannot reach the database" in result.output
