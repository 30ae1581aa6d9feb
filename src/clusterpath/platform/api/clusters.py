"""Clusters, their member companies, memberships and invitations."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import APIRouter, HTTPException, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func, select

from clusterpath.platform import audit, releases
from clusterpath.platform.access import Role, Viewer, can_read_raw, register_view
from clusterpath.platform.api.deps import (
    DB,
    Address,
    AsCoordinator,
    Authenticated,
    Config,
    Email,
    Identifier,
    InCluster,
    MemberKey,
    Name,
    RowId,
    Tree,
    member_of,
)
from clusterpath.platform.memberdata import validate_description
from clusterpath.platform.models import Cluster, Invitation, Member, MemberDataVersion, Membership, utcnow
from clusterpath.platform.security import INVITATION_PREFIX, digest, new_secret

router = APIRouter(tags=["clusters"])
INVITATION_DAYS = 14
DEFAULT_P = 10.0  # p of the p% rule for a new cluster (docs/security.md)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class NewCluster(Strict):
    slug: Identifier = Field(description="the cluster's id, used in URLs and results")
    name: Name
    k: int | None = Field(default=None, ge=2, le=1000, description="members an aggregate needs to be shown")
    # At least 1: with p = 0 the audit would accept a figure worked out exactly.
    p: float | None = Field(default=None, ge=1, le=100, description="the p of the p% rule: no member may estimate "
                            "another's part of a released figure to within p % (default 10)")
    description: Tree = Field(description="the cluster description without members: country, location, kind, "
                                          "currency, base_year, discount_rate, resources, grid (docs/input-format.md)")


class ClusterChange(Strict):
    name: Name | None = None
    k: int | None = Field(default=None, ge=2, le=1000)
    p: float | None = Field(default=None, ge=1, le=100)
    description: Tree | None = None


class NewMember(Strict):
    key: Identifier = Field(description="the member's id in the cluster description")
    name: Name


class NewInvitation(Strict):
    email: Email
    role: Role
    member: Identifier | None = Field(default=None, description="for role 'member': the company's key")


def _description(data: dict[str, Any], slug: str, name: str) -> dict:
    given = data.get("id")
    if given is not None and given != slug:
        raise HTTPException(422, f"description.id '{given}' differs from the cluster's slug '{slug}'")
    return validate_description({**data, "id": slug, "name": data.get("name") or name})


def _cluster(cluster: Cluster, role: str | None = None, *, full: bool = True, viewer: Viewer | None = None) -> dict:
    out = {"slug": cluster.slug, "name": cluster.name, "k": cluster.k_threshold, "p": cluster.p_percent,
           "created_at": cluster.created_at}
    if role is not None:
        out["role"] = role
    if full:
        out["description"] = cluster.description if viewer is None else register_view(viewer, cluster.description)
    return out


def slug_in_use(session, user_id: int, slug: str, other_than: int | None = None) -> bool:
    """Whether one of the user's clusters (other than ``other_than``) has this id. Ids are unique per user, not
    globally, so that no answer tells anyone which ids other people's clusters have."""
    query = select(Cluster.id).join(Membership).where(Membership.user_id == user_id, Cluster.slug == slug)
    if other_than is not None:
        query = query.where(Cluster.id != other_than)
    return session.scalar(query.limit(1)) is not None


@router.post("/clusters", status_code=201)
def create_cluster(body: NewCluster, who: Authenticated, session: DB, config: Config, where: Address) -> dict:
    """Create a cluster; its creator is its coordinator."""
    cluster = add_cluster(session, who.user.id, body, config.default_k, where)
    session.commit()
    return _cluster(cluster, Role.COORDINATOR)


def add_cluster(session, user_id: int, body: NewCluster, default_k: int, where: str, **detail) -> Cluster:
    """The new cluster with its creator as coordinator, not yet committed."""
    if slug_in_use(session, user_id, body.slug):
        raise HTTPException(409, f"you have a cluster '{body.slug}' already among yours: choose another id")
    description = _description(body.description, body.slug, body.name)
    cluster = Cluster(slug=body.slug, name=body.name, description=description, k_threshold=body.k or default_k,
                      p_percent=DEFAULT_P if body.p is None else body.p, created_by=user_id,
                      created_at=utcnow())  # fmt: skip
    session.add(cluster)
    session.flush()
    session.add(Membership(user_id=user_id, cluster_id=cluster.id, role=Role.COORDINATOR, created_at=utcnow()))
    audit.record(session, "cluster.create", user_id=user_id, cluster_id=cluster.id, target=body.slug, address=where,
                 **detail)  # fmt: skip
    return cluster


