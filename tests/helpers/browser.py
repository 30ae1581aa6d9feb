"""Debian's chromium driven by Playwright, for the tests that need a real browser. Playwright's own browser
download is never used: it cannot work here. Without /usr/bin/chromium a test is skipped on a developer's
machine; in CI (where `.ci/run` installs chromium) it fails instead, so a missing browser cannot pass unnoticed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]  # fmt: skip


def need_browser(what: str = "browser tests") -> None:
    missing = None
    if not CHROMIUM.exists():
        missing = f"{CHROMIUM} is missing (apt-get install chromium)"
    else:
        try:
            import playwright  # noqa: F401
        except ImportError:
            missing = "the playwright package is missing (pip install -r requirements.lock)"
    if missing is None:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{what} cannot run in CI: {missing}")
    pytest.skip(f"{what} need Debian's chromium and playwright: {missing}")
