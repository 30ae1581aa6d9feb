"""Passwords, tokens and the login rate limit.

Passwords are argon2id hashes. Session and API tokens are 256 random bits handed out once and
stored only as SHA-256 digests: with that much entropy a slow hash adds nothing, and a digest can
be looked up by index. Nothing here logs a password, a token or a digest.
"""

from __future__ import annotations

import hashlib
import math
import hmac
import secrets
from datetime import datetime, timedelta
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from clusterpath.platform.models import ApiToken, LoginAttempt, User, utcnow
from clusterpath.platform.settings import Settings

SESSION_PREFIX = "cps_"
API_PREFIX = "cpt_"
INVITATION_PREFIX = "cpi_"
# argon2 takes its time by design; an unbounded password would let one request take a core for long.
MAX_PASSWORD_CHARS = 1024
MIN_PASSWORD_CHARS = 10

def hasher(settings: Settings) -> PasswordHasher:
    return _hasher(settings.argon2_time_cost, settings.argon2_memory_kib)


@lru_cache(maxsize=8)
def _hasher(time_cost: int, memory_kib: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_kib)


def hash_password(password: str, settings: Settings) -> str:
    return hasher(settings).hash(password)


@lru_cache(maxsize=8)
def _dummy_hash(time_cost: int, memory_kib: int) -> str:
    return _hasher(time_cost, memory_kib).hash(secrets.token_hex(16))


def verify_password(stored: str | None, password: str, settings: Settings) -> bool:
    """True when ``password`` matches; an unknown account costs as much time as a wrong password."""
    # The stored hash carries its own parameters; the dummy one is made with the current ones.
    dummy = _dummy_hash(settings.argon2_time_cost, settings.argon2_memory_kib)
    try:
        return hasher(settings).verify(stored or dummy, password) and stored is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def new_secret(prefix: str) -> str:
    return prefix + secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def issue_token(session: Session, user: User, kind: str, *, name: str = "", lifetime: timedelta | None = None,
                parent_id: int | None = None) -> tuple[str, ApiToken]:  # fmt: skip
    """A new token (returned once, in clear) and its stored row."""
    secret = new_secret(SESSION_PREFIX if kind == "session" else API_PREFIX)
    now = utcnow()
    row = ApiToken(user_id=user.id, kind=kind, name=name, token_hash=digest(secret), created_at=now,
                   expires_at=now + lifetime if lifetime else None, parent_id=parent_id)  # fmt: skip
    session.add(row)
    session.flush()
    return secret, row


def token_user(session: Session, secret: str, now: datetime | None = None) -> tuple[User, ApiToken] | None:
    """The user a bearer token belongs to, or None when it is unknown, revoked or expired."""
    if not secret.startswith((SESSION_PREFIX, API_PREFIX)) or len(secret) > 200:
        return None
    wanted = digest(secret)
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == wanted))
    now = now or utcnow()
    if row is None or not hmac.compare_digest(row.token_hash, wanted):
        return None
    if row.revoked_at is not None or (row.expires_at is not None and row.expires_at <= now):
        return None
    # Written at most once a minute: a script polling a job must not turn every read into a write.
    if row.last_used_at is None or now - row.last_used_at > timedelta(minutes=1):
        row.last_used_at = now
    return row.user, row


def login_retry_after(session: Session, email: str, address: str, settings: Settings,
                      now: datetime | None = None) -> int | None:  # fmt: skip
    """Seconds to wait before this address may try this account, or None.

    Two rules, neither of which lets one client lock out another. An address with too many failures in the
    window (over any accounts) waits until the oldest leaves the window: only that address is held back.
    An account with failures waits a delay after its last one that doubles with each failure past the first
    few; an address the account has logged in from recently counts only its own failures, so an attacker
    elsewhere slows down himself, not the owner at home, and from anywhere else the owner waits at most
    ``login_max_delay_seconds``.
    """
    now = now or utcnow()
    since = now - timedelta(seconds=settings.login_window_seconds)
    failed = select(func.count(), func.min(LoginAttempt.at), func.max(LoginAttempt.at)).where(
        LoginAttempt.success.is_(False), LoginAttempt.at > since)  # fmt: skip
    count, oldest, _ = session.execute(failed.where(LoginAttempt.address == address)).one()
    if count >= settings.login_failures_per_address:
        return _seconds(oldest + timedelta(seconds=settings.login_window_seconds) - now)
    known = session.scalar(select(LoginAttempt.id).where(
        LoginAttempt.email == email, LoginAttempt.address == address, LoginAttempt.success.is_(True),
        LoginAttempt.at > now - timedelta(days=settings.login_known_days)).limit(1)) is not None  # fmt: skip
    mine = failed.where(LoginAttempt.email == email)
    if known:
        mine = mine.where(LoginAttempt.address == address)
    count, _, latest = session.execute(mine).one()
    delay = account_delay(count, settings)
    if delay and latest + timedelta(seconds=delay) > now:
        return _seconds(latest + timedelta(seconds=delay) - now)
    return None


def account_delay(failures: int, settings: Settings) -> float:
    """The wait after an account's last failure: none for the first few, then doubling up to the cap."""
    extra = failures - settings.login_failures_per_account
    if extra < 0:
        return 0.0
    return min(settings.login_delay_seconds * 2 ** min(extra, 40), settings.login_max_delay_seconds)


def _seconds(span: timedelta) -> int:
    return max(1, math.ceil(span.total_seconds()))


def record_login(session: Session, email: str, address: str, success: bool, settings: Settings) -> None:
    now = utcnow()
    # Failures count for a window of minutes, successes mark an address as known for days: older rows go.
    session.execute(delete(LoginAttempt).where(LoginAttempt.success.is_(False),
                                               LoginAttempt.at < now - timedelta(days=1)))  # fmt: skip
    session.execute(delete(LoginAttempt).where(LoginAttempt.success.is_(True),
                                               LoginAttempt.at < now - timedelta(days=settings.login_known_days)))
    session.add(LoginAttempt(email=email, address=address, success=success, at=now))
