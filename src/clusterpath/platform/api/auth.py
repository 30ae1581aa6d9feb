"""Accounts: register, log in and out, API tokens for scripts, accepting an invitation."""

from __future__ import annotations

import hmac
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from clusterpath.platform import audit
from clusterpath.platform.api.clusters import slug_in_use
from clusterpath.platform.api.deps import DB, Address, Authenticated, Config, Email, Name, RowId, Text
from clusterpath.platform.api.initiatives import analysts_initiative
from clusterpath.platform.models import Analyst, ApiToken, InitiativeInvitation, Invitation, Membership, User, utcnow
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
    expires_in_days: int | None = Field(default=None, ge=1, le=3650,
                                        description="none: the server's default (CLUSTERPATH_API_TOKEN_DAYS, 90)")


class PasswordChange(Strict):
    current: Text = Field(min_length=1, max_length=MAX_PASSWORD_CHARS)
    new: Text = Password


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
        # Not the account's owner acting: whoever it was is known only by the address.
        audit.record(session, "account.create.taken", user_id=None, target=f"user {existing}", address=where)
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


def _revoke(session, user_id: int, *, only: int | None = None) -> list[int]:
    """Revokes the user's open tokens (only: that one and the API tokens made with it); their ids."""
    query = select(ApiToken).where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
    if only is not None:
        query = query.where((ApiToken.id == only) | (ApiToken.parent_id == only))
    now = utcnow()
    rows = session.scalars(query).all()
    for row in rows:
        row.revoked_at = now
    return [row.id for row in rows]


@router.post("/auth/logout", status_code=204)
def logout(who: Authenticated, session: DB, where: Address,
           everywhere: Annotated[bool, Query(description="end every session and API token of the account")] = False
           ) -> Response:  # fmt: skip
    """Revoke the token this request came with, and the API tokens made with it (or, everywhere, all)."""
    revoked = _revoke(session, who.user.id, only=None if everywhere else who.token.id)
    audit.record(session, "token.revoke", user_id=who.user.id, target=f"token {who.token.id}", address=where,
                 revoked=revoked, everywhere=everywhere)  # fmt: skip
    session.commit()
    return Response(status_code=204)


@router.post("/auth/password")
def change_password(body: PasswordChange, who: Authenticated, session: DB, config: Config, where: Address,
                    response: Response) -> dict:  # fmt: skip
    """Change the password: every session and API token of the account ends, and a new session begins."""
    wait = login_retry_after(session, who.user.email, where, config)
    if wait is not None:
        raise HTTPException(429, f"too many failed attempts: try again in {wait} s", headers={"Retry-After": str(wait)})
    if not verify_password(who.user.password_hash, body.current, config):
        record_login(session, who.user.email, where, success=False, settings=config)
        audit.record(session, "password.change.failed", user_id=who.user.id, address=where)
        session.commit()
        raise HTTPException(403, "the current password is wrong")
    user = session.get(User, who.user.id)
    user.password_hash = hash_password(body.new, config)
    revoked = _revoke(session, user.id)
    token, row = issue_token(session, user, "session", lifetime=timedelta(hours=config.session_hours))
    audit.record(session, "password.change", user_id=user.id, target=f"user {user.id}", address=where,
                 revoked=revoked)  # fmt: skip
    session.commit()
    response.headers["Cache-Control"] = "no-store"
    return {"token": token, "token_type": "bearer", "expires_at": row.expires_at}


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
def create_token(body: TokenRequest, who: Authenticated, session: DB, config: Config, where: Address,
                 response: Response) -> dict:  # fmt: skip
    """A token for scripts. Its secret is shown this once; store it like a password. It expires (after
    CLUSTERPATH_API_TOKEN_DAYS, 90, unless asked otherwise), and logging out the session that made it
    revokes it too."""
    lifetime = timedelta(days=body.expires_in_days or config.api_token_days)
    parent = who.token.id if who.token.kind == "session" else None
    secret, row = issue_token(session, who.user, "api", name=body.name, lifetime=lifetime, parent_id=parent)
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


def _same_id(kind: str, slug: str) -> str:
    # Ids are unique among each user's clusters and initiatives (docs/security.md, "Ids"); the code stays open.
    return (f"you have {kind} of the id '{slug}' already, and this invitation is to another one of that id: "
            "rename or leave yours (or ask the inviter to use another id), then accept again")


def _accept_analyst(body: Acceptance, who, session, where: str) -> dict:
    invitation = session.scalar(select(InitiativeInvitation).where(InitiativeInvitation.kind == "analyst",
                                                                   InitiativeInvitation.code_hash == digest(body.code)))
    now = utcnow()
    if invitation is None or not invitation.is_open(who.user.email, now):
        raise HTTPException(404, "no open invitation with this code for your email (used, expired or mistyped?)")
    initiative = invitation.initiative
    if analysts_initiative(session, initiative.slug, who.user.id, other_than=initiative.id) is not None:
        raise HTTPException(409, _same_id("an initiative", initiative.slug))
    if session.scalar(select(Analyst.id).where(Analyst.initiative_id == initiative.id,
                                               Analyst.user_id == who.user.id)) is None:  # fmt: skip
        session.add(Analyst(user_id=who.user.id, initiative_id=initiative.id, created_at=now))
    invitation.accepted_at, invitation.accepted_by = now, who.user.id
    audit.record(session, "initiative.analyst.accept", user_id=who.user.id, target=initiative.slug, address=where,
                 invitation=invitation.id)  # fmt: skip
    session.commit()
    return {"initiative": initiative.slug, "role": "analyst"}


@router.post("/invitations/accept", tags=["clusters"])
def accept(body: Acceptance, who: Authenticated, session: DB, where: Address) -> dict:
    """Join a cluster with the one-time code its coordinator was given for your email."""
    invitation = session.scalar(select(Invitation).where(Invitation.code_hash == digest(body.code)))
    now = utcnow()
    if invitation is None:
        return _accept_analyst(body, who, session, where)
    if not hmac.compare_digest(invitation.code_hash, digest(body.code)) or not invitation.is_open(who.user.email, now):
        raise HTTPException(404, "no open invitation with this code for your email (used, expired or mistyped?)")
    if session.scalar(select(Membership.id).where(Membership.cluster_id == invitation.cluster_id,
                                                  Membership.user_id == who.user.id)) is not None:  # fmt: skip
        raise HTTPException(409, "you already belong to this cluster")
    if slug_in_use(session, who.user.id, invitation.cluster.slug, other_than=invitation.cluster_id):
        raise HTTPException(409, _same_id("a cluster", invitation.cluster.slug))
    membership = Membership(user_id=who.user.id, cluster_id=invitation.cluster_id, role=invitation.role,
                            member_id=invitation.member_id, created_at=now)  # fmt: skip
    invitation.accepted_at, invitation.accepted_by = now, who.user.id
    session.add(membership)
    audit.record(session, "invitation.accept", user_id=who.user.id, cluster_id=invitation.cluster_id,
                 target=f"invitation {invitation.id}", address=where, role=invitation.role)  # fmt: skip
    session.commit()
    return {"cluster": invitation.cluster.slug, "role": membership.role,
            "member": invitation.member.key if invitation.member else None}  # fmt: skip
