"""Policy packs: the instruments of a jurisdiction, shipped as YAML with a source for every figure.

A pack is ``data/policies/<jurisdiction>.yaml``; its instruments are named
``<jurisdiction>.<instrument>`` (``us.45v``). A broken pack is an ``InputError`` naming
the file and the field, like any other input.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path

import yaml
from pydantic import Field, TypeAdapter, ValidationError

from clusterpath.io.errors import InputError, from_validation
from clusterpath.policy.instruments import KINDS, AnyInstrument, Instrument
from clusterpath.schema.models import Model


class Pack(Model):
    jurisdiction: str = Field(pattern=r"^[a-z][a-z0-9_-]*$")
    title: str = Field(min_length=1)
    note: str = ""
    instruments: dict[str, AnyInstrument] = Field(default_factory=dict)


_INSTRUMENT = TypeAdapter(AnyInstrument)


def pack_names() -> list[str]:
    folder = resources.files("clusterpath.data").joinpath("policies")
    return sorted(p.name.removesuffix(".yaml") for p in folder.iterdir() if p.name.endswith(".yaml"))


def load_pack(source: str | Path) -> Pack:
    """A shipped pack by jurisdiction (``us``), or a pack file."""
    from clusterpath.io.read import read_raw

    if isinstance(source, str) and source in pack_names():
        return _shipped(source)
    path = Path(source)
    if not path.exists():
        raise InputError(str(source), [f"no such policy pack (shipped packs: {', '.join(pack_names())})"])
    data, locate = read_raw(path)
    return _validate(data, str(path), locate)


@lru_cache(maxsize=None)
def _shipped(name: str) -> Pack:
    from clusterpath.io.read import yaml_locator

    text = resources.files("clusterpath.data").joinpath("policies", f"{name}.yaml").read_text("utf-8")
    return _validate(yaml.safe_load(text), f"policy pack '{name}' (data/policies/{name}.yaml)", yaml_locator(text))


def _validate(data, name: str, locate) -> Pack:
    if not isinstance(data, dict):
        raise InputError(name, ["expected a policy pack (a mapping with jurisdiction, title, instruments)"])
    _check_types(data, name)
    try:
        pack = Pack.model_validate(data)
    except ValidationError as error:
        raise from_validation(name, error, data, locate) from None
    unsourced = [f"instruments.{key}.{figure}: has no entry in its sources (every figure of a pack needs one)"
                 for key, inst in pack.instruments.items() for figure in inst.figures() if figure not in inst.sources]  # fmt: skip
    undated = [f"instruments.{key}.money_year: gives money ({', '.join(inst.money())}) without the year of that "
               "money (the year its source prices it in, e.g. 2024)"
               for key, inst in pack.instruments.items() if inst.money() and inst.money_year is None]  # fmt: skip
    if unsourced or undated:
        raise InputError(name, unsourced + undated)
    return pack


def _check_types(data: dict, name: str) -> None:
    """Name the known instrument types before pydantic tries every member of the union."""
    instruments = data.get("instruments")
    if not isinstance(instruments, dict):
        return
    problems = []
    for key, raw in instruments.items():
        kind = raw.get("type") if isinstance(raw, dict) else None
        if kind not in KINDS:
            problems.append(f"instruments.{key}.type: {kind!r} is not an instrument type: expected one of "
                            f"{', '.join(KINDS)}")  # fmt: skip
    if problems:
        raise InputError(name, problems)


def instrument(key: str) -> Instrument:
    """A shipped instrument by ``<jurisdiction>.<name>``; a ValueError names the known ones."""
    pack_name, _, name = key.partition(".")
    if pack_name not in pack_names() or not name:
        raise ValueError(f"unknown instrument '{key}': instruments are named <pack>.<instrument>, "
                         f"packs are {', '.join(pack_names())}")  # fmt: skip
    pack = _shipped(pack_name)
    if name not in pack.instruments:
        known = ", ".join(f"{pack_name}.{k}" for k in pack.instruments) or "none"
        raise ValueError(f"unknown instrument '{key}': pack '{pack_name}' has {known}")
    return pack.instruments[name]


def known_instruments() -> list[str]:
    return [f"{p}.{k}" for p in pack_names() for k in _shipped(p).instruments]


def validate_instrument(data: dict) -> Instrument:
    return _INSTRUMENT.validate_python(data)
