"""A member company's data: upload a file or send the description, list and read its versions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, TypeVar

from fastapi import APIRouter, File, HTTPException, Response, UploadFile
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from clusterpath.platform import audit
from clusterpath.platform.access import can_read_raw, can_write_data
from clusterpath.platform.api.deps import (
    DB,
    Address,
    Config,
    InCluster,
    MemberKey,
    RowId,
    Tree,
    UploadSlots,
    member_of,
)
from clusterpath.platform.memberdata import content_hash, parse_upload, validate_member
from clusterpath.platform.models import Member, MemberDataVersion, utcnow

router = APIRouter(tags=["member data"])
T = TypeVar("T")


def _version(row: MemberDataVersion, *, content: bool = False) -> dict:
    out = {"member": row.member.key, "number": row.number, "sha256": row.sha256, "source": row.source,
           "filename": row.filename, "created_at": row.created_at}  # fmt: skip
    if content:
        out["content"] = row.content
    return out


def _writable(context, session, key: str) -> Member:
    member = member_of(session, context.cluster, key)
    if not can_write_data(context.viewer, key):
        raise HTTPException(403, "you may change only your own company's data")
    return member


def _store(context, session, member: Member, data: dict, source: str, filename: str | None, where: str,
           response: Response) -> dict:  # fmt: skip
    """A new immutable version, unless the content equals the latest one (then that one, with 200)."""
    digest = content_hash(data)
    latest = session.scalar(select(MemberDataVersion).where(MemberDataVersion.member_id == member.id)
                            .order_by(MemberDataVersion.number.desc()).limit(1))  # fmt: skip
    if latest is not None and latest.sha256 == digest:
        response.status_code = 200
        return _version(latest) | {"unchanged": True}
    row = MemberDataVersion(member_id=member.id, number=(latest.number if latest else 0) + 1, content=data,
                            sha256=digest, source=source, filename=filename, created_by=context.user.id,
                            created_at=utcnow())  # fmt: skip
    session.add(row)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        raise HTTPException(409, "another upload for this member arrived at the same time: send yours again") from None
    audit.record(session, "data.write", user_id=context.user.id, cluster_id=context.cluster.id, target=member.key,
                 address=where, version=row.number, sha256=digest, source=source)  # fmt: skip
    session.commit()
    response.status_code = 201
    return _version(row) | {"unchanged": False}


def read_bounded(file: UploadFile, config, slots, parse: Callable[[str, bytes], T]) -> T:
    """``parse(filename, content)`` of an uploaded file, refused above the size limit (413) and run in one of
    the few parse slots (503 when all stay busy)."""
    content = file.file.read(config.max_upload_bytes + 1)
    if len(content) > config.max_upload_bytes:
        raise HTTPException(413, f"the file is above the {config.max_upload_bytes / 2**20:.1f} MiB limit")
    # Reading a file costs memory up to the readers' limits (io.limits, io.xlsx): only a few at once, so
    # that many simultaneous uploads cannot add up to more than the server has.
    if not slots.acquire(timeout=config.upload_wait_seconds):
        raise HTTPException(503, "the server is busy reading other uploads: send the file again in a minute",
                            headers={"Retry-After": "30"})  # fmt: skip
    try:
        return parse(file.filename or "upload", content)
    finally:
        slots.release()


@router.post("/clusters/{slug}/members/{key}/upload", status_code=201,
             responses={200: {"description": "same content as the latest version: nothing new stored"},
                        413: {"description": "the file is too large"},
                        503: {"description": "the server is reading other uploads: send it again later"},
                        422: {"description": "the file is not a valid member description; each problem names "
                                             "its field and line, or sheet and row"}})  # fmt: skip
def upload(key: MemberKey, file: Annotated[UploadFile, File(description="YAML, JSON or the Excel template")],
           context: InCluster, session: DB, config: Config, where: Address, response: Response,
           slots: UploadSlots) -> dict:  # fmt: skip
    """Upload the company's description as a file; it becomes a new version when valid."""
    member = _writable(context, session, key)
    data, kind = read_bounded(file, config, slots, lambda name, content: parse_upload(name, content, member.key))
    return _store(context, session, member, data, kind, (file.filename or "")[:255] or None, where, response)


@router.put("/clusters/{slug}/members/{key}/data", status_code=201,
            responses={200: {"description": "same content as the latest version: nothing new stored"},
                       422: {"description": "not a valid member description; each problem names its field"}})
def edit(key: MemberKey, body: Tree, context: InCluster, session: DB, where: Address, response: Response) -> dict:
    """Send the company's description (the fields of one member in a cluster file) as JSON."""
    member = _writable(context, session, key)
    data = validate_member(body, member.key, "data")
    return _store(context, session, member, data, "api", None, where, response)


def _readable(context, session, key: str) -> Member:
    member = member_of(session, context.cluster, key)
    if not can_read_raw(context.viewer, key):
        raise HTTPException(403, "you may see only your own company's data")
    return member


@router.get("/clusters/{slug}/members/{key}/versions")
def versions(key: MemberKey, context: InCluster, session: DB) -> list[dict]:
    member = _readable(context, session, key)
    rows = session.scalars(select(MemberDataVersion).where(MemberDataVersion.member_id == member.id)
                           .order_by(MemberDataVersion.number)).all()  # fmt: skip
    return [_version(row) for row in rows]


@router.get("/clusters/{slug}/members/{key}/versions/{number}")
def version(key: MemberKey, number: RowId, context: InCluster, session: DB, where: Address) -> dict:
    """One version with its content (confidential: the read is audited)."""
    member = _readable(context, session, key)
    row = session.scalar(select(MemberDataVersion).where(MemberDataVersion.member_id == member.id,
                                                         MemberDataVersion.number == number))  # fmt: skip
    if row is None:
        newest = session.scalar(select(func.max(MemberDataVersion.number)).where(MemberDataVersion.member_id == member.id))
        raise HTTPException(404, f"member '{key}' has no version {number} (latest: {newest or 'none'})")
    audit.record(session, "data.read", user_id=context.user.id, cluster_id=context.cluster.id, target=member.key,
                 address=where, version=number)  # fmt: skip
    session.commit()
    return _version(row, content=True)
