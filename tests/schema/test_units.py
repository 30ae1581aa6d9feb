import pytest

from clusterpath.schema import units


@pytest.mark.parametrize(
    ("text", "dim", "expected"),
    [
        ("2.5 TWh", units.ENERGY, 2.5e6),
        ("1 TJ", units.ENERGY, 1 / 0.0036),
        ("3.6 GJ", units.ENERGY, 1.0),
        ("1 PJ/yr", units.ENERGY, 1e6 / 3.6),
        ("5 GWh per year", units.ENERGY, 5000),
        ("12 kt", units.MASS, 12_000),
        ("2 Mt/yr", units.MASS_FLOW, 2e6),
        ("1.5 MtCO2e", units.EMISSIONS, 1.5e6),
        ("138 gCO2e/kWh", units.EMISSION_FACTOR, 0.138),
        ("250 kgCO2e/MWh", units.EMISSION_FACTOR, 0.25),
        ("800 km", units.LENGTH, 800),
        ("1 km2", units.AREA, 100),
        ("1 Mm3", units.VOLUME, 1e6),
        ("500 kW", units.POWER, 0.5),
        ({"value": 3, "unit": "GWh"}, units.ENERGY, 3000),
    ],
)
def test_conversions(text, dim, expected):
    assert units.parse_quantity(text, dim) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("value", "dim", "reason"),
    [
        ("3 t", units.ENERGY, "not a unit of energy"),
        ("3 MWh", units.MASS, "not a unit of mass"),
        ("3 furlongs_per_fortnight", units.ENERGY, "unknown unit"),
        ("3", units.ENERGY, "has no unit"),
        (3, units.ENERGY, "has no unit"),
        ("-3 MWh", units.ENERGY, "must not be negative"),
        ("nan MWh", units.ENERGY, "finite"),
        ("inf MWh", units.ENERGY, "finite"),
        ("lots", units.ENERGY, "not an amount"),
        (True, units.ENERGY, "expected an amount"),
        ({"value": "x", "unit": "MWh"}, units.ENERGY, "must be a number"),
    ],
)
def test_rejections_say_why(value, dim, reason):
    with pytest.raises(units.UnitError, match=reason):
        units.parse_quantity(value, dim)


def test_fraction():
    assert units.parse_fraction("7 %") == pytest.approx(0.07)
    assert units.parse_fraction(0.07) == 0.07
    for bad in ("seven", float("inf"), float("nan"), None):
        with pytest.raises(units.UnitError):
            units.parse_fraction(bad)
