"""The one description of a cluster: pydantic models every entry point goes through.

Amounts are converted to internal units here (see ``units``); once a ``Cluster``
exists, every later step can trust it and never re-parses or re-validates.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import pycountry
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from clusterpath import reference
from clusterpath.schema import units
from clusterpath.schema.vocabulary import (
    EQUIPMENT_ABOVE_UNITY,
    LEVERS,
    ClusterKind,
    Equipment,
    Governance,
    PolicyKind,
    PolicyStatus,
    ProjectStage,
    RenewableType,
    Sector,
    Service,
    WasteKind,
    WasteTreatment,
    WastewaterTreatment,
    check_known,
)

Energy = units.quantity(units.ENERGY)
Power = units.quantity(units.POWER)
Mass = units.quantity(units.MASS)
EmissionFactor = units.quantity(units.EMISSION_FACTOR)
Length = units.quantity(units.LENGTH)
Area = units.quantity(units.AREA)
Volume = units.quantity(units.VOLUME)
Share = Annotated[float, BeforeValidator(units.parse_fraction), Field(ge=0, le=1)]
Money = Annotated[float, Field(ge=0, allow_inf_nan=False)]
Year = Annotated[int, Field(ge=1990, le=2100)]
def _iso_currency(value: Any) -> Any:
    if isinstance(value, str) and pycountry.currencies.get(alpha_3=value.strip().upper()) is None:
        raise ValueError(f"unknown currency '{value}': expected an ISO 4217 code such as EUR, USD or CNY")
    return value.strip().upper() if isinstance(value, str) else value


CurrencyCode = Annotated[str, BeforeValidator(_iso_currency)]
# Member ids are joined with commas in coalition names, so commas are not allowed.
Identifier = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$", max_length=64)]

# Carriers that are not burnt on site; every other carrier is a fuel of fuels.csv.
NON_FUEL_CARRIERS = ("electricity", "hydrogen", "heat", "steam")
PURCHASED_HEAT = frozenset({"heat", "steam"})


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Location(Model):
    lat: float = Field(ge=-90, le=90, allow_inf_nan=False, description="latitude in degrees")
    lon: float = Field(ge=-180, le=180, allow_inf_nan=False, description="longitude in degrees")


class Demand(Model):
    """One energy service of a member in the base year and what serves it today.

    Give either the useful energy delivered (``useful_energy``) or the carrier bought
    or burnt (``final_energy``); the other follows from the equipment's efficiency.
    """

    service: Service
    carrier: str
    equipment: Equipment = Equipment.DIRECT
    efficiency: float | None = Field(default=None, gt=0, allow_inf_nan=False)
    useful_energy: Energy | None = None
    final_energy: Energy | None = None
    emission_factor: EmissionFactor | None = Field(
        default=None, description="only for purchased heat or steam: tCO2e per MWh delivered"
    )
    sold: bool = Field(
        default=False, description="the service is a product sold outside the cluster (power to the grid, steam or "
        "hydrogen to a customer), not used by the member: if the plan stops making it, the member loses the sale",
    )
    sale_price: float | dict[int, float] | None = Field(
        default=None, description="only with sold: what a MWh of the product sells for, cluster currency: one price, "
        "or prices by year ({2024: 70, 2030: 60}; in a workbook cell '2024: 70; 2030: 60')",
    )

    @field_validator("sale_price", mode="before")
    @classmethod
    def _sale_price(cls, value: Any) -> Any:
        if value is None:
            return value
        if isinstance(value, int | float):  # a bool is refused there
            return _price(value)
        if isinstance(value, str):
            try:
                value = {year.strip(): float(price) for year, price in
                         (part.split(":") for part in value.split(";") if part.strip())}  # fmt: skip
            except ValueError:
                raise ValueError(f"'{value}' is not a price per MWh nor prices by year such as "
                                 "'2024: 70; 2030: 60'") from None
        return _trajectory(_price)(value)

    @field_validator("carrier", mode="before")
    @classmethod
    def _known_carrier(cls, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        key = value.strip().lower().replace(" ", "_").replace("-", "_")
        allowed = carriers()
        if key not in allowed:
            raise ValueError(f"unknown carrier '{value}': expected one of {', '.join(allowed)}")
        return key

    @model_validator(mode="after")
    def _consistent(self) -> Demand:
        if (self.useful_energy is None) == (self.final_energy is None):
            raise ValueError("give exactly one of 'useful_energy' and 'final_energy'")
        if self.efficiency is None and self.equipment is not Equipment.DIRECT:
            raise ValueError(f"equipment '{self.equipment}' needs an 'efficiency' (e.g. 0.9 for a boiler at 90 %)")
        if self.efficiency is not None and self.efficiency > 1 and self.equipment not in EQUIPMENT_ABOVE_UNITY:
            raise ValueError(
                f"efficiency {self.efficiency:g} is above 1, which only a heat pump (its COP) can have; "
                f"give the efficiency of '{self.equipment}' as a share such as 0.9"
            )
        if self.efficiency is not None and self.efficiency > 10:
            raise ValueError(f"efficiency {self.efficiency:g} is above 10, beyond any heat pump's COP")
        if self.carrier in PURCHASED_HEAT and self.emission_factor is None:
            raise ValueError(f"purchased {self.carrier} needs an 'emission_factor' (e.g. '0.25 tCO2e/MWh')")
        if self.carrier not in PURCHASED_HEAT and self.emission_factor is not None:
            raise ValueError(
                "'emission_factor' is only given for purchased heat or steam; fuel factors come from IPCC "
                "and grid electricity from the cluster's grid"
            )
        if self.sold and self.carrier in NON_FUEL_CARRIERS:
            raise ValueError(
                f"sold: true is for a product made on site from a fuel (e.g. power from natural_gas); {self.carrier} "
                "bought and sold on is not modelled: drop 'sold' and 'sale_price' from this demand"
            )
        if self.sold and self.sale_price is None:
            raise ValueError(
                f"{self.service} sold outside the cluster (sold: true) needs 'sale_price': what a MWh of it sells "
                "for, in the cluster's currency by year, e.g. {2024: 70}; the member loses that revenue if the plan "
                "stops making it"
            )
        if self.sale_price is not None and not self.sold:
            raise ValueError("'sale_price' is only given with 'sold: true' (a product sold outside the cluster)")
        return self

    @property
    def conversion_efficiency(self) -> float:
        return 1.0 if self.efficiency is None else self.efficiency

    @property
    def carrier_mwh(self) -> float:
        """Energy of the carrier consumed, in MWh."""
        if self.final_energy is not None:
            return self.final_energy
        return self.useful_energy / self.conversion_efficiency

    @property
    def service_mwh(self) -> float:
        """Useful energy of the service delivered, in MWh."""
        if self.useful_energy is not None:
            return self.useful_energy
        return self.final_energy * self.conversion_efficiency


class ProcessEmission(Model):
    """Emissions from a process rather than combustion (e.g. calcination, ammonia)."""

    source: str = Field(min_length=1, description="what emits, e.g. 'clinker calcination'")
    gas: Literal["co2", "ch4", "n2o"] = "co2"
    amount: float = Field(description="tonnes of the gas per year, or tCO2e for CO2")
    biogenic: bool = False
    co2_concentration: Share | None = Field(
        default=None, description="CO2 share of the stream by volume, dry (e.g. '12 %'); sets the capture class",
    )

    @field_validator("gas", mode="before")
    @classmethod
    def _lower(cls, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) else value

    @model_validator(mode="before")
    @classmethod
    def _amount_in_tonnes(cls, data: Any) -> Any:
        if not isinstance(data, dict) or "amount" not in data:
            return data
        gas = str(data.get("gas", "co2")).strip().lower()
        try:
            tonnes = units.parse_quantity(data["amount"], units.MASS)
        except units.UnitError as mass_error:
            if gas != "co2":
                raise ValueError(f"amount: give {gas.upper()} in tonnes of the gas ('12 t'); {mass_error}") from None
            try:
                tonnes = units.parse_quantity(data["amount"], units.EMISSIONS)
            except units.UnitError:
                raise ValueError(f"amount: {mass_error}; tCO2e, ktCO2e or MtCO2e are accepted too") from None
        return {**data, "amount": tonnes}


class WasteStream(Model):
    kind: WasteKind
    amount: Mass = Field(description="tonnes per year")
    treatment: WasteTreatment


class WastewaterStream(Model):
    amount: Volume = Field(description="m3 per year")
    cod: Mass | None = Field(default=None, description="chemical oxygen demand load, tonnes per year")
    treatment: WastewaterTreatment
    methane_recovered: Share = Field(
        default=0.0, description="share of the methane the treatment generates that is recovered (flared or used) today"
    )

    @model_validator(mode="after")
    def _cod_for_anaerobic(self) -> WastewaterStream:
        # Anaerobic treatment emits methane in proportion to the organic load: without it the inventory is blind.
        if self.treatment is WastewaterTreatment.ANAEROBIC and self.cod is None:
            raise ValueError("anaerobic treatment emits methane in proportion to the organic load: give 'cod' "
                             "(tonnes of chemical oxygen demand per year, e.g. '120 t')")
        return self


class Member(Model):
    """A company of the cluster with its base-year energy, emissions and economy."""

    id: Identifier
    name: str = Field(min_length=1)
    sector: Sector
    value_added: Money = Field(description="gross value added in the base year, cluster currency")
    jobs: int = Field(ge=0, description="direct employees")
    location: Location | None = Field(default=None, description="defaults to the cluster's location")
    demands: list[Demand] = Field(default_factory=list)
    process_emissions: list[ProcessEmission] = Field(default_factory=list)
    flue_co2_concentration: Share | None = Field(
        default=None, description="CO2 share of the combustion flue gas by volume, dry; sets the capture class",
    )
    waste: list[WasteStream] = Field(default_factory=list)
    wastewater: list[WastewaterStream] = Field(default_factory=list)


class RenewablePotential(Model):
    type: RenewableType
    potential: Power = Field(description="installable capacity, MW")
    full_load_hours: float | None = Field(
        default=None, gt=0, le=8760, allow_inf_nan=False,
        description="yearly output per MW of capacity at the site, hours (e.g. PVGIS for PV)",
    )
    distance_to_shore: Length | None = Field(
        default=None, description="offshore wind: submarine cable length from the site to the landfall, km",
    )
    landfall_distance: Length | None = Field(
        default=None, description="offshore wind: underground cable from the landfall to the grid connection, km",
    )


class CO2StorageSite(Model):
    id: Identifier
    name: str = Field(min_length=1)
    setting: Literal["onshore", "nearshore", "offshore"] = Field(
        default="offshore", description="where the reservoir lies; sets the storage cost class"
    )
    distance: Length = Field(description="pipeline or shipping distance from the cluster, km")
    transport: Literal["pipeline", "ship"] = Field(
        default="pipeline", description="how the CO2 reaches the site: by pipeline, or liquefied by ship",
    )
    injection_capacity: Mass = Field(description="tonnes of CO2 per year")
    storage_capacity: Mass | None = Field(default=None, description="total tonnes of CO2 the site can hold")


class Resources(Model):
    renewables: list[RenewablePotential] = Field(default_factory=list)
    land_for_pv: Area | None = None
    geothermal: Power | None = Field(default=None, description="thermal capacity, MW")
    co2_storage: list[CO2StorageSite] = Field(default_factory=list)


def _trajectory(parse):
    def validate(value: Any) -> dict[int, float]:
        if not isinstance(value, dict) or not value:
            raise ValueError("expected a mapping of year to value, e.g. {2025: ..., 2030: ...}")
        out = {}
        for year, item in value.items():
            try:
                key = int(year)
            except (TypeError, ValueError):
                raise ValueError(f"'{year}' is not a year") from None
            if not 1990 <= key <= 2100:
                raise ValueError(f"year {key} is outside 1990-2100")
            try:
                out[key] = parse(item)
            except (units.UnitError, ValueError) as error:
                raise ValueError(f"year {key}: {error}") from None
        return dict(sorted(out.items()))

    return validate


def _price(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"expected a price per MWh as a number, got {value!r}")
    if not (value >= 0 and value != float("inf")):
        raise ValueError(f"expected a finite, non-negative price, got {value}")
    return float(value)


Trajectory = dict[int, float]


class Grid(Model):
    """The public grid; missing emission factors fall back to the country's default."""

    electricity_price: Annotated[Trajectory, BeforeValidator(_trajectory(_price))] | None = Field(
        default=None, description="cluster currency per MWh, by year"
    )
    emission_factor: Annotated[
        Trajectory, BeforeValidator(_trajectory(lambda v: units.parse_quantity(v, units.EMISSION_FACTOR)))
    ] | None = Field(default=None, description="tCO2e per MWh, by year (location-based)")


