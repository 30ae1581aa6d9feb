"""Controlled vocabularies of the cluster description.

Free text is accepted case- and separator-insensitively ("Industrial park",
"industrial-park" and "industrial_park" are one kind) and stored in snake_case.
"""

from __future__ import annotations

from enum import StrEnum


class _Vocabulary(StrEnum):
    @classmethod
    def _missing_(cls, value: object):
        if isinstance(value, str):
            key = value.strip().lower().replace(" ", "_").replace("-", "_")
            for member in cls:
                if member.value == key:
                    return member
        return None


class ClusterKind(_Vocabulary):
    PORT = "port"
    INDUSTRIAL_PARK = "industrial_park"
    HYDROGEN_HUB = "hydrogen_hub"
    OTHER = "other"


class Sector(_Vocabulary):
    CHEMICALS = "chemicals"
    REFINING = "refining"
    STEEL = "steel"
    CEMENT = "cement"
    FERTILIZER = "fertilizer"
    GLASS = "glass"
    PAPER = "paper"
    FOOD = "food"
    LOGISTICS = "logistics"
    POWER = "power"
    WASTE = "waste"
    OTHER = "other"


# IPCC 2006 files fuel combustion by the activity it serves: power plants, refineries
# and waste incineration are "energy industries" (Table 2.2), the rest "manufacturing
# industries and construction" (Table 2.3); their CH4 and N2O defaults differ.
ENERGY_INDUSTRY_SECTORS = frozenset({Sector.POWER, Sector.REFINING, Sector.WASTE})


class Service(_Vocabulary):
    """What the energy is used for; the pathway must keep serving it."""

    ELECTRICITY = "electricity"
    HEAT_LOW = "heat_low"  # below 100 °C
    HEAT_MEDIUM = "heat_medium"  # 100 to 400 °C
    HEAT_HIGH = "heat_high"  # above 400 °C
    STEAM = "steam"
    HYDROGEN_FEEDSTOCK = "hydrogen_feedstock"


class Equipment(_Vocabulary):
    DIRECT = "direct"  # the carrier is used as delivered (grid power, purchased steam, feedstock)
    BOILER = "boiler"
    FURNACE = "furnace"
    KILN = "kiln"
    ENGINE = "engine"
    ELECTRIC_BOILER = "electric_boiler"
    ELECTRIC_FURNACE = "electric_furnace"
    HEAT_PUMP = "heat_pump"
    STEAM_METHANE_REFORMER = "steam_methane_reformer"
    OTHER = "other"


# Only a heat pump delivers more useful energy than it consumes (its COP).
EQUIPMENT_ABOVE_UNITY = frozenset({Equipment.HEAT_PUMP})


class WasteKind(_Vocabulary):
    MUNICIPAL_SOLID_WASTE = "municipal_solid_waste"
    ORGANIC = "organic"
    PLASTIC = "plastic"
    PAPER_CARDBOARD = "paper_cardboard"
    METAL = "metal"
    GLASS = "glass"
    SLUDGE = "sludge"
    HAZARDOUS = "hazardous"
    OTHER = "other"


class WasteTreatment(_Vocabulary):
    LANDFILL = "landfill"
    INCINERATION = "incineration"
    ENERGY_RECOVERY = "energy_recovery"
    RECYCLING = "recycling"
    COMPOSTING = "composting"
    ANAEROBIC_DIGESTION = "anaerobic_digestion"
    OTHER = "other"


class WastewaterTreatment(_Vocabulary):
    AEROBIC = "aerobic"
    ANAEROBIC = "anaerobic"
    MUNICIPAL_SEWER = "municipal_sewer"
    UNTREATED = "untreated"
    OTHER = "other"


class RenewableType(_Vocabulary):
    SOLAR_PV = "solar_pv"
    ONSHORE_WIND = "onshore_wind"
    OFFSHORE_WIND = "offshore_wind"
    SOLAR_THERMAL = "solar_thermal"
