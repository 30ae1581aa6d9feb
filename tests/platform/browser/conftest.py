"""A real `clusterpath serve` on a free local port (temporary SQLite, its job worker running) and Debian's
chromium driven by Playwright (tests/helpers/browser.py: skipped without it on a developer's machine, a
failure in CI)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from urllib.parse import urlparse

import httpx
import pytest

from helpers.browser import ARGS, CHROMIUM, need_browser


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The base URL of a running server; its output is shown if it fails to start."""
    need_browser()
    folder = tmp_path_factory.mktemp("serve")
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "CLUSTERPATH_DATABASE_URL"}
    log = open(folder / "server.log", "w+")  # noqa: SIM115 - read back after the server stops
    process = subprocess.Popen([sys.executable, "-m", "clusterpath", "serve", "--port", str(port), "--data-dir",
                                str(folder)], env=env, stdout=log, stderr=subprocess.STDOUT)  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                raise AssertionError(f"the server did not start:\n{log.read()}")
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


class Watch:
    """What the browser did that a page must never make it do: fetch from elsewhere, log an error."""

    def __init__(self, base: str) -> None:
        self.origin = urlparse(base).netloc
        self.foreign: list[str] = []
        self.errors: list[str] = []
        self.requests: list[str] = []

    def route(self, route) -> None:
        url = route.request.url
        self.requests.append(url)
        parsed = urlparse(url)
        if parsed.scheme in ("data", "blob") or parsed.netloc == self.origin:
            route.continue_()
        else:
            self.foreign.append(url)
            route.abort()

    def console(self, message) -> None:
        # A page answering 403 or 422 on purpose logs a failed load too: statuses are checked in response().
        if message.type == "error" and not message.text.startswith("Failed to load resource: the server responded"):
            self.errors.append(message.text)

    def response(self, response) -> None:
        if response.request.resource_type != "document" and response.status >= 400:
            self.errors.append(f"{response.status} for {response.url}")


@pytest.fixture
def browser(server):
    """One chromium with a fresh profile of its own; every request it sends is watched."""
    from playwright.sync_api import sync_playwright

    watch = Watch(server)
    with tempfile.TemporaryDirectory(prefix="clusterpath-chromium-") as profile, sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(profile, executable_path=str(CHROMIUM), headless=True,
                                                                args=ARGS, base_url=server)  # fmt: skip
        context.set_default_timeout(30_000)
        context.route("**/*", watch.route)
        context.on("console", watch.console)
        context.on("response", watch.response)
        context.on("weberror", lambda error: watch.errors.append(str(error.error)))
        try:
            yield context, watch
        finally:
            context.close()