@router.get("/clusters")
def list_clusters(who: Authenticated, session: DB) -> list[dict]:
    rows = session.execute(select(Cluster, Membership.role).join(Membership, Membership.cluster_id == Cluster.id)
                           .where(Membership.user_id == who.user.id).order_by(Cluster.slug)).all()  # fmt: skip
    return [_cluster(cluster, role, full=False) for cluster, role in rows]


@router.get("/clusters/{slug}")
def get_cluster(context: InCluster) -> dict:
    """The cluster's settings and description (no member data), and the caller's role in it."""
    out = _cluster(context.cluster, context.viewer.role, viewer=context.viewer)
    out["member"] = context.viewer.member_key
    return out


@router.patch("/clusters/{slug}")
def change_cluster(body: ClusterChange, context: AsCoordinator, session: DB, where: Address) -> dict:
    """Rename, set k, or replace the description; results keep the description they were computed with."""
    cluster = context.cluster
    if body.name is not None:
        cluster.name = body.name
    if body.k is not None:
        cluster.k_threshold = body.k
    if body.p is not None:
        cluster.p_percent = body.p
    if body.description is not None:
        cluster.description = _description(body.description, cluster.slug, cluster.name)
    audit.record(session, "cluster.update", user_id=context.user.id, cluster_id=cluster.id, target=cluster.slug,
                 address=where, fields=sorted(body.model_dump(exclude_none=True)))  # fmt: skip
    session.commit()
    return _cluster(cluster, context.viewer.role, viewer=context.viewer)


@router.get("/clusters/{slug}/members")
def list_members(context: InCluster, session: DB) -> list[dict]:
    """The member companies; version details only for one's own company (all for the coordinator). Whether
    another company has data is told as of the cluster's latest release of aggregates: told live, it would
    say who uploaded between two releases, and so whose figures their difference is."""
    released = releases.shown_members(releases.latest(session, context.cluster))
    latest = dict(session.execute(select(MemberDataVersion.member_id, func.max(MemberDataVersion.number))
                                  .join(Member).where(Member.cluster_id == context.cluster.id)
                                  .group_by(MemberDataVersion.member_id)).all())  # fmt: skip
    out = []
    for member in context.cluster.members:
        row = {"key": member.key, "name": member.name, "has_data": member.key in released}
        if can_read_raw(context.viewer, member.key):
            row |= {"has_data": member.id in latest, "latest_version": latest.get(member.id)}
        out.append(row)
    return out


@router.post("/clusters/{slug}/members", status_code=201)
def add_member(body: NewMember, context: AsCoordinator, session: DB, where: Address) -> dict:
    cluster = context.cluster
    existing = session.scalar(select(Member).where(Member.cluster_id == cluster.id, Member.key == body.key))
    if existing is not None and existing.removed_at is not None:
        # Its old versions stay attached to the key for the results that used them: a new company needs a new id.
        raise HTTPException(409, f"member '{body.key}' of cluster '{cluster.slug}' was removed: choose another id")
    if existing is not None:
        raise HTTPException(409, f"cluster '{cluster.slug}' has a member '{body.key}' already")
    member = Member(cluster_id=cluster.id, key=body.key, name=body.name, created_at=utcnow())
    session.add(member)
    audit.record(session, "member.create", user_id=context.user.id, cluster_id=cluster.id, target=body.key,
                 address=where)  # fmt: skip
    session.commit()
    return {"key": member.key, "name": member.name, "has_data": False, "latest_version": None}


@router.get("/clusters/{slug}/memberships")
def list_memberships(context: AsCoordinator, session: DB) -> list[dict]:
    rows = session.scalars(select(Membership).where(Membership.cluster_id == context.cluster.id)
                           .order_by(Membership.id)).all()  # fmt: skip
    return [{"id": row.id, "user": row.user.email, "name": row.user.name, "role": row.role,
             "member": row.member.key if row.member else None} for row in rows]  # fmt: skip


