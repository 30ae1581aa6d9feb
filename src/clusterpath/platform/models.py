"""The tables. Member data versions and input versions are never updated once written:
a result points at the input version it was computed from, and that at the exact member data."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Stored as naive UTC, read back as aware UTC: SQLite keeps no zone, and comparisons must work on both."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime, dict[str, Any]: JSON, list[Any]: JSON}


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ApiToken(Base):
    """A session token (from a login, short-lived) or an API token (for scripts, long-lived); only hashes are kept."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(100), default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    # The session an API token was made with: logging that session out revokes the token too.
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("api_tokens.id", ondelete="SET NULL"), index=True)
    user: Mapped[User] = relationship()


class LoginAttempt(Base):
    __tablename__ = "login_attempts"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    address: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    success: Mapped[bool] = mapped_column(Boolean)


class Cluster(Base):
    __tablename__ = "clusters"
    id: Mapped[int] = mapped_column(primary_key=True)
    # Unique among the clusters of each user, not globally: a global id would tell anyone who creates a
    # cluster which ids others use (docs/security.md, "Ids").
    slug: Mapped[str] = mapped_column(String(64), index=True)
    name: Mapped[str] = mapped_column(String(200))
    # The coordinator's part of the cluster description: everything but the members.
    description: Mapped[dict[str, Any]]
    k_threshold: Mapped[int]
    # The p of the p% rule (docs/security.md): no member may estimate another's part of a figure to within p %.
    p_percent: Mapped[float] = mapped_column(Float, default=10.0, server_default=text("10"))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The current member companies; a removed one keeps its row for the versions earlier results used.
    members: Mapped[list[Member]] = relationship(
        primaryjoin="and_(Cluster.id == Member.cluster_id, Member.removed_at.is_(None))", order_by="Member.key",
        viewonly=True)  # fmt: skip


