"""Policy instruments as data: one pydantic model per kind of instrument.

Money is in the instrument's own ``currency`` of its ``money_year`` (real terms; without a year, money of the
scenario's price year, like the scenario's own prices) and converted to the cluster's money of the price year
when the network is built (``Catalog.convert``). Years are calendar years.
"""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import Field, field_validator, model_validator

from clusterpath import levers
from clusterpath.schema.models import CurrencyCode, Model
from clusterpath.schema.vocabulary import check_known

Year = Annotated[int, Field(ge=2000, le=2100)]
Amount = Annotated[float, Field(ge=0, allow_inf_nan=False)]
Share = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]

# Member sectors (schema vocabulary) whose goods Annex I of Regulation (EU) 2023/956 covers.
CBAM_SECTORS = ("cement", "steel", "fertilizer")
# Levers a grant or a carbon contract for difference may name: columns grant and cfd of data/levers.csv (stores are
# not granted; a contract needs tonnes abated per unit of flow).
GRANT_LEVERS = levers.GRANTABLE
CFD_LEVERS = levers.CFD_ELIGIBLE


class Source(Model):
    """Where a figure comes from: the document, the place in it, its year and where to read it."""

    document: str = Field(min_length=3)
    where: str = Field(default="", description="article, section, table or page")
    year: Year
    url: str = ""
    note: str = ""


class Instrument(Model):
    # The fields that are money (in ``currency`` of ``money_year``).
    MONEY: ClassVar[tuple[str, ...]] = ()

    title: str = Field(min_length=1)
    currency: CurrencyCode = "EUR"
    money_year: Year | None = Field(default=None, description="year whose money the amounts are in; none: the "
                                    "scenario's price year")  # fmt: skip
    note: str = ""
    # Figure name -> its source. Packs must source every figure they give (policy/packs.py).
    sources: dict[str, Source] = Field(default_factory=dict)

    def money(self) -> list[str]:
        """Names of the money fields this instrument gives."""
        return [name for name in self.MONEY if getattr(self, name) is not None]

    def figures(self) -> list[str]:
        """Names of the numbers this instrument carries: each needs a source in a shipped pack."""
        skip = {"title", "currency", "money_year", "note", "sources", "type", "levers", "sectors", "electricity",
                "exports", "prevailing_wage", "reference_price"}  # fmt: skip
        return [name for name, value in self if name not in skip and value is not None and value != {}]


def _years_increasing(values: dict[int, float], what: str) -> dict[int, float]:
    if not values:
        raise ValueError(f"{what} needs at least one year, e.g. {{2025: ...}}")
    return dict(sorted(values.items()))


class CarbonPrice(Instrument):
    """A market or tax price on scope 1 emissions, per tCO2e, by year (interpolated, flat beyond)."""

    MONEY = ("prices",)
    type: Literal["carbon_price"] = "carbon_price"
    prices: dict[Year, Amount]

    @field_validator("prices")
    @classmethod
    def _sorted(cls, value: dict[int, float]) -> dict[int, float]:
        return _years_increasing(value, "prices")


class Cbam(Instrument):
    """Exposure of goods exported to the EU to the EU carbon price (Regulation (EU) 2023/956).

    ``phase_in`` is the share of embedded emissions that pays, by year: one minus the CBAM
    factor that still allocates EU producers free allowances. ``exports`` is the share of
    each member's output sold into the EU, set by the scenario.
    """

    type: Literal["cbam"] = "cbam"
    sectors: list[str] = Field(default_factory=lambda: list(CBAM_SECTORS))
    phase_in: dict[Year, Share]
    reference_price: str = Field(default="eu.ets", description="the carbon price instrument CBAM certificates follow")
    exports: dict[str, Share] = Field(default_factory=dict, description="member id -> share of its output exported to the EU")

    @field_validator("sectors")
    @classmethod
    def _known_sectors(cls, value: list[str]) -> list[str]:
        check_known(value, CBAM_SECTORS, "CBAM sector")
        return value

    @field_validator("phase_in")
    @classmethod
    def _sorted(cls, value: dict[int, float]) -> dict[int, float]:
        return _years_increasing(value, "phase_in")


class Tier(Model):
    """Lifecycle intensity from ``above`` (inclusive) to ``below`` (exclusive; the last tier's is inclusive)."""

    above: Amount = Field(description="kg CO2e per kg H2, lower bound")
    below: Amount = Field(description="kg CO2e per kg H2, upper bound")
    share: Share = Field(description="applicable percentage of the base rate, as a share")

    @model_validator(mode="after")
    def _ordered(self) -> Tier:
        if not self.above < self.below:
            raise ValueError(f"tier bounds {self.above} to {self.below} kg CO2e/kg: the lower bound must be below the upper")
        return self


