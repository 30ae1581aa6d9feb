"""Reading an input file into plain data, within bounded memory, with a locator of its field paths."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import yaml

from clusterpath.io import limits
from clusterpath.io.errors import InputError, Locate

MAX_INPUT_BYTES = int(os.environ.get("CLUSTERPATH_MAX_INPUT_BYTES", 5 * 1024 * 1024))
TEXT_SUFFIXES = {".yaml": "YAML", ".yml": "YAML", ".json": "JSON"}
EXCEL_SUFFIXES = {".xlsx", ".xlsm"}


def read_raw(path: Path) -> tuple[Any, Locate | None]:
    """The file's content as plain data, and a function placing a field path in the file."""
    name = str(path)
    if path.is_dir():
        raise InputError(name, ["is a folder: give a .yaml, .json or .xlsx file, or an example name"])
    if not path.exists():
        from clusterpath import examples

        raise InputError(
            name,
            [f"no such file, and not an example name (examples: {', '.join(examples.names())})"],
        )
    size = path.stat().st_size
    if size == 0:
        raise InputError(name, ["the file is empty: expected a cluster description"])
    if size > MAX_INPUT_BYTES:
        raise InputError(
            name,
            [
                f"the file is {size / 2**20:.1f} MiB, above the {MAX_INPUT_BYTES / 2**20:.0f} MiB limit for a cluster "
                "description; remove unrelated content or raise CLUSTERPATH_MAX_INPUT_BYTES"
            ],
        )
    suffix = path.suffix.lower()
    if suffix in EXCEL_SUFFIXES:
        from clusterpath.io import xlsx

        return xlsx.read_workbook(path)
    raw = path.read_bytes()
    if b"\x00" in raw:
        raise InputError(name, ["is a binary file, not a YAML, JSON or Excel (.xlsx) cluster description"])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InputError(name, [f"is not UTF-8 text (byte {error.start}): save it as UTF-8 YAML or JSON"]) from None
    if not text.strip():
        raise InputError(name, ["the file holds only blank space: expected a cluster description"])
    kind = TEXT_SUFFIXES.get(suffix) or ("JSON" if text.lstrip().startswith(("{", "[")) else "YAML")
    if kind == "JSON":
        return _parse_json(text, name), yaml_locator(text)
    root = _compose_yaml(text, name)
    return limits.construct_yaml(root), _locator(root)


def _parse_json(text: str, name: str) -> Any:
    try:
        return limits.parse_json(text, name)
    except json.JSONDecodeError as error:
        where = f"line {error.lineno}, column {error.colno}"
        raise InputError(name, [f"is not valid JSON: {error.msg} at {where}"]) from None


def _compose_yaml(text: str, name: str) -> yaml.Node:
    try:
        root = limits.compose_yaml(text, name)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise InputError(name, [f"is not valid YAML: {problem}{where}"]) from None
    if root is None:
        raise InputError(name, ["holds no data (only comments?): expected a cluster description"])
    return root


def yaml_locator(text: str) -> Locate | None:
    """Line numbers of field paths, from the YAML node tree (JSON is YAML too)."""
    try:
        return _locator(limits.compose_yaml(text, "locator"))
    except (yaml.YAMLError, InputError):
        return None


def _locator(root: yaml.Node | None) -> Locate | None:
    if root is None:
        return None

    def locate(loc: tuple) -> str | None:
        node = root
        for key in loc:
            if isinstance(node, yaml.MappingNode):
                node = next((v for k, v in node.value if k.value == str(key)), None)
            elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
                node = node.value[key]
            else:
                break
            if node is None:
                return None
        return f"line {node.start_mark.line + 1}" if node is not None else None

    return locate
