"""What reading one input may cost: nesting depth, and values once YAML aliases are expanded.

A file of a few hundred bytes can describe a tree of billions of values (YAML aliases of aliases, the
"billion laughs") or one nested deeper than the parser's stack. Both are refused here, before anything
downstream (JSON copies, schema validation) walks the expanded tree, with a message naming the input and
the limit. Workbooks have limits of their own (io.xlsx).
"""

from __future__ import annotations

import json
import os
from typing import Any

import yaml

from clusterpath.io.errors import InputError


def _limit(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise InputError("environment", [f"{name}={raw!r} must be a whole number above 0"])
    return int(raw)


# A cluster description nests about 6 levels (members, a demand, a quantity, its value); 32 leaves room.
MAX_DEPTH = _limit("CLUSTERPATH_MAX_INPUT_DEPTH", 32)
# Values and containers after aliases are expanded: 100 members of 2,000 fields each stay well inside.
MAX_NODES = _limit("CLUSTERPATH_MAX_INPUT_NODES", 200_000)


def too_deep(source: str, max_depth: int = MAX_DEPTH) -> InputError:
    return InputError(source, [f"is nested more than {max_depth} levels deep: a cluster description needs fewer "
                               "than 10; flatten it (or raise CLUSTERPATH_MAX_INPUT_DEPTH)"])  # fmt: skip


def too_many(source: str, max_nodes: int = MAX_NODES, *, aliases: bool = False) -> InputError:
    what = f"its aliases expand to more than {max_nodes:,} values" if aliases else \
        f"holds more than {max_nodes:,} values"  # fmt: skip
    return InputError(source, [f"{what}, above the limit for one input; split it, remove repeated content "
                               "(or raise CLUSTERPATH_MAX_INPUT_NODES)"])  # fmt: skip


def check_tree(data: Any, source: str, max_depth: int = MAX_DEPTH, max_nodes: int | None = MAX_NODES) -> Any:
    """``data`` unchanged when it nests at most ``max_depth`` containers deep and holds at most ``max_nodes``
    values; walked without recursion, so that a deep tree cannot overflow the stack here either."""
    stack = [(data, 1)]
    seen = 0
    while stack:
        node, depth = stack.pop()
        seen += 1
        if max_nodes is not None and seen > max_nodes:
            raise too_many(source, max_nodes)
        if isinstance(node, dict):
            children = list(node.values())
        elif isinstance(node, list | tuple):
            children = node
        else:
            continue
        if depth > max_depth:
            raise too_deep(source, max_depth)
        stack.extend((child, depth + 1) for child in children)
    return data


def parse_json(text: str, source: str, max_nodes: int | None = MAX_NODES, **options) -> Any:
    """JSON text as data; ``json.JSONDecodeError`` for bad syntax, ``InputError`` for a tree above the limits."""
    try:
        data = json.loads(text, **options)
    except RecursionError:
        # The C parser counts its nesting against the interpreter's recursion limit (about 1,000).
        raise too_deep(source) from None
    return check_tree(data, source, MAX_DEPTH, max_nodes)


class _TooDeep(Exception):
    pass


class _BoundedLoader(yaml.SafeLoader):
    """PyYAML's safe loader, stopping at a nesting depth before its recursive composer exhausts the stack."""

    def __init__(self, stream, max_depth: int) -> None:
        super().__init__(stream)
        self.depth = 0
        self.max_depth = max_depth

    def compose_node(self, parent, index):
        self.depth += 1
        try:
            if self.depth > self.max_depth:
                raise _TooDeep
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [child for pair in node.value for child in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _check_expanded(root: yaml.Node, source: str, max_depth: int, max_nodes: int) -> None:
    """Count the tree an alias-sharing node graph stands for, each shared node once (memoized), so a billion
    laughs costs as many steps as it has lines. A node met again while its own children are pending is an
    alias inside its own anchor: a tree without end."""
    size: dict[int, tuple[int, int]] = {}  # id(node) -> (values, depth) of its expanded tree
    pending: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if children_done:
            counts = [size[id(child)] for child in _children(node)]
            values = 1 + sum(c[0] for c in counts)
            depth = (1 + max((c[1] for c in counts), default=0)) if isinstance(node, yaml.CollectionNode) else 0
            pending.discard(key)
            size[key] = (values, depth)
            if depth > max_depth:
                raise too_deep(source, max_depth)
            if values > max_nodes:
                raise too_many(source, max_nodes, aliases=True)
            continue
        if key in size:
            continue
        if key in pending:
            line = node.start_mark.line + 1
            raise InputError(source, [f"has an alias inside its own anchor (line {line}): the value would contain "
                                      "itself without end; write it out instead"])  # fmt: skip
        pending.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in _children(node) if id(child) not in size)


def compose_yaml(text: str, source: str, max_depth: int = MAX_DEPTH, max_nodes: int = MAX_NODES) -> yaml.Node | None:
    """The YAML node graph of ``text`` (None when empty), checked against the limits with aliases expanded;
    ``yaml.YAMLError`` for bad syntax."""
    # The composer counts scalars as a level below their container; the exact check is _check_expanded's.
    loader = _BoundedLoader(text, max_depth + 1)
    try:
        root = loader.get_single_node()
    except _TooDeep:
        raise too_deep(source, max_depth) from None
    finally:
        loader.dispose()
    if root is not None:
        _check_expanded(root, source, max_depth, max_nodes)
    return root


def construct_yaml(root: yaml.Node | None) -> Any:
    """Plain data from a node graph that ``compose_yaml`` has checked."""
    if root is None:
        return None
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_document(root)
    finally:
        loader.dispose()


def parse_yaml(text: str, source: str, max_nodes: int = MAX_NODES) -> Any:
    """YAML text as data within the limits (``yaml.safe_load`` with bounds); ``yaml.YAMLError`` for bad syntax."""
    return construct_yaml(compose_yaml(text, source, MAX_DEPTH, max_nodes))
