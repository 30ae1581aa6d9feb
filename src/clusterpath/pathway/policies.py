"""From the instruments a scenario picks to the policy terms of the cluster's network.

What each instrument becomes (which units, which rates) is written in docs/model.md,
section 8; the terms themselves are in ``policy_terms``.
"""

from __future__ import annotations

from typing import Any, Protocol

import pandas as pd

from clusterpath import levers
from clusterpath.inventory import interpolate
from clusterpath.pathway.errors import PlanningError
from clusterpath.pathway.hub import HUB
from clusterpath.pathway.money import PriceYearError
from clusterpath.pathway.network import AnnualLimit
from clusterpath.pathway.policy_terms import (
    CapexGrant,
    ContractForDifference,
    EmissionCharge,
    OutputCredit,
    PolicyTerms,
    ShareFloor,
)
from clusterpath.policy import packs
from clusterpath.policy.instruments import (
    CapitalGrant,
    CarbonCfd,
    CarbonPrice,
    Cbam,
    Instrument,
    ProductionCredit,
    RenewableMandate,
    SequestrationCredit,
)
from clusterpath.schema import Cluster
from clusterpath.schema.scenario import Scenario

RENEWABLE_LEVERS = levers.RENEWABLE
# Member states of the European Union (ISO 3166-1 alpha-2): CBAM charges goods entering them.
EU_MEMBERS = {"AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV", "LT",
              "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE"}  # fmt: skip


def kind_name(prefix: str, key: str) -> str:
    return f"{prefix}_{key.replace('.', '_').replace('-', '_')}"


class NetworkBuilder(Protocol):
    """What the policy terms read of the network builder (``build.NetworkBuilder``, which asks for them): a
    protocol, so that this module need not import the builder that imports it."""

    cluster: Cluster
    scenario: Scenario
    periods: list[int]
    price_year: int
    catalog: Any  # catalog.Catalog: converts money to the cluster's of the price year
    bp: Any  # build.Blueprint: its buses
    annual_limits: list[AnnualLimit]

    def grid_factor(self) -> list[float]: ...

    def carbon_price(self) -> pd.Series | None: ...

    def _incumbent_table(self) -> pd.DataFrame: ...


def money_factor(builder: NetworkBuilder, inst: Instrument) -> float:
    """Cluster money of the price year per unit of an instrument's money: its currency of its money_year, or of
    the price year when it gives none (an instrument of the scenario's own, like the scenario's prices)."""
    year = inst.money_year if inst.money_year is not None else builder.price_year
    try:
        return builder.catalog.convert(1.0, inst.currency, year)
    except PriceYearError as error:
        raise PlanningError(f"money_year {year}: {error}") from None


