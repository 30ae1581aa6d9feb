"""Controlled vocabularies of the cluster description.

Free text is accepted case- and separator-insensitively ("Industrial park",
"industrial-park" and "industrial_park" are one kind) and stored in snake_case.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from clusterpath import levers


class _Vocabulary(StrEnum):
    @classmethod
    def _missing_(cls, value: object):
        if isinstance(value, str):
            key = value.strip().lower().replace(" ", "_").replace("-", "_")
            for member in cls:
                if member.value == key:
                    return member
        return None


def check_known(values, allowed, what: str = "lever", also: str = "") -> None:
    """Refuse names outside a vocabulary, listing them and what is allowed (``also`` names extra allowed words)."""
    unknown = [v for v in values if v not in allowed and v != also]
    if unknown:
        choices = f"{also} or any of " if also else "any of "
        raise ValueError(f"unknown {what}(s) {', '.join(unknown)}: expected {choices}{', '.join(allowed)}")


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


# Every lever the pathway optimizer knows (a scenario may allow a subset): the rows of data/levers.csv.
LEVERS = levers.NAMES


class LeverFamily(_Vocabulary):
    """The initiative's four families of decarbonization levers (WEF, Transitioning Industrial Clusters)."""

    EFFICIENCY_CIRCULARITY = "efficiency_circularity"  # systemic efficiency and circularity
    ELECTRIFICATION_RENEWABLE_HEAT = "electrification_renewable_heat"  # direct electrification and renewable heat
    HYDROGEN = "hydrogen"
    CCUS = "ccus"  # carbon capture, utilization and storage


# Each lever's family is a column of data/levers.csv (renewable power is counted with electrification: it is what
# makes direct electrification clean).
class _FamilyOf(Mapping):
    def __getitem__(self, lever: str) -> LeverFamily:
        return LeverFamily(levers.FAMILY_OF[lever])

    def __iter__(self):
        return iter(levers.FAMILY_OF)

    def __len__(self) -> int:
        return len(levers.FAMILY_OF)


LEVER_FAMILY = _FamilyOf()


class ProjectStage(_Vocabulary):
    """Maturity of a project, in the order projects move through."""

    ANNOUNCED = "announced"
    FEASIBILITY = "feasibility"
    FINAL_INVESTMENT_DECISION = "final_investment_decision"
    CONSTRUCTION = "construction"
    OPERATING = "operating"


# The capital of a project at or past its final investment decision is committed.
COMMITTED_STAGES = frozenset({ProjectStage.FINAL_INVESTMENT_DECISION, ProjectStage.CONSTRUCTION, ProjectStage.OPERATING})


class Governance(_Vocabulary):
    """How the cluster's members organize their collaboration."""

    CLUSTER_ASSOCIATION = "cluster_association"  # members' association or non-profit
    PUBLIC_PRIVATE_PARTNERSHIP = "public_private_partnership"
    PORT_OR_PARK_AUTHORITY = "port_or_park_authority"  # the landlord of the site leads
    JOINT_VENTURE = "joint_venture"  # a company owned by members builds and runs shared assets
    ANCHOR_COMPANY = "anchor_company"  # one large member leads
    GOVERNMENT_LED = "government_led"
    INFORMAL = "informal"
    OTHER = "other"


class PolicyKind(_Vocabulary):
    """Kinds of enabling policy a cluster reports as in place or planned."""

    CARBON_PRICE = "carbon_price"
    TAX_CREDIT = "tax_credit"
    CAPITAL_GRANT = "capital_grant"
    CONTRACT_FOR_DIFFERENCE = "contract_for_difference"
    MANDATE = "mandate"  # renewable, low-carbon product or blending mandates
    CCS_REGULATION = "ccs_regulation"  # storage licensing and liability rules
    HYDROGEN_STRATEGY = "hydrogen_strategy"
    PERMITTING = "permitting"  # fast-track or one-stop permitting
    INFRASTRUCTURE_REGULATION = "infrastructure_regulation"  # third-party access, network tariffs
    OTHER = "other"


class PolicyStatus(_Vocabulary):
    IN_PLACE = "in_place"
    PLANNED = "planned"
