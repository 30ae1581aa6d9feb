"""Read a cost game from a JSON file, reporting every mistake at once with the file, line and coalition.

Two forms (docs/allocation.md):
  {"players": ["A", "B"], "costs": {"A": 10, "B": 12, "A,B": 18}}       every non-empty coalition listed
  {"players": ["A", "B"], "rule": "airport", "costs": {"A": 8, "B": 11}} stand-alone costs only
"""

from __future__ import annotations

import json
from collections import Counter
from itertools import combinations, islice
from pathlib import Path
from typing import Any

from clusterpath.coalition.game import MAX_TABLE_PLAYERS, AirportGame, Game, is_number
from clusterpath.io import limits
from clusterpath.io.errors import InputError

RULES = ("airport",)
FIELDS = ("players", "rule", "costs")
MAX_MISSING_LISTED = 5


def load_game(path: str | Path) -> Game:
    path = Path(path)
    source = str(path)
    if not path.is_file():
        raise InputError(source, ["is a folder, not a game file" if path.is_dir() else "no such file"])
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(source, [f"cannot be read as UTF-8 text: {error}"]) from None
    repeated: list[str] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        # json keeps only the last of two equal keys; a coalition written twice is a mistake to report.
        repeated.extend(key for key, count in Counter(key for key, _ in items).items() if count > 1)
        return dict(items)

    try:
        # A game lists 2**n coalitions: its size is bounded by the players, not by a count of values.
        data = limits.parse_json(text, source, max_nodes=None, object_pairs_hook=pairs)
    except json.JSONDecodeError as error:
        raise InputError(source, [f"invalid JSON at line {error.lineno}, column {error.colno}: {error.msg}"]) from None
    if repeated:
        located = _Located(text)
        raise InputError(source, [f"{json.dumps(key)}{located(key)} appears more than once in the same object; "
                                  "list each coalition once" for key in repeated])
    return parse_game(data, source, text)


def parse_game(data: Any, source: str = "game", text: str | None = None) -> Game:
    """A game from already-parsed JSON data; ``text``, when given, lets errors cite line numbers."""
    if not isinstance(data, dict):
        raise InputError(source, [f"expected a JSON object with {', '.join(FIELDS)}, got {type(data).__name__}"])
    problems = [f"'{key}' is not a known field (expected {', '.join(FIELDS)})" for key in data if key not in FIELDS]
    players = _players(data.get("players"), problems)
    rule = data.get("rule")
    if rule is not None and rule not in RULES:
        problems.append(f"rule: unknown rule {rule!r}: expected 'airport' (or no rule, for a full table of costs)")
    costs = data.get("costs")
    if not isinstance(costs, dict):
        problems.append("costs: required, a JSON object from coalition (names joined by commas) to cost"
                        if costs is None else f"costs: expected a JSON object, got {type(costs).__name__}")
    if players is None or not isinstance(costs, dict) or rule not in (None, *RULES):
        raise InputError(source, problems)
    located = _Located(text)
    known = set(players)
    table: dict[frozenset[str], float] = {}
    seen: dict[frozenset[str], str] = {}
    for key, value in costs.items():
        coalition, problem = _coalition(key, known, players)
        if problem is None and coalition in seen:
            problem = f"the same coalition as costs[{json.dumps(seen[coalition])}]; list it once"
        if problem is None and rule == "airport" and len(coalition) > 1:
            problem = ("the airport rule takes stand-alone costs only (one player per key); "
                       "a coalition costs the largest of its members' stand-alone costs")
        if problem is None:
            seen[coalition] = key
        else:
            problems.append(f"costs[{json.dumps(key)}]{located(key)}: {problem}")
        if not is_number(value):
            problems.append(f"costs[{json.dumps(key)}]{located(key)}: cost {value!r} is not a finite number")
        elif problem is None:
            table[coalition] = float(value)
    problems += _missing(players, set(seen), rule)
    if problems:
        raise InputError(source, problems)
    if rule == "airport":
        return AirportGame(players, [table[frozenset([p])] for p in players], source=source)
    return Game.from_table(players, table, source=source)


def _coalition(key: str, known: set[str], players: list[str]) -> tuple[frozenset[str], str | None]:
    names = [name.strip() for name in key.split(",")]
    unknown = [name for name in names if name and name not in known]
    if "" in names:
        return frozenset(), "empty player name; expected player names joined by commas"
    if unknown:
        return frozenset(), f"unknown player(s) {', '.join(map(repr, unknown))} (players: {', '.join(players)})"
    if len(set(names)) != len(names):
        return frozenset(), "a player is named twice in one coalition"
    return frozenset(names), None


def _players(value: Any, problems: list[str]) -> list[str] | None:
    if not isinstance(value, list) or not value:
        problems.append("players: required, a non-empty list of player names" if value in (None, [])
                        else f"players: expected a list of names, got {type(value).__name__}")
        return None
    bad = [p for p in value if not isinstance(p, str) or not p.strip() or "," in p or p != p.strip()]
    duplicates = sorted(p for p, count in Counter(p for p in value if isinstance(p, str)).items() if count > 1)
    problems += [f"players: {p!r} is not a valid name (a non-empty string without commas or surrounding "
                 "spaces)" for p in bad]
    problems += [f"players: '{p}' is listed more than once" for p in duplicates]
    if len(value) < 2:
        problems.append("players: a cooperative game needs at least two players")
    return None if bad or duplicates or len(value) < 2 else value


def _missing(players: list[str], listed: set[frozenset[str]], rule: str | None) -> list[str]:
    if rule == "airport":
        return [f"costs: no stand-alone cost for player '{p}'" for p in players if frozenset([p]) not in listed]
    n = len(players)
    if n > MAX_TABLE_PLAYERS:
        limit = (f"players: a full table of costs for {n} players would list {2**n - 1} coalitions; the limit is "
                 f"{MAX_TABLE_PLAYERS} players (use the airport rule, or a model-backed game)")
        return [limit]
    count = 2**n - 1 - len(listed)
    if count == 0:
        return []
    # Smallest coalitions first: they are the ones a reader checks first.
    candidates = (c for size in range(1, n + 1) for c in combinations(players, size))
    first = islice((c for c in candidates if frozenset(c) not in listed), MAX_MISSING_LISTED)
    incomplete = (f"costs: the characteristic function is incomplete: {count} of {2**n - 1} coalitions have no "
                  f"cost (every non-empty coalition must be listed); first missing: "
                  f"{'; '.join(','.join(c) for c in first)}")
    return [incomplete]


class _Located:
    """' (line N)' for a key of the file, found by its JSON spelling; empty when it cannot be found."""

    def __init__(self, text: str | None) -> None:
        self.text = text

    def __call__(self, key: str) -> str:
        at = -1 if self.text is None else self.text.find(json.dumps(key, ensure_ascii=False) + ":")
        at = at if at >= 0 or self.text is None else self.text.find(json.dumps(key, ensure_ascii=False))
        return f" (line {self.text.count(chr(10), 0, at) + 1})" if at >= 0 else ""