class PolicyBuilder:
    """The policy terms of one cluster network: needs the builder's prices and the assembled unit table."""

    def __init__(self, builder: NetworkBuilder, units: pd.DataFrame, ports: pd.DataFrame) -> None:
        self.b = builder
        self.units = units
        self.ports = ports
        self.periods = builder.periods

    def terms(self) -> PolicyTerms:

        out = PolicyTerms()
        production: list[OutputCredit] = []
        for selected in self.b.scenario.instruments():
            inst, key = selected.instrument, selected.key
            try:
                if isinstance(inst, ProductionCredit):
                    production += self.production_credit(key, inst)
                elif isinstance(inst, SequestrationCredit):
                    out.credits += self.sequestration_credit(key, inst)
                elif isinstance(inst, CapitalGrant):
                    out.grants += self.grant(key, inst)
                elif isinstance(inst, CarbonCfd):
                    out.contracts += self.contract(key, inst)
                elif isinstance(inst, RenewableMandate):
                    out.floors.append(self.mandate(key, inst))
                elif isinstance(inst, Cbam):
                    out.charges += self.cbam(key, inst)
            except PlanningError as error:
                raise error.within(f"policies ({key})") from None
        out.credits += _without_stacking(production, out.credits)
        return out

    # -- helpers ---------------------------------------------------------------------
    def _lever(self, *levers: str) -> pd.DataFrame:
        return self.units[self.units["lever"].isin(levers)]

    def _port(self, unit: str, suffix: str) -> float:
        rows = self.ports[(self.ports["unit"] == unit) & self.ports["bus"].str.endswith(suffix)]
        return float(rows["coefficient"].sum())

    def _by_period(self, value) -> pd.Series:
        return pd.Series(value, index=self.periods, dtype=float)

    # -- instruments -------------------------------------------------------------------
    def production_credit(self, key: str, inst: ProductionCredit) -> list[OutputCredit]:
        """Hydrogen from electrolysers: kg per MWh of power, at the tier of the power's lifecycle intensity."""
        electrolysers = self._lever("electrolysis")
        if electrolysers.empty:
            return []
        dedicated = inst.electricity == "dedicated_renewables"
        supply = list(self._lever(*RENEWABLE_LEVERS).index) if dedicated else []
        grid = [0.0] * len(self.periods) if dedicated else self.b.grid_factor()
        credits = []
        for unit in electrolysers.index:
            efficiency = self._port(unit, "|hydrogen")
            kg_per_mwh = efficiency * 1000 / inst.hydrogen_kwh_per_kg
            # tCO2e/MWh = kg/kWh; times the kWh of power a kg of hydrogen takes.
            intensity = [g * inst.hydrogen_kwh_per_kg / efficiency for g in grid]
            rate = [inst.rate() * inst.share_at(i) * money_factor(self.b, inst) for i in intensity]
            if dedicated and not supply:
                continue  # no wind or solar of its own: nothing can be matched
            credits.append(OutputCredit(
                name=f"{key}:{unit}", kind=kind_name("credit", key), per_flow=pd.Series({unit: kg_per_mwh}),
                rate=self._by_period(rate), credit_years=inst.credit_years, build_before=inst.construction_before,
                first_year=inst.first_year, matched_supply=supply,
                matched_input=pd.Series({unit: 1.0}) if dedicated else None))  # fmt: skip
        return credits

    def sequestration_credit(self, key: str, inst: SequestrationCredit) -> list[OutputCredit]:
        """Tonnes into geologic storage from capture units (point source) and direct air capture (on the hub)."""

        bound = sum(float(limit.limit.max()) for limit in self.b.annual_limits if limit.name.startswith("injection-"))
        if bound <= 0:
            return []
        sectors = {m.id: m.sector.value for m in self.b.cluster.members}
        fx = money_factor(self.b, inst) * inst.multiplier()
        credits = []
        for label, rate in (("point", inst.point_source.storage), ("air", inst.direct_air_capture.storage)):
            # Point sources: members' capture units (facility: the member) and the hub's reformers with capture
            # (blue hydrogen; each its own industrial facility). Air capture on the hub is one facility.
            if label == "point":
                units = self._lever("carbon_capture", "smr_ccs")
                per_flow = pd.Series({u: self._port(u, "|co2_captured" if row["lever"] == "carbon_capture"
                                                    else f"{HUB}|co2") for u, row in units.iterrows()})  # fmt: skip
                facility = pd.Series({u: u if row["lever"] == "smr_ccs" else row["node"]
                                      for u, row in units.iterrows()}, dtype=object)  # fmt: skip
                kinds = {f: "power" if sectors.get(f) == "power" else "industrial" for f in facility.unique()}
            else:
                units = self._lever("direct_air_capture")
                per_flow = pd.Series({u: self._port(u, f"{HUB}|co2") for u in units.index})
                facility = units["node"]
                kinds = {f: "direct_air_capture" for f in facility.unique()}
            if units.empty:
                continue
            threshold = pd.Series({f: inst.minimum_capture.get(kind, 0.0) for f, kind in kinds.items()})
            credits.append(OutputCredit(
                name=f"{key}:{label}", kind=kind_name("credit", key), per_flow=per_flow,
                rate=self._by_period(rate * fx), credit_years=inst.credit_years,
                build_before=inst.construction_before, facility=facility,
                threshold=threshold if (threshold > 0).any() else None, bound=bound))  # fmt: skip
        return credits

    def grant(self, key: str, inst: CapitalGrant) -> list[CapexGrant]:
        units = self._lever(*inst.levers)
        units = units[units["extendable"].astype(bool)]
        if units.empty:
            return []
        first, last = inst.years if inst.years else (self.periods[0], self.periods[-1])
        build = [p for p in self.periods if first <= p <= last]
        cap = inst.cap * money_factor(self.b, inst) if inst.cap is not None else None
        return [CapexGrant(kind_name("grant", key), list(units.index), inst.share, build, cap)]

    def contract(self, key: str, inst: CarbonCfd) -> list[ContractForDifference]:
        """Tonnes abated per unit of flow: captured tonnes, or what today's supply of the service emitted per MWh."""
        units = self._lever(*inst.levers)
        incumbent = self.b._incumbent_table()
        first = self.periods[0]
        abated = {}
        for unit, row in units.iterrows():
            if row["lever"] in levers.CAPTURING:
                # A point-source unit's captured port, else (air capture) what it takes out of the emissions.
                abated[unit] = self._port(unit, "|co2_captured") or -self._port(unit, "|scope1")
            elif (row["node"], row["service"], first) in incumbent.index:
                today = incumbent.loc[(row["node"], row["service"], first)]
                abated[unit] = float(today["scope1_tco2e"] / today["useful_mwh"]) if today["useful_mwh"] > 0 else 0.0
        if not abated:
            return []
        market = self.b.carbon_price()
        market = market if market is not None else self._by_period(0.0)
        strike = inst.strike * money_factor(self.b, inst)
        return [ContractForDifference(kind_name("cfd", key), pd.Series(abated), strike, market, inst.years)]

    def mandate(self, key: str, inst: RenewableMandate) -> ShareFloor:
        """The cluster's own wind and solar against grid purchases; a share holds from its year to the next one."""

        supply = list(self._lever(*RENEWABLE_LEVERS).index)
        grid = list(self.units.index[(self.units["lever"] == "market") & (self.units["technology"] == "grid")])
        share = self._by_period([max([v for y, v in inst.share.items() if y <= p], default=0.0) for p in self.periods])
        if (share > 0).any() and not supply:
            raise PlanningError("a renewable share is required but the cluster has no wind or solar lever: add "
                                "resources.renewables to the cluster and the lever to the scenario")  # fmt: skip
        return ShareFloor(kind_name("mandate", key), supply, grid, share)

    def cbam(self, key: str, inst: Cbam) -> list[EmissionCharge]:
        """Exported shares of CBAM-sector members pay the EU price less the cluster's own, phased in."""

        cluster = self.b.cluster
        if cluster.country in EU_MEMBERS:
            raise PlanningError(f"CBAM charges goods entering the EU; cluster '{cluster.id}' is in the EU ({cluster.country}), "
                                "where the EU ETS prices its emissions: choose eu.ets instead")  # fmt: skip
        members = {m.id: m.sector.value for m in cluster.members}
        unknown = [k for k in inst.exports if k not in members and k not in inst.sectors]
        if unknown:
            raise PlanningError(f"exports: {', '.join(unknown)} is neither a member ({', '.join(members)}) nor a CBAM "
                                f"sector ({', '.join(inst.sectors)})")  # fmt: skip
        outside = [k for k in inst.exports if k in members and members[k] not in inst.sectors]
        if outside:
            raise PlanningError(f"exports: member(s) {', '.join(outside)} are not in a CBAM sector ({', '.join(inst.sectors)})")
        if not inst.exports:
            raise PlanningError("exports: give the share of each exporting member's output (or sector's) sold into the EU, "
                                "e.g. {steelco: 0.3} or {steel: 0.3}")  # fmt: skip
        reference = packs.instrument(inst.reference_price)
        if not isinstance(reference, CarbonPrice):
            raise PlanningError(f"reference_price: {inst.reference_price} is not a carbon price")
        eu = [interpolate(reference.prices, p) * money_factor(self.b, reference) for p in self.periods]
        origin = self.b.carbon_price()
        origin = list(origin) if origin is not None else [0.0] * len(self.periods)
        phase = [interpolate(inst.phase_in, p) for p in self.periods]
        rows = {}
        for member, sector in members.items():
            share = inst.exports.get(member, inst.exports.get(sector, 0.0))
            bus = f"{member}|scope1"
            if share > 0 and sector in inst.sectors and bus in self.b.bp.buses:
                rows[bus] = [share * f * max(0.0, e - o) for f, e, o in zip(phase, eu, origin, strict=True)]
        if not rows:
            return []
        return [EmissionCharge(kind_name("cbam", key), pd.DataFrame(rows, index=self.periods).T)]


def _without_stacking(production: list[OutputCredit], sequestration: list[OutputCredit]) -> list[OutputCredit]:
    """26 USC 45V(d)(2): a facility with capture equipment earning 45Q is no clean hydrogen production facility,
    so a unit under a sequestration credit earns no production credit."""
    sequestering = pd.Index([u for credit in sequestration for u in credit.per_flow.index])
    kept = []
    for credit in production:
        per_flow = credit.per_flow[~credit.per_flow.index.isin(sequestering)]
        if len(per_flow):
            credit.per_flow = per_flow
            kept.append(credit)
    return kept
