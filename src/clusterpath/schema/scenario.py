"""A planning scenario: the horizon, the emission target and the prices the pathway faces.

Money in a scenario is in the scenario's own ``currency`` (real terms) and converted to
the cluster's currency when the model is built, so shipped scenarios serve any cluster.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, ValidationInfo, field_validator, model_validator

from clusterpath.schema import units
from clusterpath.schema.models import CurrencyCode, Model, Trajectory, _price, _trajectory
from clusterpath.schema.vocabulary import LEVERS, check_known

Prices = Annotated[Trajectory, BeforeValidator(_trajectory(_price))]
Factors = Annotated[Trajectory, BeforeValidator(_trajectory(lambda v: units.parse_quantity(v, units.EMISSION_FACTOR)))]

# Fuels a price is given for; other fuels are priced like their nearest market (see docs/model.md).
PRICED_FUELS = ("natural_gas", "coal", "oil", "biomass")



class EfficiencyPotential(Model):
    """Demand a member can avoid, and what each avoided MWh costs (levelized, scenario currency)."""

    member: str = Field(description="member id, or * for every member")
    service: str = Field(description="service, or * for every service")
    max_share: float = Field(ge=0, le=1, description="largest share of the demand that can be avoided, 0 to 1")
    cost_per_mwh: float = Field(ge=0, allow_inf_nan=False, description="levelized cost per avoided MWh, scenario "
                                "currency")


class LeadTime(Model):
    """Years from the decision to start permitting a project to its first year of operation."""

    permitting_years: float = Field(ge=0, le=30, allow_inf_nan=False, description="years from the decision to "
                                    "the permit")
    construction_years: float = Field(ge=0, le=30, allow_inf_nan=False, description="years from the permit to the "
                                      "first year of operation")


EnergyPath = Annotated[Trajectory, BeforeValidator(_trajectory(lambda v: units.parse_quantity(v, units.ENERGY)))]


class BiomassSupply(Model):
    """Biomass the cluster can source for new uses (the biomass lever), beyond what members burn today."""

    limit: EnergyPath | None = Field(default=None, description="MWh a year of new biomass the cluster can source, "
                                     "by year (e.g. {2030: 200 GWh}); default the cluster's share of its country's "
                                     "sustainable potential (biomass_potentials.csv; docs/model.md 6.4)")
    price: Prices | None = Field(default=None, description="per MWh of new biomass, scenario currency; default "
                                 "fuel_prices.biomass")


class Scenario(Model):
    name: str = Field(min_length=1, description="the scenario's name, shown in results and comparisons")
    description: str = Field(default="", description="one sentence on what the scenario assumes")
    currency: CurrencyCode = Field(default="EUR", description="currency of every price in this scenario")
    price_year: int | None = Field(
        default=None, ge=2000, le=2100,
        description="year whose money every cost is in (prices given here too); default 2025, the catalog's",
    )
    periods: list[Annotated[int, Field(ge=2000, le=2100)]] = Field(
        default_factory=lambda: [2025, 2030, 2035, 2040, 2045, 2050], min_length=1,
        description="years the plan decides for, increasing; each stands for the years up to the next",
    )
    target_year: int = Field(default=2050, ge=2000, le=2100, description="year of net zero")
    target: Literal["cluster_cap", "member_caps", "carbon_price_only"] = Field(
        default="cluster_cap", description="cluster_cap: the cluster's emissions fall in a straight line from the base "
        "year to zero in target_year; member_caps: each member's do; carbon_price_only: no cap, a carbon price "
        "(carbon_price or a policy) steers the plan")
    cap_scopes: list[Literal[1, 2]] = Field(default_factory=lambda: [1], description="scopes the cap covers")
    cap_start_year: int | None = Field(
        default=None, ge=2000, le=2100,
        description="year the cap's straight line to zero starts from the base year's emissions, which cap the years "
        "before it; default the cluster's base year",
    )
    carbon_price: Prices | None = Field(default=None, description="per tCO2e on scope 1 emissions by year, "
                                         "e.g. {2025: 80, 2050: 200}")
    fuel_prices: dict[Literal["natural_gas", "coal", "oil", "biomass"], Prices] = Field(
        default_factory=dict, description="per MWh by year for natural_gas, coal, oil or biomass, e.g. {biomass: "
        "{2025: 30}}; default the reference prices (none for biomass: needed when a member burns wood or biogas)")
    electricity_price: Prices | None = Field(default=None, description="per MWh by year; overrides the "
                                              "cluster's grid price")
    grid_emission_factor: Factors | None = Field(default=None, description="by year, with a unit, e.g. "
                                                "{2025: 0.12 tCO2e/MWh}; overrides the cluster's grid factor")
    discount_rate: float | None = Field(default=None, ge=0, lt=1, description="real discount rate; default the "
                                        "cluster's")
    typical_days: int = Field(default=12, ge=1, le=365, description="representative days a year of the hourly "
                              "model; fewer solve faster")
    segments: int = Field(default=24, ge=1, le=24, description="time steps per typical day: 24 hours, or "
                          "fewer steps of several hours each (tsam segmentation; docs/timeseries.md); fewer solve "
                          "faster")
    levers: list[str] = Field(default_factory=lambda: list(LEVERS), description="levers the optimizer may use "
                              "(docs/model.md); default every lever")
    efficiency: list[EfficiencyPotential] = Field(
        default_factory=list, description="demand members can avoid (the efficiency lever): a list of {member, "
        "service, max_share, cost_per_mwh}")
    max_build_per_year: dict[str, float] = Field(
        default_factory=dict, description="MW per year by lever, e.g. {solar_pv: 200}"
    )
    economies_of_scale: bool = Field(default=True, description="concave capex for shared assets (a MILP)")
    biomass_supply: BiomassSupply | None = Field(
        default=None, description="new biomass the cluster can source (limit, price); without it a biomass price "
        "offers the biomass lever within the cluster's share of its country's sustainable potential"
    )
    policies: list[str | dict] = Field(
        default_factory=list,
        description="policy instruments: shipped ones by name (us.45v), {use: us.45q, ...} to change some of "
        "their fields, or the scenario's own {name, type, ...}; see docs/input-format.md",
    )

    @field_validator("policies")
    @classmethod
    def _known_policies(cls, value: list, info: ValidationInfo) -> list:
        from clusterpath.policy.selection import resolve

        resolve(value, info.data.get("periods"))
        return value

    lead_times: bool = Field(default=True, description="new capacity of a lever starts no earlier than its permitting "
                             "and construction allow (data/lead_times.csv; docs/model.md)")
    decision_year: int | None = Field(default=None, ge=2000, le=2100, description="first year a project can start "
                                      "permitting; default the cluster's base year + 1")
    lead_time_overrides: dict[str, LeadTime] = Field(
        default_factory=dict,
        description="the cluster's own lead times by lever, "
        "e.g. {co2_network: {permitting_years: 4, construction_years: 3}}",
    )

    @field_validator("lead_time_overrides")
    @classmethod
    def _lead_time_levers(cls, value: dict) -> dict:
        check_known(value, LEVERS)
        return value

    capex_multiplier: dict[str, float] = Field(
        default_factory=dict, description="factor on catalog capex by lever, or * for every lever, e.g. {'*': 1.2}"
    )

    @field_validator("capex_multiplier")
    @classmethod
    def _capex_multiplier(cls, value: dict[str, float]) -> dict[str, float]:
        check_known(value, LEVERS, also="*")
        bad = [f"{k}: {v}" for k, v in value.items() if not (0 <= v < float("inf"))]
        if bad:
            raise ValueError(f"a capex multiplier is a finite factor of 0 or more, got {', '.join(bad)}")
        return value

    @field_validator("levers")
    @classmethod
    def _known_levers(cls, value: list[str]) -> list[str]:
        check_known(value, LEVERS)
        return value

    @model_validator(mode="after")
    def _horizon(self) -> Scenario:
        if sorted(set(self.periods)) != self.periods:
            raise ValueError("periods must be increasing years without repeats, e.g. [2025, 2030, 2035]")
        if not self.periods[0] <= self.target_year:
            raise ValueError(f"target_year {self.target_year} is before the first period {self.periods[0]}")
        if self.cap_start_year is not None and self.cap_start_year >= self.target_year:
            raise ValueError(f"cap_start_year {self.cap_start_year} is not before target_year {self.target_year}: the "
                             "cap's line starts before the year it reaches zero")
        priced = [s.key for s in self.instruments() if s.kind == "carbon_price"]
        if self.carbon_price and priced:
            raise ValueError(f"carbon_price is given twice: as a trajectory and by policies ({priced[0]}); keep one")
        if self.target == "carbon_price_only" and not (self.carbon_price or priced):
            raise ValueError("target 'carbon_price_only' needs a carbon_price trajectory (or a carbon price "
                             "instrument among policies, e.g. eu.ets)")
        if self.decision_year is not None and self.decision_year > self.periods[-1]:
            raise ValueError(f"decision_year {self.decision_year} is after the last period {self.periods[-1]}: "
                             "give a year within the horizon, when projects can still start permitting")
        return self

    @field_validator("max_build_per_year")
    @classmethod
    def _known_build_limits(cls, value: dict[str, float]) -> dict[str, float]:
        check_known(value, LEVERS)
        return value

    def instruments(self) -> list:
        """The policy instruments chosen (``policy.Selected``), resolved against the shipped packs."""
        from clusterpath.policy.selection import resolve

        return resolve(self.policies)

    def period_years(self) -> dict[int, int]:
        """Years each period stands for: up to the next period; the last as long as the one before."""
        years = self.periods
        lengths = [b - a for a, b in zip(years, years[1:], strict=False)]
        last = lengths[-1] if lengths else 1
        return dict(zip(years, [*lengths, last], strict=True))
