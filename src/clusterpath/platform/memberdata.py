"""Member uploads and the cluster they assemble into.

A cluster is the coordinator's description (everything but the members) plus each member company's
own description, uploaded as YAML, JSON or the Excel template. Uploads are read with the same code as
the command line (io.load, io.xlsx) and checked against the same schema, so a problem is reported
with its field and its line (or sheet and row) just as `clusterpath validate` would.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from clusterpath.io.errors import InputError, Locate, _reason, field_path
from clusterpath.io.read import read_raw
from clusterpath.schema import Cluster
from clusterpath.schema.models import Member

FORMATS = {".yaml": "yaml", ".yml": "yaml", ".json": "json", ".xlsx": "xlsx"}
# Stands in for the members while the coordinator's part is checked on its own.
_PLACEHOLDER = {"id": "placeholder", "name": "placeholder", "sector": "other", "value_added": 0, "jobs": 0}


class DataProblem(Exception):
    """What is wrong with an upload or description, as a message and one entry per problem."""

    def __init__(self, source: str, problems: Sequence[dict]) -> None:
        self.source = source
        self.problems = list(problems)
        text = [" ".join(part for part in (p.get("field"), f"({p['where']})" if p.get("where") else None)
                         if part) + (": " if p.get("field") or p.get("where") else "") + p["problem"]
                for p in self.problems]  # fmt: skip
        super().__init__(InputError(source, text).message)

    @property
    def message(self) -> str:
        return str(self)

    @classmethod
    def from_input_error(cls, error: InputError, source: str) -> DataProblem:
        return cls(source, [{"field": None, "where": None, "problem": problem} for problem in error.problems])


def content_hash(data: Any) -> str:
    """A hash of plain data that does not depend on key order or formatting."""
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def plain(data: Any) -> Any:
    """JSON-safe data: YAML dates and other scalars become text, keys become strings."""
    return json.loads(json.dumps(data, default=str))


def _problems(error: ValidationError, data: Any, locate: Locate | None, prefix: tuple = ()) -> list[dict]:
    out = []
    for item in error.errors():
        loc = tuple(k for k in item["loc"] if not (isinstance(k, str) and k.startswith("function-")))
        out.append({"field": field_path(loc, data), "where": locate((*prefix, *loc)) if locate else None,
                    "problem": _reason(item)})  # fmt: skip
    return out


def validate_member(data: Any, member_key: str, source: str, locate: Locate | None = None,
                    prefix: tuple = ()) -> dict:  # fmt: skip
    """The member description as stored: plain data with the company's id, checked by the schema."""
    if not isinstance(data, dict):
        raise DataProblem(source, [{"field": None, "where": None, "problem": "expected a member description "
                                    f"(a mapping of fields such as name, sector, demands), got {type(data).__name__}"}])
    data = plain(data)
    given = data.get("id")
    if given is not None and str(given) != member_key:
        raise DataProblem(source, [{"field": "id", "where": locate((*prefix, "id")) if locate else None,
                                    "problem": f"this upload is for member '{member_key}' but describes '{given}'"}])
    data["id"] = member_key
    try:
        Member.model_validate(data)
    except ValidationError as error:
        raise DataProblem(source, _problems(error, data, locate, prefix)) from None
    return data


def read_upload(filename: str, content: bytes) -> tuple[Any, Locate | None, str, str]:
    """An uploaded file's data (read by the command line's readers, under io.limits), the function placing a
    field in it, its format and its name as messages show it."""
    suffix = Path(filename).suffix.lower()
    shown_name = Path(filename).name[:100] or "upload"
    if suffix not in FORMATS:
        raise DataProblem(shown_name, [{"field": None, "where": None,
                                        "problem": "give a .yaml, .yml, .json or .xlsx file"}])  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="clusterpath-upload-") as folder:
        # Only the suffix of the user's name is used on disk; messages name the upload as the user did.
        path = Path(folder) / f"upload{suffix}"
        path.write_bytes(content)
        try:
            data, locate = read_raw(path)
        except InputError as error:
            raise DataProblem.from_input_error(error, shown_name) from None
    return data, locate, FORMATS[suffix], shown_name


def parse_upload(filename: str, content: bytes, member_key: str) -> tuple[dict, str]:
    """A member's description from an uploaded file, and the file's format."""
    data, locate, kind, shown_name = read_upload(filename, content)
    if kind != "xlsx":
        return validate_member(data, member_key, shown_name, locate), kind
    members = data.get("members") or []
    keys = [str(m.get("id")) for m in members if isinstance(m, dict)]
    if member_key in keys:
        position = keys.index(member_key)
    elif len(members) == 1:
        position = 0
    else:
        raise DataProblem(shown_name, [{"field": "members", "where": "sheet 'members'",
                                        "problem": f"the workbook has no row for member '{member_key}' "
                                                   f"(ids found: {', '.join(keys) or 'none'})"}])  # fmt: skip
    return validate_member(members[position], member_key, shown_name, locate, ("members", position)), "xlsx"


def validate_description(data: Any) -> dict:
    """The coordinator's part of a cluster description (no members), checked by the schema."""
    if not isinstance(data, dict):
        raise DataProblem("description", [{"field": None, "where": None,
                                           "problem": "expected a mapping of the cluster's fields"}])  # fmt: skip
    data = plain(data)
    if "members" in data:
        raise DataProblem("description", [{"field": "members", "where": None, "problem": "members are not part of "
                                           "the cluster description: add them as member companies"}])  # fmt: skip
    try:
        # The register names member companies whose data come later: each stands in as a placeholder here,
        # and a job checks the register against the members' real data (assemble).
        named = [key for p in data.get("projects") or [] if isinstance(p, dict) for key in p.get("members") or []]
        keys = [str(key) for key in dict.fromkeys(named)] or [_PLACEHOLDER["id"]]
        Cluster.model_validate({**data, "members": [_PLACEHOLDER | {"id": key} for key in keys]})
    except ValidationError as error:
        problems = [p for p in _problems(error, data, None) if not p["field"].startswith("members")]
        if problems:
            raise DataProblem("description", problems) from None
    return data


def assemble(description: dict, members: list[dict], source: str) -> Cluster:
    """The cluster a job runs on; ``InputError`` when the parts do not fit together."""
    from clusterpath.io.load import validate

    if not members:
        raise InputError(source, ["no member company has uploaded data yet"])
    return validate({**description, "members": members}, source)
