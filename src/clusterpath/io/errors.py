"""User-caused input errors, and how a validation error is pointed back at the file."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from pydantic import ValidationError

# Where in the user's file a field path lies, e.g. "line 12" or "sheet 'demands', row 7".
Locate = Callable[[tuple], str | None]

MAX_LISTED = 20


class InputError(Exception):
    """A problem with what the user gave us; the message says where and what would fix it."""

    def __init__(self, source: str, problems: Sequence[str]) -> None:
        self.source = source
        self.problems = list(problems)
        super().__init__(self.message)

    @property
    def message(self) -> str:
        if len(self.problems) == 1:
            return f"{self.source}: {self.problems[0]}"
        shown = "\n".join(f"  - {p}" for p in self.problems[:MAX_LISTED])
        more = len(self.problems) - MAX_LISTED
        tail = f"\n  ... and {more} more" if more > 0 else ""
        return f"{self.source}: {len(self.problems)} problems\n{shown}{tail}"


def field_path(loc: tuple, data: Any) -> str:
    """``members[2](acme).demands[0].carrier`` from a pydantic location and the raw data."""
    parts: list[str] = []
    node = data
    for key in loc:
        if isinstance(key, int):
            label = f"[{key}]"
            node = node[key] if isinstance(node, list) and key < len(node) else None
            if isinstance(node, dict) and isinstance(node.get("id"), str | int):
                label += f" (id '{node['id']}')"
            parts.append(label)
        else:
            parts.append(f".{key}" if parts else str(key))
            node = node.get(key) if isinstance(node, dict) else None
    return "".join(parts) or "(top level)"


def _reason(error: dict) -> str:
    message = error["msg"]
    for prefix in ("Value error, ", "Assertion failed, "):
        message = message.removeprefix(prefix)
    if error["type"] == "missing":
        return "is required but missing"
    if error["type"] == "extra_forbidden":
        return "is not a known field (check its spelling; docs/input-format.md and docs/model.md list the fields)"
    if error["type"] in ("enum", "literal_error"):
        return f"{error['input']!r} is not allowed: {message.replace('Input should be', 'expected')}"
    return message[0].lower() + message[1:] if message else message


def from_validation(source: str, error: ValidationError, data: Any, locate: Locate | None = None) -> InputError:
    problems = []
    for item in error.errors():
        # Errors inside a union or "before" validator carry the validator name in loc.
        loc = tuple(k for k in item["loc"] if not (isinstance(k, str) and k.startswith("function-")))
        where = field_path(loc, data)
        place = locate(loc) if locate else None
        problems.append(f"{where}{f' ({place})' if place else ''}: {_reason(item)}")
    return InputError(source, problems)