class Project(Model):
    """A project of the cluster's register: what is announced, studied, decided, built or running.

    The register is what the members report; the pathway is what the optimizer finds. The
    scorecard and the year-on-year comparison read the register.
    """

    id: Identifier
    name: str = Field(min_length=1)
    lever: str = Field(description="the pathway lever the project is an instance of, e.g. carbon_capture")
    members: list[Identifier] = Field(min_length=1, description="ids of the members it serves")
    stage: ProjectStage
    investment: Money | None = Field(default=None, description="capital cost, cluster currency")
    committed: Money = Field(default=0.0, description="capital committed by investors and funders so far")
    public_funding: Money = Field(default=0.0, description="grants and public loans secured, included in committed")
    operating_year: Year | None = Field(default=None, description="first year of operation, actual or planned")
    abatement: Mass | None = Field(default=None, description="tCO2e a year it avoids once operating")

    @field_validator("lever")
    @classmethod
    def _known_lever(cls, value: str) -> str:
        check_known([value], LEVERS)
        return value

    @model_validator(mode="after")
    def _money_adds_up(self) -> Project:
        if self.public_funding > self.committed:
            raise ValueError("public_funding is part of committed: it cannot be larger than committed")
        if self.investment is not None and self.committed > self.investment * (1 + 1e-9):
            raise ValueError("committed is larger than the project's investment")
        return self


