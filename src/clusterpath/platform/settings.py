"""Configuration of the service, from the environment with explicit overrides (tests, the CLI)."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

ENV_DATABASE_URL = "CLUSTERPATH_DATABASE_URL"


def default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "clusterpath"


def _number(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        return float(raw)
    except ValueError:
        raise ValueError(f"{name}={raw!r} is not a number") from None


def _flag(name: str, default: bool) -> bool:
    raw = (os.environ.get(name) or "").strip().lower()
    if not raw:
        return default
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"{name}={raw!r} is not a yes or no (1/0, true/false)")


def _proxies(raw: str) -> tuple[str, ...]:
    import ipaddress

    found = tuple(item.strip() for item in raw.split(",") if item.strip())
    for item in found:
        try:
            ipaddress.ip_network(item, strict=False)
        except ValueError:
            raise ValueError(f"CLUSTERPATH_TRUSTED_PROXIES: {item!r} is not an address or network "
                             "(e.g. 127.0.0.1, 10.0.0.0/8)") from None
    return found


@dataclass(frozen=True)
class Settings:
    database_url: str
    data_dir: Path
    max_upload_bytes: int = 5 * 1024 * 1024
    # Uploads read at the same time, and how long one waits for its turn before a 503.
    upload_parsers: int = 2
    upload_wait_seconds: float = 30.0
    session_hours: float = 12.0
    # Lifetime of an API token when its owner gives none.
    api_token_days: int = 90
    # Failed logins per client address within the window before that address gets 429s.
    login_failures_per_address: int = 20
    login_window_seconds: int = 900
    # Failed logins of one account before each further try waits: login_delay_seconds, doubling with each
    # failure up to login_max_delay_seconds. Failures from an address the account has logged in from
    # (within login_known_days) count only that address's own.
    login_failures_per_account: int = 5
    login_delay_seconds: float = 2.0
    login_max_delay_seconds: float = 300.0
    login_known_days: int = 30
    # Peers whose X-Forwarded-For is believed (addresses or networks, e.g. 127.0.0.1 or 10.0.0.0/8): the
    # reverse proxies in front of the server. Empty: every client is its direct peer.
    trusted_proxies: tuple[str, ...] = ()
    default_k: int = 3
    # A job whose server died is run again this many times in all before it is marked failed.
    job_attempts: int = 2
    run_worker: bool = True
    worker_poll_seconds: float = 1.0
    heartbeat_seconds: float = 5.0
    # A running job whose worker has not written a heartbeat for this long belongs to a dead server.
    stale_after_seconds: float = 120.0
    solver_workers: int = 1
    # argon2id cost: RFC 9106's second recommended option by default; tests may lower it, never production.
    argon2_time_cost: int = 3
    argon2_memory_kib: int = 64 * 1024
    # The pages' session cookie is sent over HTTPS only: set it when a TLS proxy serves the pages.
    cookie_secure: bool = False

    @classmethod
    def from_env(cls, data_dir: Path | None = None, **overrides) -> Settings:
        folder = Path(data_dir or os.environ.get("CLUSTERPATH_DATA_DIR") or default_data_dir())
        url = os.environ.get(ENV_DATABASE_URL) or f"sqlite:///{folder / 'clusterpath.db'}"
        settings = cls(
            database_url=url,
            data_dir=folder,
            max_upload_bytes=int(_number("CLUSTERPATH_MAX_UPLOAD_BYTES", cls.max_upload_bytes)),
            upload_parsers=max(1, int(_number("CLUSTERPATH_UPLOAD_PARSERS", cls.upload_parsers))),
            upload_wait_seconds=_number("CLUSTERPATH_UPLOAD_WAIT_SECONDS", cls.upload_wait_seconds),
            session_hours=_number("CLUSTERPATH_SESSION_HOURS", cls.session_hours),
            api_token_days=int(_number("CLUSTERPATH_API_TOKEN_DAYS", cls.api_token_days)),
            default_k=int(_number("CLUSTERPATH_DEFAULT_K", cls.default_k)),
            job_attempts=int(_number("CLUSTERPATH_JOB_ATTEMPTS", cls.job_attempts)),
            solver_workers=int(_number("CLUSTERPATH_SOLVER_WORKERS", cls.solver_workers)),
            cookie_secure=_flag("CLUSTERPATH_COOKIE_SECURE", cls.cookie_secure),
            trusted_proxies=_proxies(os.environ.get("CLUSTERPATH_TRUSTED_PROXIES", "")),
        )
        return replace(settings, **overrides)
