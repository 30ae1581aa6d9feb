"""A whole cluster in one file, in and out: the file the command line reads (YAML, JSON or the workbook of
`clusterpath template`: the cluster, its members and their data, the register, the policies) becomes a cluster
on the platform, and a cluster on the platform becomes that file again.

An import is read by the same bounded readers as a member's upload (io.limits, io.xlsx, the size limit and the
parse slots of data.read_bounded), checked whole before anything is stored (every problem named with its field
and line, or sheet and row), and stored in one transaction: the description, one member company per member,
one data version each, and the input version of exactly that data. Then the coordinator invites each company's
people. "Try it" imports a bundled example the same way, as a private cluster of the user who asks.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from fastapi import APIRouter, File, HTTPException, Query, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import select

from clusterpath import examples
from clusterpath.io.errors import Locate
from clusterpath.platform import audit
from clusterpath.platform.access import Role
from clusterpath.platform.api.clusters import NewCluster, _cluster, _description, add_cluster, slug_in_use
from clusterpath.platform.api.data import read_bounded
from clusterpath.platform.api.deps import (
    DB,
    Address,
    AsCoordinator,
    Authenticated,
    Config,
    Identifier,
    UploadSlots,
    _printable,
)
from clusterpath.platform.api.jobs import _latest_versions, input_version
from clusterpath.platform.memberdata import DataProblem, _problems, content_hash, plain, read_upload, validate_member
from clusterpath.platform.models import Cluster, Member, MemberDataVersion, utcnow
from clusterpath.schema import Cluster as ClusterSchema

router = APIRouter(tags=["clusters"])
FORMATS = ("yaml", "json", "xlsx")
MEDIA = {"yaml": "application/yaml", "json": "application/json",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}  # fmt: skip


@dataclass
class Parsed:
    """A whole cluster file, checked: the coordinator's part and each member's data."""

    source: str
    kind: str
    description: dict[str, Any]
    members: list[dict[str, Any]]


def parse_cluster(data: Any, locate: Locate | None, source: str, kind: str) -> Parsed:
    """The file's cluster split into description and members, or every problem at once (nothing is stored)."""
    if not isinstance(data, dict):
        raise DataProblem(source, [{"field": None, "where": None, "problem": "expected a cluster description (a "
                                    f"mapping of fields such as id, name, country, members), got {type(data).__name__}"}])
    data = plain(data)
    try:
        ClusterSchema.model_validate(data)
    except ValidationError as error:
        raise DataProblem(source, _problems(error, data, locate)) from None
    members = [validate_member(raw, str(raw["id"]), source, locate, ("members", position))
               for position, raw in enumerate(data["members"])]  # fmt: skip
    # A company's name becomes a column of its own, held to the platform's rules for text (no NUL for PostgreSQL).
    unfit = [position for position, raw in enumerate(members) if not _fit(raw["name"])]
    if unfit:
        raise DataProblem(source, [{"field": f"members[{position}].name", "where": locate(("members", position, "name"))
                                    if locate else None, "problem": "must not contain control characters"}
                                   for position in unfit])  # fmt: skip
    description = {key: value for key, value in data.items() if key != "members"}
    return Parsed(source=source, kind=kind, description=description, members=members)


def _fit(text: str) -> bool:
    try:
        _printable(text)
    except ValueError:
        return False
    return True


def _read(file: UploadFile, config, slots) -> Parsed:
    def parse(name: str, content: bytes) -> Parsed:
        data, locate, kind, shown = read_upload(name, content)
        return parse_cluster(data, locate, shown, kind)

    return read_bounded(file, config, slots, parse)


