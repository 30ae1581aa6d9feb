"""Accounts: register, log in and out, API tokens for scripts, accepting an invitation."""

from __future__ import annotations

import hmac
from datetime import timedelta

from fastapi import APIRouter, HTTPException, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from clusterpath.platform import audit
from clusterpath.platform.api.deps import DB, Address, Authenticated, Config, Email, Name, RowId, Text
from clusterpath.platform.models import ApiToken, Invitation, Membership, User, utcnow
from clusterpath.platform.security import (
    MAX_PASSWORD_CHARS,
    MIN_PASSWORD_CHARS,
    digest,
    hash_password,
    issue_token,
    login_retry_after,
    record_login,
    verify_password,
)

router = APIRouter(tags=["accounts"])


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


Password = Field(min_length=MIN_PASSWORD_CHARS, max_length=MAX_PASSWORD_CHARS)


class Registration(Strict):
    email: Email
    name: Name
    password: Text = Password


class Login(Strict):
    email: Email
    password: Text = Field(min_length=1, max_length=MAX_PASSWORD_CHARS)


class TokenRequest(Strict):
    name: Name
    expires_in_days: int | None = Field(default=None, ge=1, le=3650, description="none: until revoked")


class Acceptance(Strict):
    code: Text = Field(min_length=1, max_length=200)


def _user(user: User) -> dict:
    return {"id": user.id, "email": user.email, "name": user.name}


REGISTERED = "unless an account with this email exists already, it has been created: log in with it"


@router.post("/auth/register", status_code=201)
def register(body: Registration, session: DB, config: Config, where: Address) -> dict:
    """Create an account. It sees nothing until it creates a cluster or accepts an invitation.

    The answer is the same whether the email had an account or not: registration must not tell a stranger
    who has an account. A taken email counts as a failed login of its address, so that probing for
    accounts here meets the same limit as probing at the login."""
    wait = login_retry_after(session, body.email, where, config)
    if wait is not None:
        raise HTTPException(429, f"too many failed attempts: try again in {wait} s", headers={"Retry-After": str(wait)})
    password_hash = hash_password(body.password, config)  # hashed either way: the answer takes as long
    existing = session.scalar(select(User.id).where(User.email == body.email))
    if existing is None:
        user = User(email=body.email, name=body.name, password_hash=password_hash, created_at=utcnow())
        session.add(user)
        try:
            session.flush()
        except IntegrityError:
            session.rollback()
            existing = session.scalar(select(User.id).where(User.email == body.email))
        else:
            audit.record(session, "account.create", user_id=user.id, target=f"user {user.id}", address=where)
    if existing is not None:
        record_login(session, body.email, where, success=False, settings=config)
        audit.record(session, "account.create.taken", user_id=existing, target=f"user {existing}", address=where)
    session.commit()
    return {"email": body.email, "detail": REGISTERED}


@router.post("/auth/login")
def login(body: Login, session: DB, config: Config, where: Address, response: Response) -> dict:
    """A session token for the account, valid for the configured hours (default 12)."""
    wait = login_retry_after(session, body.email, where, config)
    if wait is not None:
        raise HTTPException(429, f"too many failed logins: try again in {wait} s", headers={"Retry-After": str(wait)})
    user = session.scalar(select(User).where(User.email == body.email))
    if not verify_password(user.password_hash if user else None, body.password, config):
        record_login(session, body.email, where, success=False, settings=config)
        audit.record(session, "login.failed", user_id=user.id if user else None, address=where)
        session.commit()
        raise HTTPException(401, "wrong email or password")
    record_login(session, body.email, where, success=True, settings=config)
    token, row = issue_token(session, user, "session", lifetime=timedelta(hours=config.session_hours))
    audit.record(session, "login", user_id=user.id, target=f"token {row.id}", address=where)
    session.commit()
    response.headers["Cache-Control"] = "no-store"
    return {"token": token, "token_type": "bearer", "expires_at": row.expires_at}


