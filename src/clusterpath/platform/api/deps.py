"""What every endpoint needs: a database session, the caller, the cluster and the caller's role in it."""

from __future__ import annotations

import ipaddress
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Path, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import AfterValidator, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from clusterpath.io.errors import InputError
from clusterpath.io.limits import check_tree
from clusterpath.platform.access import Role, Viewer, can_manage
from clusterpath.platform.models import ApiToken, Cluster, Member, Membership, User
from clusterpath.platform.security import token_user
from clusterpath.platform.settings import Settings

IDENTIFIER = r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$"
MAX_ID = 2**31 - 1  # the database's integer: a larger id is unknown, not an overflow


def _printable(value: str) -> str:
    # PostgreSQL refuses NUL in text, and a lone surrogate cannot be stored as UTF-8.
    if any(ord(c) < 32 and c not in "\t\n\r" for c in value):
        raise ValueError("must not contain control characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("must be valid Unicode text") from None
    return value


def _clean_tree(value: Any) -> Any:
    # Bounded first: the walk below recurses, and a body is checked like a file (io.limits).
    try:
        check_tree(value, "request body")
    except InputError as error:
        raise ValueError(error.message) from None
    return _clean_values(value)


def _clean_values(value: Any) -> Any:
    if isinstance(value, str):
        _printable(value)
    elif isinstance(value, dict):
        for key, item in value.items():
            _printable(str(key))
            _clean_values(item)
    elif isinstance(value, list):
        for item in value:
            _clean_values(item)
    return value


Text = Annotated[str, AfterValidator(_printable)]
Name = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_printable)]
Email = Annotated[str, Field(max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$"), AfterValidator(_printable),
                  AfterValidator(str.lower)]  # fmt: skip
Identifier = Annotated[str, Field(min_length=1, max_length=64, pattern=IDENTIFIER)]
Tree = Annotated[dict[str, Any], AfterValidator(_clean_tree)]
Slug = Annotated[str, Path(min_length=1, max_length=64, pattern=IDENTIFIER, description="the cluster's id")]
MemberKey = Annotated[str, Path(min_length=1, max_length=64, pattern=IDENTIFIER, description="the member's id")]


RowId = Annotated[int, Path(ge=1, le=MAX_ID)]


bearer = HTTPBearer(auto_error=False, description="A session token from /auth/login or an API token")


def settings(request: Request) -> Settings:
    return request.app.state.settings


def db(request: Request) -> Iterator[Session]:
    with request.app.state.sessions() as session:
        yield session


def upload_slots(request: Request) -> threading.Semaphore:
    return request.app.state.upload_slots


def _trusted(host: str, proxies: tuple[str, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return host in proxies  # a peer without an IP address (a test client, a unix socket) by its name
    for proxy in proxies:
        try:
            if ip in ipaddress.ip_network(proxy, strict=False):
                return True
        except ValueError:
            continue
    return False


def client_address(peer: str, forwarded: str | None, proxies: tuple[str, ...]) -> str:
    """The client's address: the direct peer, unless that is a trusted proxy. Then the last address of
    X-Forwarded-For that is not itself a trusted proxy: each proxy appends the peer it saw, and what a
    client wrote in front of that is its own invention."""
    if not forwarded or not _trusted(peer, proxies):
        return peer
    for hop in reversed([part.strip() for part in forwarded.split(",")]):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            return peer  # not written by a proxy of ours: count the request against the proxy, not a made-up name
        if not _trusted(hop, proxies):
            return hop
    return peer


def address(request: Request) -> str:
    peer = request.client.host if request.client else ""
    return client_address(peer, request.headers.get("x-forwarded-for"), request.app.state.settings.trusted_proxies)


DB = Annotated[Session, Depends(db)]
Config = Annotated[Settings, Depends(settings)]
Address = Annotated[str, Depends(address)]
UploadSlots = Annotated[threading.Semaphore, Depends(upload_slots)]


@dataclass
class Caller:
    user: User
    token: ApiToken


def caller(session: DB, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> Caller:
    found = token_user(session, credentials.credentials) if credentials else None
    if found is None:
        raise HTTPException(401, "sign in: give a valid, unexpired token as 'Authorization: Bearer <token>'",
                            headers={"WWW-Authenticate": "Bearer"})  # fmt: skip
    session.commit()  # keeps last_used_at
    return Caller(*found)


Authenticated = Annotated[Caller, Depends(caller)]


@dataclass
class ClusterContext:
    cluster: Cluster
    viewer: Viewer
    user: User


def cluster_context(slug: Slug, session: DB, who: Authenticated) -> ClusterContext:
    # Ids are unique among each user's clusters only: the id names one of the caller's, never anyone else's.
    # A cluster one does not belong to is reported as unknown: its existence is nobody else's business.
    membership = session.scalar(select(Membership).join(Cluster).where(Cluster.slug == slug,
                                                                       Membership.user_id == who.user.id)
                                .order_by(Membership.id).limit(1))  # fmt: skip
    if membership is None:
        raise HTTPException(404, f"no cluster '{slug}' among yours")
    cluster = membership.cluster
    viewer = Viewer(who.user.id, Role(membership.role), membership.member.key if membership.member else None)
    return ClusterContext(cluster, viewer, who.user)


InCluster = Annotated[ClusterContext, Depends(cluster_context)]


def coordinator(context: InCluster) -> ClusterContext:
    if not can_manage(context.viewer):
        raise HTTPException(403, "only the cluster's coordinator may do this")
    return context


AsCoordinator = Annotated[ClusterContext, Depends(coordinator)]


def member_of(session: Session, cluster: Cluster, key: str) -> Member:
    member = session.scalar(select(Member).where(Member.cluster_id == cluster.id, Member.key == key,
                                                 Member.removed_at.is_(None)))  # fmt: skip
    if member is None:
        raise HTTPException(404, f"no member '{key}' in cluster '{cluster.slug}'")
    return member
