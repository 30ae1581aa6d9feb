"""Amounts with units, converted once at the input boundary.

Every quantity a user types ("2.5 TWh", "120 kt", "0.2 tCO2e/MWh") passes through
:func:`quantity_parser`, which returns a plain float in the internal unit (MWh, MW,
t, tCO2e, km, ha, m3). Downstream code never sees a unit string again.
"""

from __future__ import annotations

import math
import re
import warnings
from functools import cache
from typing import Annotated, Any

import pint
from pydantic import BeforeValidator

# tCO2e gets a dimension of its own so that "energy given in t" and "emissions given
# in MWh" are caught as wrong dimensions instead of silently converted.
_DEFINITIONS = """
tCO2e = [emissions]
ktCO2e = 1e3 * tCO2e
MtCO2e = 1e6 * tCO2e
GtCO2e = 1e9 * tCO2e
kgCO2e = 1e-3 * tCO2e
gCO2e = 1e-6 * tCO2e
tCO2 = tCO2e
ktCO2 = ktCO2e
MtCO2 = MtCO2e
kgCO2 = kgCO2e
gCO2 = gCO2e
# "kt" is pint's knot; in a cluster description it is always kilotonnes.
kilotonne = 1e3 * t = kt
m2 = m**2
km2 = km**2
m3 = m**3
Mm3 = 1e6 * m**3
"""

# Annual quantities may carry an explicit "per year"; it is dropped because every
# amount in a cluster description is already understood as per year.
_PER_YEAR = re.compile(r"\s*(/\s*(yr|year|a|annum)|per\s+(year|annum)|\s(p\.?a\.?))\s*$", re.IGNORECASE)
_NUMBER_THEN_UNIT = re.compile(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|[-+]?nan|[-+]?inf(?:inity)?)\s*(.*?)\s*$", re.IGNORECASE)


@cache
def registry() -> pint.UnitRegistry:
    ureg = pint.UnitRegistry(autoconvert_offset_to_baseunit=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the intended redefinition of "kt"
        for line in _DEFINITIONS.strip().splitlines():
            if line and not line.startswith("#"):
                ureg.define(line)
    return ureg


class Dimension:
    """A physical dimension as the cluster description uses it: its internal unit and examples."""

    def __init__(self, name: str, internal: str, examples: str, annual: bool = False) -> None:
        self.name = name
        self.internal = internal
        self.examples = examples
        self.annual = annual


ENERGY = Dimension("energy", "MWh", "MWh, GWh, TWh, GJ, TJ, PJ", annual=True)
POWER = Dimension("power", "MW", "kW, MW, GW")
MASS = Dimension("mass", "t", "t, kt, Mt", annual=True)
EMISSIONS = Dimension("emissions", "tCO2e", "tCO2e, ktCO2e, MtCO2e", annual=True)
EMISSION_FACTOR = Dimension("emission factor", "tCO2e/MWh", "tCO2e/MWh, kgCO2e/MWh, gCO2e/kWh")
MASS_FLOW = Dimension("annual mass", "t", "t/yr, kt/yr, Mt/yr", annual=True)
LENGTH = Dimension("length", "km", "m, km")
AREA = Dimension("area", "ha", "m2, ha, km2")
VOLUME = Dimension("volume", "m3", "m3, ML (megalitre)", annual=True)


class UnitError(ValueError):
    """An amount that cannot be read as the dimension a field expects."""


def _split(text: str) -> tuple[float, str]:
    match = _NUMBER_THEN_UNIT.match(text)
    if not match:
        raise UnitError(f"'{text}' is not an amount (a number followed by a unit)")
    return float(match.group(1)), match.group(2)


def parse_quantity(value: Any, dim: Dimension) -> float:
    """Return ``value`` in ``dim.internal``; raise UnitError with a readable reason."""
    expected = f"an amount of {dim.name} with a unit, e.g. '12.5 {dim.internal}' (units: {dim.examples})"
    if isinstance(value, dict):
        if set(value) != {"value", "unit"}:
            raise UnitError(f"expected {expected} or a mapping with exactly 'value' and 'unit'")
        number, unit = value["value"], value["unit"]
        if isinstance(number, bool) or not isinstance(number, int | float):
            raise UnitError(f"'value' must be a number, got {number!r}")
        if not isinstance(unit, str):
            raise UnitError(f"'unit' must be text such as '{dim.internal}', got {unit!r}")
        number = float(number)
    elif isinstance(value, str):
        number, unit = _split(value)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        raise UnitError(f"{value!r} has no unit: expected {expected}")
    else:
        raise UnitError(f"expected {expected}, got {value!r}")
    if not math.isfinite(number):
        raise UnitError(f"the amount must be a finite number, got {number}")
    if number < 0:
        raise UnitError(f"the amount must not be negative, got {number} {unit}".rstrip())
    if dim.annual:
        unit = _PER_YEAR.sub("", unit)
    if not unit.strip():
        raise UnitError(f"{number:g} has no unit: expected {expected}")
    ureg = registry()
    try:
        quantity = ureg.Quantity(number, ureg.parse_units(unit.replace("%", "percent")))
        return float(quantity.to(dim.internal).magnitude)
    except pint.errors.DimensionalityError:
        raise UnitError(f"'{unit}' is not a unit of {dim.name}: expected {expected}") from None
    except (pint.errors.UndefinedUnitError, AttributeError, TypeError, ValueError, AssertionError):
        raise UnitError(f"unknown unit '{unit}': expected {expected}") from None


def quantity(dim: Dimension) -> Any:
    """A pydantic field type: accepts an amount with a unit, stores float in ``dim.internal``."""
    return Annotated[float, BeforeValidator(lambda v: parse_quantity(v, dim))]


def parse_fraction(value: Any) -> float:
    """A share between 0 and 1, given as 0.07 or '7 %'."""
    if isinstance(value, str):
        text = value.strip()
        try:
            number = float(text[:-1]) / 100 if text.endswith("%") else float(text)
        except ValueError:
            raise UnitError(f"expected a share such as 0.07 or '7 %', got '{value}'") from None
    elif isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    else:
        raise UnitError(f"expected a share such as 0.07 or '7 %', got {value!r}")
    if not math.isfinite(number):
        raise UnitError(f"the share must be a finite number, got {number}")
    return number