class EnablingPolicy(Model):
    """A policy the cluster reports as enabling its projects (the scorecard's policy pillar)."""

    name: str = Field(min_length=1)
    kind: PolicyKind
    status: PolicyStatus = PolicyStatus.IN_PLACE
    year: Year | None = Field(default=None, description="year it took or takes effect")


# Units the plan measures capacity in (pathway/build.py): a factor per another unit would count nothing.
CAPACITY_UNITS = ("MW", "tCO2/h", "t/h", "tCOD/h")


class EmploymentFactor(Model):
    """The cluster's own jobs per unit of capacity of a technology, used before the shipped ones
    (data/employment_factors.csv, docs/workforce.md); like those, it needs its source."""

    technology: str = Field(description="a technology of the catalog, e.g. electric_boiler")
    capacity_unit: Literal[CAPACITY_UNITS] = "MW"
    construction_job_years: Annotated[float, Field(ge=0)] | None = Field(
        default=None, description="job-years to build one unit of capacity")
    operation_jobs: Annotated[float, Field(ge=0)] | None = Field(
        default=None, description="jobs (fte) to run one unit of capacity")
    manufacturing_job_years: Annotated[float, Field(ge=0)] | None = Field(
        default=None, description="job-years to make the equipment of one unit of capacity")
    source: str = Field(min_length=1, description="where the figures come from: publication, table, page")

    @field_validator("technology")
    @classmethod
    def _known_technology(cls, value: str) -> str:
        check_known([value], reference.technology_ids(), "technology")
        return value

    @model_validator(mode="after")
    def _some_factor(self) -> EmploymentFactor:
        if (self.construction_job_years, self.operation_jobs, self.manufacturing_job_years) == (None, None, None):
            raise ValueError(f"employment factor of '{self.technology}' gives no figure: expected "
                             "construction_job_years, operation_jobs or manufacturing_job_years")  # fmt: skip
        return self


