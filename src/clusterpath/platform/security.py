"""Passwords, tokens and the login rate limit.

Passwords are argon2id hashes. Session and API tokens are 256 random bits handed out once and
stored only as SHA-256 digests: with that much entropy a slow hash adds nothing, and a digest can
be looked up by index. Nothing here logs a password, a token or a digest.
"""

from __future__ import annotations

import hashlib
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


def issue_token(session: Session, user: User, kind: str, *, name: str = "",
                lifetime: timedelta | None = None) -> tuple[str, ApiToken]:  # fmt: skip
    """A new token (returned once, in clear) and its stored row."""
    secret = new_secret(SESSION_PREFIX if kind == "session" else API_PREFIX)
    now = utcnow()
    row = ApiToken(user_id=user.id, kind=kind, name=name, token_hash=digest(secret), created_at=now,
                   expires_at=now + lifetime if lifetime else None)  # fmt: skip
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
    """Seconds to wait when too many logins failed recently for this account or from this address."""
    now = now or utcnow()
    since = now - timedelta(seconds=settings.login_window_seconds)
    failed = select(func.count(), func.min(LoginAttempt.at)).where(LoginAttempt.success.is_(False),
                                                                    LoginAttempt.at > since)  # fmt: skip
    for column, value, limit in ((LoginAttempt.email, email, settings.login_failures_per_account),
                                 (LoginAttempt.address, address, settings.login_failures_per_address)):  # fmt: skip
        count, oldest = session.execute(failed.where(column == value)).one()
        if count >= limit:
            return max(1, int((oldest + timedelta(seconds=settings.login_window_seconds) - now).total_seconds()) + 1)
    return None


def record_login(session: Session, email: str, address: str, success: bool) -> None:
    now = utcnow()
    # Only the last window counts; a day's margin keeps the table small without a cleanup job.
    session.execute(delete(LoginAttempt).where(LoginAttempt.at < now - timedelta(days=1)))
    session.add(LoginAttempt(email=email, address=address, success=success, at=now))