def store(session, cluster: Cluster, parsed: Parsed, user_id: int, where: str) -> dict:
    """The file's members and data into ``cluster`` (its description set already), and the input version of
    that data; not committed. A member the file does not name stays as it is and is listed."""
    existing = {m.key: m for m in session.scalars(select(Member).where(Member.cluster_id == cluster.id))}
    removed = sorted(key for key, m in existing.items() if m.removed_at is not None
                     and key in {d["id"] for d in parsed.members})  # fmt: skip
    if removed:
        # Their old versions stay with the key for the results that used them: a new company needs a new id.
        raise HTTPException(409, f"member(s) {', '.join(removed)} of cluster '{cluster.slug}' were removed: give "
                                 "the companies other ids in the file")  # fmt: skip
    stored = {}
    for data in parsed.members:
        member = existing.get(data["id"])
        if member is None:
            member = Member(cluster_id=cluster.id, key=data["id"], name="", created_at=utcnow())
            session.add(member)
            session.flush()
            audit.record(session, "member.create", user_id=user_id, cluster_id=cluster.id, target=member.key,
                         address=where)  # fmt: skip
        member.name = data["name"][:200]  # the column's width; the data keep the whole name
        latest = session.scalar(select(MemberDataVersion).where(MemberDataVersion.member_id == member.id)
                                .order_by(MemberDataVersion.number.desc()).limit(1))  # fmt: skip
        digest = content_hash(data)
        if latest is not None and latest.sha256 == digest:
            stored[member.key] = latest.number
            continue
        row = MemberDataVersion(member_id=member.id, number=(latest.number if latest else 0) + 1, content=data,
                                sha256=digest, source=parsed.kind, filename=parsed.source[:255], created_by=user_id,
                                created_at=utcnow())  # fmt: skip
        session.add(row)
        session.flush()
        audit.record(session, "data.write", user_id=user_id, cluster_id=cluster.id, target=member.key, address=where,
                     version=row.number, sha256=digest, source=parsed.kind)  # fmt: skip
        stored[member.key] = row.number
    session.expire(cluster, ["members"])
    version, _ = input_version(session, cluster, None, user_id)
    kept = sorted(m.key for m in cluster.members if m.key not in stored)
    audit.record(session, "cluster.import", user_id=user_id, cluster_id=cluster.id, target=cluster.slug,
                 address=where, source=parsed.kind, members=sorted(stored), input_version=version.number)  # fmt: skip
    return {"members": [{"key": key, "version": number} for key, number in sorted(stored.items())],
            "not_in_file": kept, "input_version": version.number}


def create_from(session, who, parsed: Parsed, slug: str | None, k: int | None, default_k: int, where: str,
                **detail) -> dict:  # fmt: skip
    """A new cluster of the file's, coordinated by ``who``; committed."""
    slug = slug or str(parsed.description["id"])
    try:
        body = NewCluster(slug=slug, name=str(parsed.description.get("name") or slug), k=k,
                          description=parsed.description | {"id": slug})  # fmt: skip
    except ValidationError as error:  # a name the schema takes but the platform's limits do not
        raise DataProblem(parsed.source, [{"field": ".".join(map(str, item["loc"])), "where": None,
                                           "problem": item["msg"]} for item in error.errors()]) from None  # fmt: skip
    cluster = add_cluster(session, who.user.id, body, default_k, where, **detail)
    out = store(session, cluster, parsed, who.user.id, where)
    session.commit()
    return _cluster(cluster, Role.COORDINATOR) | out


IMPORT_RESPONSES = {413: {"description": "the file is too large"},
                    503: {"description": "the server is reading other uploads: send it again later"},
                    422: {"description": "the file is not a valid cluster description; each problem names its field "
                                         "and line, or sheet and row; nothing is stored"}}  # fmt: skip
ImportFile = Annotated[UploadFile, File(description="a whole cluster: YAML, JSON or the workbook of `clusterpath "
                                                    "template`")]  # fmt: skip


@router.post("/clusters/import", status_code=201, responses=IMPORT_RESPONSES)
def import_new(file: ImportFile, who: Authenticated, session: DB, config: Config, where: Address, slots: UploadSlots,
               slug: Annotated[Identifier | None, Query(description="the new cluster's id (default: the file's)")] = None,
               k: Annotated[int | None, Query(ge=2, le=1000)] = None) -> dict:  # fmt: skip
    """A new cluster from a whole cluster file; the caller coordinates it."""
    parsed = _read(file, config, slots)
    return create_from(session, who, parsed, slug, k, config.default_k, where, source=parsed.kind)


