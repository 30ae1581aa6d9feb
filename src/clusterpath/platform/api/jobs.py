"""Submit computations as background jobs, follow them, and see the exact input each one used."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from clusterpath.io.errors import from_validation
from clusterpath.platform import audit
from clusterpath.platform.api.deps import DB, Address, AsCoordinator, InCluster, RowId, Tree
from clusterpath.platform.jobs import KINDS, QUEUED, resolve_scenario
from clusterpath.platform.memberdata import content_hash
from clusterpath.platform.models import Cluster, InputVersion, Job, Member, MemberDataVersion, utcnow

router = APIRouter(tags=["jobs"])


class NewJob(BaseModel):
    model_config = ConfigDict(extra="forbid")
    # One registry (jobs.KINDS) names the kinds; a new kind also needs its rule in access.FILTERS.
    kind: Literal[tuple(KINDS)]  # type: ignore[valid-type]
    options: Tree = Field(default_factory=dict, description="per kind: scenario (a shipped name or a mapping), "
                          "typical_days, mip_gap, time_limit; allocate: method; collaborate: exact_up_to, samples, seed")


def _latest_versions(session: Session, cluster: Cluster) -> tuple[list[MemberDataVersion], list[str]]:
    newest = (select(MemberDataVersion.member_id, func.max(MemberDataVersion.number).label("number"))
              .join(Member).where(Member.cluster_id == cluster.id, Member.removed_at.is_(None))
              .group_by(MemberDataVersion.member_id).subquery())
    rows = session.scalars(select(MemberDataVersion).join(newest, (MemberDataVersion.member_id == newest.c.member_id)
                                                          & (MemberDataVersion.number == newest.c.number))).all()
    have = {row.member_id for row in rows}
    missing = [m.key for m in cluster.members if m.id not in have]
    return sorted(rows, key=lambda row: row.member.key), missing


def input_version(session: Session, cluster: Cluster, scenario: dict | None, user_id: int) -> tuple[InputVersion, list[str]]:
    """The input version of the cluster's current data and this scenario: an existing one when identical."""
    versions, missing = _latest_versions(session, cluster)
    identity = {"description": cluster.description, "scenario": scenario,
                "members": {row.member.key: row.sha256 for row in versions}}  # fmt: skip
    digest = content_hash(identity)
    existing = session.scalar(select(InputVersion).where(InputVersion.cluster_id == cluster.id,
                                                         InputVersion.sha256 == digest))  # fmt: skip
    if existing is not None:
        return existing, missing
    number = (session.scalar(select(func.max(InputVersion.number)).where(InputVersion.cluster_id == cluster.id)) or 0) + 1
    row = InputVersion(cluster_id=cluster.id, number=number, description=cluster.description, scenario=scenario,
                       sha256=digest, created_by=user_id, created_at=utcnow(), member_versions=list(versions))  # fmt: skip
    session.add(row)
    session.flush()
    return row, missing


def _job(job: Job, coordinator: bool) -> dict:
    out = {"id": job.id, "kind": job.kind, "status": job.status, "options": job.options,
           "input_version": job.input_version.number, "created_at": job.created_at, "started_at": job.started_at,
           "finished_at": job.finished_at, "attempts": job.attempts}  # fmt: skip
    if coordinator:
        # Logs and errors can quote member data (an infeasible plan names the largest emitters).
        out |= {"log": job.log, "error": job.error}
    return out


@router.post("/clusters/{slug}/jobs", status_code=202)
def submit(body: NewJob, context: AsCoordinator, session: DB, request: Request, where: Address) -> dict:
    """Queue a computation on the members' latest data; members without data are left out (and listed)."""
    kind = KINDS[body.kind]
    try:
        options = kind.options.model_validate(body.options)
    except ValidationError as error:
        raise from_validation("options", error, body.options) from None
    scenario = resolve_scenario(options) if kind.needs_scenario else None
    # Submissions to one cluster take turns from here to their commit (a row lock in PostgreSQL, the write
    # lock in SQLite): two at once would both create the input version of the same data, or collide on its
    # number and answer 409.
    session.execute(update(Cluster).where(Cluster.id == context.cluster.id).values(k_threshold=Cluster.k_threshold))
    version, missing = input_version(session, context.cluster, scenario, context.user.id)
    if len(version.member_versions) < kind.min_members:
        raise HTTPException(409, f"{body.kind} needs data from at least {kind.min_members} member(s); "
                                 f"{len(version.member_versions)} have uploaded so far")  # fmt: skip
    job = Job(cluster_id=context.cluster.id, kind=body.kind, status=QUEUED, options=options.model_dump(mode="json"),
              input_version_id=version.id, input_version=version, created_by=context.user.id, created_at=utcnow(),
              attempts=0, log="")  # fmt: skip
    session.add(job)
    session.flush()
    audit.record(session, "job.submit", user_id=context.user.id, cluster_id=context.cluster.id, target=f"job {job.id}",
                 address=where, kind=body.kind, input_version=version.number)  # fmt: skip
    session.commit()
    worker = getattr(request.app.state, "worker", None)
    if worker is not None:
        worker.wake()
    return _job(job, True) | {"members_left_out": missing}


@router.get("/clusters/{slug}/jobs")
def list_jobs(context: InCluster, session: DB) -> list[dict]:
    rows = session.scalars(select(Job).where(Job.cluster_id == context.cluster.id).order_by(Job.id.desc()).limit(500))
    return [_job(job, context.viewer.is_coordinator) for job in rows]


@router.get("/clusters/{slug}/jobs/{job_id}")
def get_job(job_id: RowId, context: InCluster, session: DB) -> dict:
    """A job's status; its log and error for the coordinator."""
    job = session.get(Job, job_id)
    if job is None or job.cluster_id != context.cluster.id:
        raise HTTPException(404, f"no job {job_id} in cluster '{context.cluster.slug}'")
    return _job(job, context.viewer.is_coordinator)


def _input(row: InputVersion, coordinator: bool) -> dict:
    out = {"number": row.number, "sha256": row.sha256, "created_at": row.created_at,
           "scenario": (row.scenario or {}).get("name")}
    if coordinator:
        # Whose data each input holds is the coordinator's: two inputs' member lists would tell others who
        # joined in between, and so whose figures the difference of two results is.
        out["members"] = sorted(v.member.key for v in row.member_versions)
        out["member_versions"] = {v.member.key: {"number": v.number, "sha256": v.sha256}
                                  for v in sorted(row.member_versions, key=lambda v: v.member.key)}  # fmt: skip
    return out


@router.get("/clusters/{slug}/input-versions")
def list_inputs(context: InCluster, session: DB) -> list[dict]:
    rows = session.scalars(select(InputVersion).where(InputVersion.cluster_id == context.cluster.id)
                           .order_by(InputVersion.number))  # fmt: skip
    return [_input(row, context.viewer.is_coordinator) for row in rows]


@router.get("/clusters/{slug}/input-versions/{number}")
def get_input(number: RowId, context: InCluster, session: DB) -> dict:
    """Which member data versions and scenario a computation used (versions and hashes for the coordinator)."""
    row = session.scalar(select(InputVersion).where(InputVersion.cluster_id == context.cluster.id,
                                                    InputVersion.number == number))  # fmt: skip
    if row is None:
        raise HTTPException(404, f"no input version {number} in cluster '{context.cluster.slug}'")
    out = _input(row, context.viewer.is_coordinator)
    if context.viewer.is_coordinator:
        out |= {"description": row.description, "scenario_data": row.scenario}
    return out