class Member(Base):
    """A company of a cluster; its data arrive as versions."""

    __tablename__ = "members"
    __table_args__ = (UniqueConstraint("cluster_id", "key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    cluster_id: Mapped[int] = mapped_column(ForeignKey("clusters.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    removed_at: Mapped[datetime | None]
    cluster: Mapped[Cluster] = relationship()


class Membership(Base):
    """A user's role in one cluster; a member company's users are bound to that company."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("user_id", "cluster_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    cluster_id: Mapped[int] = mapped_column(ForeignKey("clusters.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    user: Mapped[User] = relationship()
    member: Mapped[Member | None] = relationship()
    cluster: Mapped[Cluster] = relationship()


class OneTimeCode:
    """What every invitation has: the email it is for, its code (only the hash is kept), who made it and when,
    until when it holds, and who used it when."""

    email: Mapped[str] = mapped_column(String(254))
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None]
    accepted_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    def is_open(self, email: str, now: datetime) -> bool:
        """Usable now by the user of this email: not used, not expired, and for that email."""
        return self.accepted_at is None and self.expires_at > now and self.email == email


class Invitation(OneTimeCode, Base):
    __tablename__ = "invitations"
    id: Mapped[int] = mapped_column(primary_key=True)
    cluster_id: Mapped[int] = mapped_column(ForeignKey("clusters.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    member: Mapped[Member | None] = relationship()
    cluster: Mapped[Cluster] = relationship()


class MemberDataVersion(Base):
    """One upload or edit of a member's description; immutable, identified by its number and content hash."""

    __tablename__ = "member_data_versions"
    __table_args__ = (UniqueConstraint("member_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    content: Mapped[dict[str, Any]]
    sha256: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(10))
    filename: Mapped[str | None] = mapped_column(String(255))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    member: Mapped[Member] = relationship()


input_version_members = Table(
    "input_version_members",
    Base.metadata,
    Column("input_version_id", ForeignKey("input_versions.id", ondelete="CASCADE"), primary_key=True),
    Column("member_version_id", ForeignKey("member_data_versions.id", ondelete="RESTRICT"), primary_key=True),
)


class InputVersion(Base):
    """The exact input of a computation: the cluster description, the member versions and the scenario."""

    __tablename__ = "input_versions"
    __table_args__ = (UniqueConstraint("cluster_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    cluster_id: Mapped[int] = mapped_column(ForeignKey("clusters.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    description: Mapped[dict[str, Any]]
    scenario: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    member_versions: Mapped[list[MemberDataVersion]] = relationship(secondary=input_version_members)


class Job(Base):
    __tablename__ = "jobs"
    id: Mapped[int] = mapped_column(primary_key=True)
    cluster_id: Mapped[int] = mapped_column(ForeignKey("clusters.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(10), index=True)
    options: Mapped[dict[str, Any]]
    input_version_id: Mapped[int] = mapped_column(ForeignKey("input_versions.id", ondelete="RESTRICT"))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    heartbeat_at: Mapped[datetime | None]
    worker_id: Mapped[str | None] = mapped_column(String(120))
    attempts: Mapped[int] = mapped_column(default=0)
    log: Mapped[str] = mapped_column(Text, default="")
    error: Mapped[str | None] = mapped_column(Text)
    input_version: Mapped[InputVersion] = relationship()


class Result(Base):
    """What a job produced, kept per input version; ``contributors`` says which members each figure sums."""

    __tablename__ = "results"
    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), unique=True)
    cluster_id: Mapped[int] = mapped_column(ForeignKey("clusters.id", ondelete="CASCADE"), index=True)
    input_version_id: Mapped[int] = mapped_column(ForeignKey("input_versions.id", ondelete="RESTRICT"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    payload: Mapped[dict[str, Any]]
    contributors: Mapped[dict[str, Any]]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    job: Mapped[Job] = relationship()
    input_version: Mapped[InputVersion] = relationship()


class Release(Base):
    """What one audience of a cluster was shown of the aggregates at one time, and the cells behind it.

    Audiences see aggregates only through releases, never live, so the audit of a new release can take in
    everything the audience holds. ``cells`` keeps the true amounts behind every figure (confidential: the
    server's to read, like the member data they come from); ``released`` what went out, ``withheld`` why not."""

    __tablename__ = "disclosure_releases"
    __table_args__ = (UniqueConstraint("cluster_id", "audience", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    cluster_id: Mapped[int] = mapped_column(ForeignKey("clusters.id", ondelete="CASCADE"), index=True)
    audience: Mapped[str] = mapped_column(String(20))
    number: Mapped[int]
    input_key: Mapped[str] = mapped_column(String(64))
    k: Mapped[int]
    p: Mapped[float] = mapped_column(Float)
    members: Mapped[dict[str, Any]]  # member key -> epoch of its data
    rows: Mapped[dict[str, Any]]  # table -> its row keys
    cells: Mapped[dict[str, Any]]  # cell id -> [member, epoch, sector, carrier, column, value]
    figures: Mapped[dict[str, Any]]  # figure id -> [table, row, column, ids of the cells it sums]
    released: Mapped[dict[str, Any]]  # figure id -> value
    withheld: Mapped[dict[str, Any]]  # figure id -> why
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AuditEntry(Base):
    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    cluster_id: Mapped[int | None] = mapped_column(ForeignKey("clusters.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(40))
    target: Mapped[str] = mapped_column(String(200), default="")
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    address: Mapped[str] = mapped_column(String(64), default="")


class Initiative(Base):
    """An initiative of many clusters (a portfolio): its analysts see each enrolled cluster's aggregates."""

    __tablename__ = "initiatives"
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), index=True)  # unique among each user's initiatives, as a cluster's
    name: Mapped[str] = mapped_column(String(200))
    currency: Mapped[str] = mapped_column(String(3))
    # Currency code -> {"rate": initiative currency per unit, "year": ..., "source": ...}.
    exchange_rates: Mapped[dict[str, Any]]
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    enrolments: Mapped[list[Enrolment]] = relationship(back_populates="initiative", order_by="Enrolment.id")


class Analyst(Base):
    """A user who reads an initiative's portfolio (cluster-level aggregates only)."""

    __tablename__ = "initiative_analysts"
    __table_args__ = (UniqueConstraint("user_id", "initiative_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiatives.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    user: Mapped[User] = relationship()


class Enrolment(Base):
    """A cluster in an initiative, put there by the cluster's coordinator (the cluster's consent)."""

    __tablename__ = "initiative_clusters"
    __table_args__ = (UniqueConstraint("initiative_id", "cluster_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiatives.id", ondelete="CASCADE"), index=True)
    cluster_id: Mapped[int] = mapped_column(ForeignKey("clusters.id", ondelete="CASCADE"), index=True)
    enrolled_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    enrolled_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The coordinator's consent to show the initiative's analysts the register's projects (never their money
    # or companies); off unless the coordinator turns it on. Existing enrolments never consented.
    share_register: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    initiative: Mapped[Initiative] = relationship(back_populates="enrolments")
    cluster: Mapped[Cluster] = relationship()


class ClosedYear(Base):
    """A year of an initiative as its analysts closed it: the portfolio they saw then, never changed afterwards,
    so next year's figures compare with what was reported and not with a recomputed past."""

    __tablename__ = "initiative_years"
    __table_args__ = (UniqueConstraint("initiative_id", "year"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiatives.id", ondelete="CASCADE"), index=True)
    year: Mapped[int]
    # What GET /initiatives/{slug}/portfolio returned then, the registers shared then included.
    snapshot: Mapped[dict[str, Any]]
    closed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    closed_at: Mapped[datetime] = mapped_column(default=utcnow)
    closer: Mapped[User | None] = relationship()


class InitiativeInvitation(OneTimeCode, Base):
    """The owner's one-time code for one email: to become an analyst ('analyst'), or to enrol a cluster that
    email coordinates ('cluster')."""

    __tablename__ = "initiative_invitations"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10), default="analyst")
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiatives.id", ondelete="CASCADE"), index=True)
    initiative: Mapped[Initiative] = relationship()