@router.delete("/clusters/{slug}/memberships/{membership_id}", status_code=204)
def remove_membership(membership_id: RowId, context: AsCoordinator, session: DB, where: Address) -> Response:
    """Take a user out of the cluster: from now on the cluster is unknown to them."""
    row = session.get(Membership, membership_id)
    if row is None or row.cluster_id != context.cluster.id:
        raise HTTPException(404, f"no membership {membership_id} in cluster '{context.cluster.slug}'")
    if row.role == Role.COORDINATOR and session.scalar(select(func.count()).where(
            Membership.cluster_id == context.cluster.id, Membership.role == Role.COORDINATOR)) <= 1:  # fmt: skip
        raise HTTPException(409, "this is the cluster's only coordinator: invite another coordinator first")
    audit.record(session, "membership.remove", user_id=context.user.id, cluster_id=context.cluster.id,
                 target=f"membership {row.id}", address=where, removed=row.user.email, role=row.role)  # fmt: skip
    session.delete(row)
    session.commit()
    return Response(status_code=204)


@router.delete("/clusters/{slug}/members/{key}", status_code=204)
def remove_member(key: MemberKey, context: AsCoordinator, session: DB, where: Address) -> Response:
    """Remove a member company: its users leave the cluster, its data stop counting in new jobs. Its versions
    are kept (earlier results were computed from them) and stay readable to the coordinator in those results."""
    member = member_of(session, context.cluster, key)
    users = session.scalars(select(Membership).where(Membership.member_id == member.id)).all()
    member.removed_at = utcnow()
    for row in users:
        session.delete(row)
    for invitation in session.scalars(select(Invitation).where(Invitation.member_id == member.id,
                                                               Invitation.accepted_at.is_(None))):  # fmt: skip
        session.delete(invitation)
    audit.record(session, "member.remove", user_id=context.user.id, cluster_id=context.cluster.id, target=key,
                 address=where, users_removed=sorted(row.user.email for row in users))  # fmt: skip
    session.commit()
    return Response(status_code=204)


@router.post("/clusters/{slug}/invitations", status_code=201)
def invite(body: NewInvitation, context: AsCoordinator, session: DB, where: Address) -> dict:
    """A one-time code for this email and role. No mail is sent: hand the code to the person yourself."""
    cluster = context.cluster
    member = None
    if body.role is Role.MEMBER:
        if body.member is None:
            raise HTTPException(422, "an invitation as 'member' names the company: give 'member'")
        member = member_of(session, cluster, body.member)
    elif body.member is not None:
        raise HTTPException(422, f"a '{body.role}' belongs to no company: leave 'member' out")
    code = new_secret(INVITATION_PREFIX)
    now = utcnow()
    invitation = Invitation(cluster_id=cluster.id, email=body.email, role=body.role,
                            member_id=member.id if member else None, code_hash=digest(code), created_by=context.user.id,
                            created_at=now, expires_at=now + timedelta(days=INVITATION_DAYS))  # fmt: skip
    session.add(invitation)
    session.flush()
    audit.record(session, "invitation.create", user_id=context.user.id, cluster_id=cluster.id,
                 target=f"invitation {invitation.id}", address=where, role=body.role,
                 member=body.member)  # fmt: skip
    session.commit()
    return {"id": invitation.id, "email": invitation.email, "role": invitation.role, "member": body.member,
            "code": code, "expires_at": invitation.expires_at}  # fmt: skip


@router.get("/clusters/{slug}/invitations")
def list_invitations(context: AsCoordinator, session: DB) -> list[dict]:
    rows = session.scalars(select(Invitation).where(Invitation.cluster_id == context.cluster.id)
                           .order_by(Invitation.id)).all()  # fmt: skip
    return [{"id": row.id, "email": row.email, "role": row.role, "member": row.member.key if row.member else None,
             "created_at": row.created_at, "expires_at": row.expires_at, "accepted": row.accepted_at is not None}
            for row in rows]  # fmt: skip


@router.delete("/clusters/{slug}/invitations/{invitation_id}", status_code=204)
def revoke_invitation(invitation_id: RowId, context: AsCoordinator, session: DB, where: Address) -> Response:
    """Withdraw an invitation not yet accepted: its code stops working."""
    row = session.get(Invitation, invitation_id)
    if row is None or row.cluster_id != context.cluster.id or row.accepted_at is not None:
        raise HTTPException(404, f"no open invitation {invitation_id} in cluster '{context.cluster.slug}'")
    audit.record(session, "invitation.revoke", user_id=context.user.id, cluster_id=context.cluster.id,
                 target=f"invitation {row.id}", address=where, invited=row.email, role=row.role)  # fmt: skip
    session.delete(row)
    session.commit()
    return Response(status_code=204)
