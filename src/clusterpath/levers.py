"""The levers table (``data/levers.csv``): every technology a plan may build, defined in one row.

A row says which family the lever belongs to, which builder function makes its units
(``pathway/build.py``, by ``builder``), which catalog rows price it (per service where it serves
members' services: ``heat_low=tech;steam=tech``), the share of a service it may serve by the member's sector
(``potential``), the carriers it takes and gives, the levers it
needs in the scenario (``requires``) and operating before it can run (``depends_on``, lead times),
the network a hub asset serves and the unit-name suffix of a member's link to it, how the results
count what it abates, which policy instruments may name it, its row in ``lead_times.csv`` and its
row in ``employment_factors.csv`` (default: the unit's own technology). Code that needs to know
about levers reads this module; docs/model.md ("Adding a lever") says how to add one.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from clusterpath import reference

# How the results count a lever's abatement (pathway/result.py, macc; pathway/policies.py, contracts).
ABATEMENT = ("service", "captured", "grid", "stream", "disposal", "none")
LIST_COLUMNS = ("inputs", "outputs", "requires", "depends_on")


@dataclass(frozen=True)
class Lever:
    name: str
    family: str
    builder: str
    technologies: tuple[tuple[str, str], ...]  # (service or "", catalog technology)
    potential: tuple[tuple[str, float], ...]  # (member sector, share of the service the lever may serve); () = no limit
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    requires: tuple[str, ...]
    depends_on: tuple[str, ...]
    network: str
    link: str
    abatement: str
    grant: bool
    cfd: bool
    lead_time_row: str
    employment_row: str
    source: str

    def technology(self, service: str = "") -> str | None:
        """The catalog technology serving ``service`` (by service where the row keys them, else its first)."""
        for key, tech in self.technologies:
            if key in ("", service):
                return tech
        return None

    def share(self, sector: str) -> float:
        """The share of a member's service the lever may serve: 1 without a potential, 0 for a sector it does not list."""
        if not self.potential:
            return 1.0
        return dict(self.potential).get(sector, 0.0)

    def serves(self, service: str) -> bool:
        """A lever keyed by service serves those services only; an unkeyed one every service."""
        keys = {key for key, _ in self.technologies}
        return not keys - {""} or service in keys


class LeverTableError(ValueError):
    """A row of the levers table is malformed; the message names the row and the field."""


_active: pd.DataFrame | None = None


def packaged() -> pd.DataFrame:
    """The shipped table, as read from ``data/levers.csv``."""
    return reference.table("levers").copy()


def _split(value) -> tuple[str, ...]:
    return tuple(v.strip() for v in str(value).split(";") if v.strip()) if isinstance(value, str) else ()


def _technologies(value) -> tuple[tuple[str, str], ...]:
    pairs = []
    for item in _split(value):
        key, _, tech = item.rpartition("=")
        pairs.append((key.strip(), tech.strip()))
    return tuple(pairs)


def _potential(value, lever: str) -> tuple[tuple[str, float], ...]:
    pairs = []
    for item in _split(value):
        sector, _, share = item.partition("=")
        try:
            pairs.append((sector.strip(), float(share)))
        except ValueError:
            raise LeverTableError(f"levers.csv, lever '{lever}', column potential: '{item}' is not sector=share, "
                                  "e.g. food=1") from None  # fmt: skip
    return tuple(pairs)


def _flag(value, lever: str, column: str) -> bool:
    text = str(value).strip().lower()
    if text not in ("true", "false"):
        raise LeverTableError(f"levers.csv, lever '{lever}', column {column}: '{value}' is not true or false")
    return text == "true"


def parse(frame: pd.DataFrame) -> dict[str, Lever]:
    """Check a levers table and read its rows; every reference to another lever must name one of its rows."""
    out: dict[str, Lever] = {}
    for row in frame.fillna("").to_dict("records"):
        name = str(row["lever"]).strip()
        if not name or name in out:
            raise LeverTableError(f"levers.csv: lever '{name}' is empty or given twice")
        if row["abatement"] not in ABATEMENT:
            raise LeverTableError(f"levers.csv, lever '{name}', column abatement: '{row['abatement']}' is not one of "
                                  f"{', '.join(ABATEMENT)}")  # fmt: skip
        out[name] = Lever(
            name=name, family=str(row["family"]), builder=str(row["builder"]),
            technologies=_technologies(row["technologies"]), potential=_potential(row.get("potential", ""), name),
            **{column: _split(row[column]) for column in LIST_COLUMNS},
            network=str(row["network"]), link=str(row["link"]), abatement=str(row["abatement"]),
            grant=_flag(row["grant"], name, "grant"), cfd=_flag(row["cfd"], name, "cfd"),
            lead_time_row=str(row["lead_time_row"]), employment_row=str(row["employment_row"]), source=str(row["source"]),
        )  # fmt: skip
    for lever in out.values():
        for column in ("requires", "depends_on"):
            unknown = [other for other in getattr(lever, column) if other not in out]
            if unknown:
                raise LeverTableError(f"levers.csv, lever '{lever.name}', column {column}: {', '.join(unknown)} "
                                      "is no lever of the table")  # fmt: skip
    return out


_parsed: dict[int, dict[str, Lever]] = {}


def table() -> dict[str, Lever]:
    """The levers in use, in table order: the shipped ones, or those of ``using``."""
    frame = _active if _active is not None else reference.table("levers")
    key = id(frame)
    if key not in _parsed:
        _parsed.clear()
        _parsed[key] = parse(frame)
    return _parsed[key]


@contextlib.contextmanager
def using(frame: pd.DataFrame) -> Iterator[dict[str, Lever]]:
    """Plan with another levers table (the shipped one with a row added, say) for the duration of the block."""
    global _active
    previous, _active = _active, frame
    try:
        yield table()
    finally:
        _active = previous


def lever(name: str) -> Lever:
    return table()[name]


def with_builder(*builders: str) -> list[Lever]:
    return [lv for lv in table().values() if lv.builder in builders]


def where(**values) -> list[str]:
    """Names of the levers whose fields have the given values, e.g. ``where(abatement="grid")``."""
    return [lv.name for lv in table().values() if all(getattr(lv, k) == v for k, v in values.items())]


class _Names(Sequence):
    """A live list of lever names: reads the table in use at each access (``using`` may add rows)."""

    def __init__(self, **values) -> None:
        self._values = values

    def _names(self) -> list[str]:
        return where(**self._values)

    def __getitem__(self, index):
        return self._names()[index]

    def __len__(self) -> int:
        return len(self._names())

    def __contains__(self, name) -> bool:
        return name in self._names()

    def __iter__(self):
        return iter(self._names())

    def __repr__(self) -> str:
        return repr(tuple(self._names()))


class _Families(Mapping):
    """Lever name -> family, live like ``_Names``."""

    def __getitem__(self, name: str) -> str:
        return table()[name].family

    def __iter__(self):
        return iter(table())

    def __len__(self) -> int:
        return len(table())


NAMES = _Names()
FAMILY_OF = _Families()
GRANTABLE = _Names(grant=True)
CFD_ELIGIBLE = _Names(cfd=True)
RENEWABLE = _Names(abatement="grid")
CAPTURING = _Names(abatement="captured")
