"""The table of scenario fields in docs/scenarios.md, written from the Scenario model so it cannot drift.

    python -m clusterpath.schema.scenario_doc docs/scenarios.md   # rewrite the table between its markers
"""

from __future__ import annotations

import sys
from pathlib import Path

from pydantic import BaseModel

from clusterpath.schema.scenario import Scenario

START = "<!-- scenario fields: written by `python -m clusterpath.schema.scenario_doc docs/scenarios.md` -->"
END = "<!-- end of scenario fields -->"


def _nested(annotation) -> type[BaseModel] | None:
    """The model a field holds (itself, in a list or optional), whose fields are listed under it."""
    candidates = [annotation, *getattr(annotation, "__args__", ())]
    return next((c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)), None)


def _default(field) -> str:
    if field.is_required():
        return "required"
    value = field.get_default(call_default_factory=True)
    if value is None or value in ({}, [], ""):
        return "-"
    if isinstance(value, list) and len(value) > 8:
        return f"all {len(value)}"
    return f"`{str(value).lower() if isinstance(value, bool) else value}`"


def rows(model: type[BaseModel] = Scenario, prefix: str = "") -> list[tuple[str, str, str]]:
    """(field, default, what it is) of every field, nested models' fields after their parent's."""
    out = []
    for name, field in model.model_fields.items():
        out.append((f"{prefix}{name}", _default(field), (field.description or "").replace("|", "\\|")))
        inner = _nested(field.annotation)
        if inner is not None:
            kind = str(field.annotation)
            key = "[]" if kind.startswith("list") else ".<lever>" if kind.startswith("dict") else ""
            out += rows(inner, f"{prefix}{name}{key}.")
    return out


def table() -> str:
    lines = ["| field | default | what it is |", "|---|---|---|"]
    lines += [f"| `{name}` | {default} | {text} |" for name, default, text in rows()]
    return "\n".join([START, *lines, END])


def rewrite(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    head, _, rest = text.partition(START)
    _, _, tail = rest.partition(END)
    path.write_text(head + table() + tail, encoding="utf-8")


if __name__ == "__main__":  # pragma: no cover
    rewrite(Path(sys.argv[1]))