class ProductionCredit(Instrument):
    """A credit per kg of hydrogen, tiered by the lifecycle intensity of its production (26 USC 45V)."""

    MONEY = ("base_rate",)
    type: Literal["production_credit"] = "production_credit"
    base_rate: Amount = Field(description="per kg H2 at a 100 % tier, without the wage multiplier")
    wage_multiplier: float = Field(default=1.0, ge=1, le=10)
    prevailing_wage: bool = Field(default=True, description="projects meet the prevailing wage and apprenticeship rules")
    tiers: list[Tier] = Field(min_length=1)
    credit_years: Amount = Field(description="years from placed in service")
    construction_before: Year | None = Field(default=None, description="construction must begin before 1 January of this year")
    first_year: Year | None = Field(default=None, description="no credit for output before this year")
    hydrogen_kwh_per_kg: Amount = Field(description="lower heating value of hydrogen, kWh per kg")
    electricity: Literal["grid", "dedicated_renewables"] = Field(
        default="grid", description="what feeds the electrolysers: grid power at the grid factor, or the cluster's "
        "own wind and solar matched hour by hour")  # fmt: skip

    @field_validator("tiers")
    @classmethod
    def _contiguous(cls, tiers: list[Tier]) -> list[Tier]:
        ordered = sorted(tiers, key=lambda t: t.above)
        for low, high in zip(ordered, ordered[1:], strict=False):
            if high.above < low.below:
                raise ValueError(f"tiers overlap: {low.above}-{low.below} and {high.above}-{high.below} kg CO2e/kg")
            if high.above > low.below:
                raise ValueError(f"tiers leave a gap between {low.below} and {high.above} kg CO2e/kg "
                                 f"(tiers {low.above}-{low.below} and {high.above}-{high.below})")  # fmt: skip
        return ordered

    def rate(self) -> float:
        return self.base_rate * (self.wage_multiplier if self.prevailing_wage else 1.0)

    def share_at(self, intensity: float) -> float:
        """Applicable share of the rate for a lifecycle intensity (kg CO2e per kg H2); 0 above the last tier."""
        for i, tier in enumerate(self.tiers):
            last = i == len(self.tiers) - 1
            if tier.above <= intensity and (intensity < tier.below or (last and intensity <= tier.below)):
                return tier.share
        return 0.0


class CaptureRates(Model):
    storage: Amount = Field(description="per tCO2 into secure geological storage")
    utilization: Amount = Field(description="per tCO2 utilized or used for enhanced recovery")


class SequestrationCredit(Instrument):
    """A credit per tonne of CO2 captured and stored (26 USC 45Q)."""

    MONEY = ("point_source", "direct_air_capture")
    type: Literal["sequestration_credit"] = "sequestration_credit"
    point_source: CaptureRates
    direct_air_capture: CaptureRates
    wage_multiplier: float = Field(default=1.0, ge=1, le=10)
    prevailing_wage: bool = True
    credit_years: Amount
    construction_before: Year | None = None
    minimum_capture: dict[Literal["industrial", "power", "direct_air_capture"], Amount] = Field(
        default_factory=dict, description="t CO2 captured a year a facility must reach to earn the credit")

    def multiplier(self) -> float:
        return self.wage_multiplier if self.prevailing_wage else 1.0


class CapitalGrant(Instrument):
    """A grant paying ``share`` of the investment in eligible technologies, up to ``cap`` in total."""

    MONEY = ("cap",)
    type: Literal["capital_grant"] = "capital_grant"
    share: Share
    cap: Amount | None = Field(default=None, description="total grant money over the horizon; none = no cap")
    levers: list[str] = Field(min_length=1)
    years: tuple[Year, Year] | None = Field(default=None, description="first and last year a grant is awarded")

    @field_validator("levers")
    @classmethod
    def _known(cls, value: list[str]) -> list[str]:
        check_known(value, GRANT_LEVERS, "grantable lever")
        return value


class CarbonCfd(Instrument):
    """A carbon contract for difference: (strike - market carbon price) per tonne abated, both ways."""

    MONEY = ("strike",)
    type: Literal["carbon_cfd"] = "carbon_cfd"
    strike: Amount = Field(description="per tCO2e abated")
    levers: list[str] = Field(min_length=1)
    years: tuple[Year, Year] = Field(description="first and last year the contract pays")

    @field_validator("levers")
    @classmethod
    def _known(cls, value: list[str]) -> list[str]:
        check_known(value, CFD_LEVERS, "contract-for-difference lever")
        return value


class RenewableMandate(Instrument):
    """A least share of the cluster's electricity from its own wind and solar, by year."""

    type: Literal["renewable_mandate"] = "renewable_mandate"
    share: dict[Year, Share]

    @field_validator("share")
    @classmethod
    def _sorted(cls, value: dict[int, float]) -> dict[int, float]:
        return _years_increasing(value, "share")


KINDS: dict[str, type[Instrument]] = {
    cls.model_fields["type"].default: cls
    for cls in (CarbonPrice, Cbam, ProductionCredit, SequestrationCredit, CapitalGrant, CarbonCfd, RenewableMandate)
}
AnyInstrument = CarbonPrice | Cbam | ProductionCredit | SequestrationCredit | CapitalGrant | CarbonCfd | RenewableMandate