def _unique(items: list, what: str) -> None:
    seen = set()
    for item in items:
        if item.id in seen:
            raise ValueError(f"duplicate {what} id '{item.id}': every {what} needs its own id")
        seen.add(item.id)


class Cluster(Model):
    id: Identifier
    name: str = Field(min_length=1)
    country: str = Field(description="ISO 3166-1 alpha-2 code")
    location: Location
    kind: ClusterKind
    currency: CurrencyCode = Field(description="ISO 4217 code; all money is in this currency, real, base year")
    base_year: Year
    discount_rate: Share
    illustrative: bool = Field(default=False, description="true when the data are made up for illustration")
    description: str = ""
    resources: Resources = Field(default_factory=Resources)
    grid: Grid = Field(default_factory=Grid)
    members: list[Member] = Field(min_length=1)
    governance: Governance | None = Field(default=None, description="how the members organize their collaboration")
    companies: int | None = Field(
        default=None, ge=1, description="companies on the site, members or not (for the share engaged)"
    )
    projects: list[Project] = Field(default_factory=list, description="the cluster's project register")
    policies: list[EnablingPolicy] = Field(default_factory=list, description="enabling policies in place or planned")
    employment_factors: list[EmploymentFactor] = Field(
        default_factory=list, description="the cluster's own employment factors, used before the shipped ones"
    )

    @field_validator("country", mode="before")
    @classmethod
    def _iso_country(cls, value: Any) -> Any:
        if isinstance(value, str) and pycountry.countries.get(alpha_2=value.strip().upper()) is None:
            raise ValueError(f"unknown country '{value}': expected an ISO 3166-1 alpha-2 code such as BE, NL or US")
        return value.strip().upper() if isinstance(value, str) else value

    @model_validator(mode="after")
    def _consistent(self) -> Cluster:
        _unique(self.members, "member")
        _unique(self.resources.co2_storage, "CO2 storage site")
        _unique(self.projects, "project")
        technologies = [f.technology for f in self.employment_factors]
        if len(technologies) != len(set(technologies)):
            raise ValueError("employment_factors lists a technology twice: give one row per technology")
        ids = {m.id for m in self.members}
        for project in self.projects:
            unknown = [m for m in project.members if m not in ids]
            if unknown:
                raise ValueError(f"project '{project.id}' serves unknown member(s) {', '.join(unknown)}")
        if self.companies is not None and self.companies < len(self.members):
            raise ValueError(f"companies ({self.companies}) is smaller than the number of members ({len(self.members)})")
        types = [r.type for r in self.resources.renewables]
        if len(types) != len(set(types)):
            raise ValueError("resources.renewables lists a type twice: give one potential per type")
        uses_grid = any(d.carrier == "electricity" for m in self.members for d in m.demands)
        if uses_grid and not self.grid.emission_factor and not reference.grid_factors(self.country):
            raise ValueError(
                f"members buy grid electricity but the reference data has no grid emission factor for "
                f"{self.country}: give grid.emission_factor (e.g. {{2025: '0.4 tCO2e/MWh'}})"
            )
        return self

    def member_location(self, member: Member) -> Location:
        return member.location or self.location


def carriers() -> tuple[str, ...]:
    return (*reference.fuel_ids(), *NON_FUEL_CARRIERS)
