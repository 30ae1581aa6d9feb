"""What a scenario picks: shipped instruments by name, with overrides, or its own instruments.

Entries of ``scenario.policies``:

- ``us.45v``: a shipped instrument as it is;
- ``{use: us.45q, prevailing_wage: false}``: a shipped instrument with some fields replaced
  (a replaced figure is the scenario's own, so its pack source no longer applies);
- ``{name: my-mandate, type: renewable_mandate, title: ..., share: {2030: 0.3}}``: an
  instrument of the scenario's own.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import ValidationError

from clusterpath.io.errors import field_path
from clusterpath.policy import packs
from clusterpath.policy.instruments import KINDS, CapitalGrant, CarbonCfd, CarbonPrice, Instrument, RenewableMandate


@dataclass(frozen=True)
class Selected:
    key: str  # us.45v, or the scenario's own name
    instrument: Instrument

    @property
    def kind(self) -> str:
        return self.instrument.type


def resolve(entries: list, periods: list[int] | None = None) -> list[Selected]:
    """The instruments a scenario picks; a ValueError lists every problem, each with its entry."""
    chosen: list[Selected] = []
    problems: list[str] = []
    for index, entry in enumerate(entries):
        where = f"[{index}]"
        try:
            selected = _one(entry)
        except ValueError as error:
            problems.append(f"{where}: {error}")
            continue
        if periods:
            problems += [f"{where} ({selected.key}): {p}" for p in _outside(selected.instrument, periods)]
        chosen.append(selected)
    keys = [s.key for s in chosen]
    repeated = sorted({k for k in keys if keys.count(k) > 1})
    if repeated:
        problems.append(f"{', '.join(repeated)} chosen more than once")
    prices = [s.key for s in chosen if isinstance(s.instrument, CarbonPrice)]
    if len(prices) > 1:
        problems.append(f"more than one carbon price chosen ({', '.join(prices)}): a cluster faces one")
    if problems:
        raise ValueError("; ".join(problems))
    return chosen


def _one(entry) -> Selected:
    if isinstance(entry, str):
        return Selected(entry, packs.instrument(entry))
    if not isinstance(entry, dict):
        raise ValueError(f"expected an instrument name such as {packs.known_instruments()[0]} or a mapping, "
                         f"got {type(entry).__name__}")  # fmt: skip
    if "use" in entry:
        key = entry["use"]
        if not isinstance(key, str):
            raise ValueError("use: expected an instrument name such as us.45v")
        base = packs.instrument(key)
        changes = {k: v for k, v in entry.items() if k != "use"}
        if "type" in changes and changes["type"] != base.type:
            raise ValueError(f"type: {key} is a {base.type}, it cannot become a {changes['type']}")
        data = base.model_dump() | changes
        data["sources"] = {k: v for k, v in base.sources.items() if k not in changes}
        return Selected(key, _validated(data))
    name, kind = entry.get("name"), entry.get("type")
    if not isinstance(name, str) or not name or "." in name:
        raise ValueError("an instrument of the scenario's own needs a name without dots (or 'use: <pack>.<name>' "
                         f"for a shipped one: {', '.join(packs.known_instruments())})")  # fmt: skip
    if kind not in KINDS:
        raise ValueError(f"type: {kind!r} is not an instrument type: expected one of {', '.join(KINDS)}")
    return Selected(name, _validated({k: v for k, v in entry.items() if k != "name"}))


def _validated(data: dict) -> Instrument:
    try:
        return packs.validate_instrument(data)
    except ValidationError as error:
        kind = data.get("type")
        details = []
        for item in error.errors():
            # The union tags each error with the type tried; keep only the chosen type's.
            loc = tuple(item["loc"])
            if loc and loc[0] in KINDS:
                if loc[0] != kind:
                    continue
                loc = loc[1:]
            message = item["msg"].removeprefix("Value error, ")
            if item["type"] == "extra_forbidden":
                message = f"is not a field of a {kind}"
            details.append(f"{field_path(loc, data)}: {message}")
        raise ValueError("; ".join(details)) from None


def horizon(periods: list[int]) -> tuple[int, int]:
    """First and last calendar year the periods stand for."""
    last = periods[-1] + (periods[-1] - periods[-2] if len(periods) > 1 else 1) - 1
    return periods[0], last


def _outside(instrument: Instrument, periods: list[int]) -> list[str]:
    """Years the scenario sets that lie outside its horizon (pack histories may precede it)."""
    first, last = horizon(periods)
    years: list[tuple[str, int]] = []
    if isinstance(instrument, CapitalGrant | CarbonCfd) and instrument.years is not None:
        start, end = instrument.years
        if start > end:
            return [f"years {start} to {end}: the first year is after the last"]
        years += [("years", start), ("years", end)]
    if isinstance(instrument, RenewableMandate):
        years += [("share", y) for y in instrument.share]
    return [f"{what} {year} is outside the scenario's horizon {first}-{last}" for what, year in years
            if not first <= year <= last]  # fmt: skip