@router.post("/clusters/{slug}/import", responses=IMPORT_RESPONSES)
def import_into(file: ImportFile, context: AsCoordinator, session: DB, config: Config, where: Address,
                slots: UploadSlots) -> dict:  # fmt: skip
    """Replace the cluster's description with the file's and store each member's data from it as a new version
    (members new to the cluster are added; those the file does not name are kept and listed)."""
    parsed = _read(file, config, slots)
    cluster = context.cluster
    cluster.description = _description(parsed.description | {"id": cluster.slug}, cluster.slug, cluster.name)
    audit.record(session, "cluster.update", user_id=context.user.id, cluster_id=cluster.id, target=cluster.slug,
                 address=where, fields=["description"])  # fmt: skip
    out = store(session, cluster, parsed, context.user.id, where)
    session.commit()
    return _cluster(cluster, Role.COORDINATOR) | out


class TryExample(BaseModel):
    model_config = ConfigDict(extra="forbid")
    example: Literal[tuple(examples.names())] = Field(description="a bundled example (clusterpath examples)")  # type: ignore[valid-type]
    slug: Identifier | None = Field(default=None, description="the new cluster's id (default: the example's name, "
                                                              "numbered if you have one of that id)")


def free_slug(session, user_id: int, wanted: str) -> str:
    """``wanted``, or it numbered, so that none of the user's clusters has it (ids are per user)."""
    slug, number = wanted, 1
    while slug_in_use(session, user_id, slug):
        number += 1
        slug = f"{wanted[:60]}-{number}"
    return slug


@router.post("/clusters/try", status_code=201)
def try_example(body: TryExample, who: Authenticated, session: DB, config: Config, where: Address) -> dict:
    """A private copy of a bundled example (illustrative data) as a new cluster the caller coordinates: to try
    the pages on. Nobody else is in it until the caller invites them."""
    parsed = parse_cluster(examples.raw(body.example), None, f"example {body.example}", "example")
    slug = body.slug or free_slug(session, who.user.id, body.example)
    return create_from(session, who, parsed, slug, None, config.default_k, where, example=body.example)


def cluster_file(session, cluster: Cluster, user_id: int, where: str) -> dict:
    """The cluster as one plain description: the coordinator's part and each current member's latest data (the
    read of every member's data is audited). Members without data cannot be written and are left out."""
    versions, _ = _latest_versions(session, cluster)
    for row in versions:
        audit.record(session, "data.read", user_id=user_id, cluster_id=cluster.id, target=row.member.key,
                     address=where, version=row.number, purpose="export")  # fmt: skip
    return cluster.description | {"id": cluster.slug, "members": [dict(row.content) for row in versions]}


def encode(data: dict, kind: str, source: str) -> bytes:
    if kind == "json":
        return json.dumps(data, indent=2, ensure_ascii=False).encode()
    if kind == "yaml":
        return yaml.safe_dump(data, sort_keys=False, allow_unicode=True).encode()
    from clusterpath.io import xlsx
    from clusterpath.io.load import validate

    model = validate(data, source)  # the workbook is written from the checked model, as `clusterpath template --from`
    with tempfile.TemporaryDirectory(prefix="clusterpath-export-") as folder:
        path = Path(folder) / "cluster.xlsx"
        xlsx.write_template(path, model)
        return path.read_bytes()


def export_response(session, cluster: Cluster, user_id: int, where: str, kind: str) -> Response:
    data = cluster_file(session, cluster, user_id, where)
    content = encode(data, kind, f"cluster '{cluster.slug}'")
    audit.record(session, "cluster.export", user_id=user_id, cluster_id=cluster.id, target=cluster.slug,
                 address=where, format=kind, members=[m["id"] for m in data["members"]])  # fmt: skip
    session.commit()
    name = f"{cluster.slug}.{kind}"
    return Response(content, media_type=MEDIA[kind], headers={"Content-Disposition": f'attachment; filename="{name}"',
                                                              "Cache-Control": "no-store"})  # fmt: skip


@router.get("/clusters/{slug}/export", response_class=Response,
            responses={200: {"content": {MEDIA[kind]: {} for kind in FORMATS}}})  # fmt: skip
def export(context: AsCoordinator, session: DB, where: Address,
           format: Annotated[Literal["yaml", "json", "xlsx"], Query(description="the file's format")] = "yaml"
           ) -> Response:  # fmt: skip
    """The whole cluster as the file the command line reads (`clusterpath validate|inventory|plan FILE`): the
    coordinator's only, since it holds every member's data."""
    return export_response(session, context.cluster, context.user.id, where, format)