@router.post("/auth/logout", status_code=204)
def logout(who: Authenticated, session: DB, where: Address) -> Response:
    """Revoke the token this request came with."""
    token = session.get(ApiToken, who.token.id)
    token.revoked_at = utcnow()
    audit.record(session, "token.revoke", user_id=who.user.id, target=f"token {token.id}", address=where)
    session.commit()
    return Response(status_code=204)


@router.get("/auth/me")
def me(who: Authenticated, session: DB) -> dict:
    rows = session.scalars(select(Membership).where(Membership.user_id == who.user.id)).all()
    return _user(who.user) | {"memberships": [{"cluster": row.cluster.slug, "role": row.role,
                                                "member": row.member.key if row.member else None}
                                               for row in rows]}  # fmt: skip


def _token(row: ApiToken) -> dict:
    return {"id": row.id, "name": row.name, "kind": row.kind, "created_at": row.created_at,
            "expires_at": row.expires_at, "last_used_at": row.last_used_at}  # fmt: skip


@router.get("/auth/tokens")
def tokens(who: Authenticated, session: DB) -> list[dict]:
    """The caller's unrevoked API tokens (never their secrets)."""
    rows = session.scalars(select(ApiToken).where(ApiToken.user_id == who.user.id, ApiToken.kind == "api",
                                                  ApiToken.revoked_at.is_(None)).order_by(ApiToken.id)).all()  # fmt: skip
    return [_token(row) for row in rows]


@router.post("/auth/tokens", status_code=201)
def create_token(body: TokenRequest, who: Authenticated, session: DB, where: Address, response: Response) -> dict:
    """A long-lived token for scripts. Its secret is shown this once; store it like a password."""
    lifetime = timedelta(days=body.expires_in_days) if body.expires_in_days else None
    secret, row = issue_token(session, who.user, "api", name=body.name, lifetime=lifetime)
    audit.record(session, "token.create", user_id=who.user.id, target=f"token {row.id}", address=where)
    session.commit()
    response.headers["Cache-Control"] = "no-store"
    return _token(row) | {"token": secret}


@router.delete("/auth/tokens/{token_id}", status_code=204)
def revoke_token(token_id: RowId, who: Authenticated, session: DB, where: Address) -> Response:
    row = session.get(ApiToken, token_id)
    if row is None or row.user_id != who.user.id or row.revoked_at is not None:
        raise HTTPException(404, f"no token {token_id} of yours")
    row.revoked_at = utcnow()
    audit.record(session, "token.revoke", user_id=who.user.id, target=f"token {row.id}", address=where)
    session.commit()
    return Response(status_code=204)


@router.post("/invitations/accept", tags=["clusters"])
def accept(body: Acceptance, who: Authenticated, session: DB, where: Address) -> dict:
    """Join a cluster with the one-time code its coordinator was given for your email."""
    invitation = session.scalar(select(Invitation).where(Invitation.code_hash == digest(body.code)))
    now = utcnow()
    if invitation is None or not hmac.compare_digest(invitation.code_hash, digest(body.code)) \
            or invitation.accepted_at is not None or invitation.expires_at <= now \
            or invitation.email != who.user.email:  # fmt: skip
        raise HTTPException(404, "no open invitation with this code for your email (used, expired or mistyped?)")
    if session.scalar(select(Membership.id).where(Membership.cluster_id == invitation.cluster_id,
                                                  Membership.user_id == who.user.id)) is not None:  # fmt: skip
        raise HTTPException(409, "you already belong to this cluster")
    membership = Membership(user_id=who.user.id, cluster_id=invitation.cluster_id, role=invitation.role,
                            member_id=invitation.member_id, created_at=now)  # fmt: skip
    invitation.accepted_at, invitation.accepted_by = now, who.user.id
    session.add(membership)
    audit.record(session, "invitation.accept", user_id=who.user.id, cluster_id=invitation.cluster_id,
                 target=f"invitation {invitation.id}", address=where, role=invitation.role)  # fmt: skip
    session.commit()
    return {"cluster": invitation.cluster.slug, "role": membership.role,
            "member": invitation.member.key if invitation.member else None}  # fmt: skip
