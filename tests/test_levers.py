"""The levers table (data/levers.csv): every lever defined in one row, and a new row is a new lever.

The shipped table must name only what exists (catalog rows, lead-time and employment rows, levers,
builders). A row added in a test (a copy of the electric boiler priced by another catalog row) must
be buildable, priced, lead-timed, policy-eligible and reported with no other code edit.
"""

from __future__ import annotations

import copy

import pandas as pd
import pytest

from clusterpath import levers, reference
from clusterpath.pathway import lead_times
from clusterpath.pathway.build import SERVICE_BUILDERS, NetworkBuilder
from clusterpath.pathway.catalog import Catalog
from clusterpath.pathway.network import PathwayModel
from clusterpath.pathway.policies import PolicyBuilder
from clusterpath.pathway.result import PathwayResult
from clusterpath.policy.instruments import CapitalGrant, CarbonCfd
from clusterpath.schema import Cluster
from clusterpath.schema.scenario import Scenario
from clusterpath.schema.vocabulary import LEVER_FAMILY, LEVERS, LeverFamily
from clusterpath.workforce import workforce

# Builders that make their units outside the service loop (build.py), by name.
OTHER_BUILDERS = {"capture", "co2_link", "hydrogen_link", "electrolysis", "smr_ccs", "store", "geothermal",
                  "hub_heat_pump", "renewable", "battery", "direct_air_capture", "wastewater_plant", "waste_plant"}  # fmt: skip


def test_the_shipped_table_names_only_what_exists():
    table = levers.table()
    catalog = set(reference.table("technologies")["technology"])
    infrastructure = set(reference.table("infrastructure_costs")["item"])
    lead_rows = set(reference.table("lead_times")["lever"])
    employment = set(reference.table("employment_factors")["technology"])
    for lever in table.values():
        assert LeverFamily(lever.family)
        assert lever.builder in set(SERVICE_BUILDERS) | OTHER_BUILDERS, lever.name
        for _, tech in lever.technologies:
            assert tech in catalog or tech in infrastructure, (lever.name, tech)
        assert not lever.lead_time_row or lever.lead_time_row in lead_rows, lever.name
        assert not lever.employment_row or lever.employment_row in employment, lever.name


def test_a_malformed_row_is_refused_naming_lever_and_column():
    table = levers.packaged()
    table.loc[table["lever"] == "heat_pump", "depends_on"] = "no_such_lever"
    with pytest.raises(levers.LeverTableError, match="lever 'heat_pump', column depends_on: no_such_lever"):
        levers.parse(table)
    table = levers.packaged().astype({"grant": object})
    table.loc[table["lever"] == "battery", "grant"] = "yes"
    with pytest.raises(levers.LeverTableError, match="lever 'battery', column grant"):
        levers.parse(table)


def test_the_table_replaces_the_lists_it_was_made_from():
    # What the code listed before the table (vocabulary, instruments, result.py, lead_times.py, build.py), and the
    # lever added since as a row only (electric_firing).
    assert list(LEVERS) == [
        "efficiency", "heat_pump", "electric_boiler", "biomass", "hydrogen_fuel", "carbon_capture", "co2_network",
        "hydrogen_network", "electrolysis", "smr_ccs", "hydrogen_storage", "heat_network", "geothermal",
        "large_heat_pump", "heat_storage", "solar_pv", "onshore_wind", "offshore_wind", "battery",
        "direct_air_capture", "wastewater_treatment", "waste_to_energy", "electric_firing"]  # fmt: skip
    assert set(levers.CFD_ELIGIBLE) == {"carbon_capture", "direct_air_capture", "heat_pump", "electric_boiler",
                                        "hydrogen_fuel", "biomass", "electric_firing"}  # fmt: skip
    assert set(LEVERS) - set(levers.GRANTABLE) == {"efficiency", "hydrogen_storage", "heat_storage", "battery"}
    assert set(levers.RENEWABLE) == {"solar_pv", "onshore_wind", "offshore_wind"}
    assert levers.lever("hydrogen_fuel").depends_on == ("hydrogen_network", "electrolysis", "smr_ccs")
    assert LEVER_FAMILY["smr_ccs"] is LeverFamily.HYDROGEN


# -- a new lever is one row ----------------------------------------------------------------------
NEW = "resistive_heater"
TECH = "central_resistive_heater"  # DEA's district-heating electric boiler (PyPSA technology-data)


def with_new_lever() -> pd.DataFrame:
    """The shipped table and a copy of its electric boiler row, priced by another catalog row."""
    table = levers.packaged()
    row = table[table["lever"] == "electric_boiler"].copy()
    row["lever"], row["technologies"] = NEW, f"heat_low={TECH}"
    return pd.concat([table, row], ignore_index=True)


def tiny_cluster() -> Cluster:
    # One member raising 1 MW of low-temperature heat in a gas boiler at 90 %; grid power at 80 EUR/MWh, 0 tCO2e.
    return Cluster.model_validate(copy.deepcopy({
        "id": "tiny", "name": "Tiny", "country": "BE", "location": {"lat": 51.3, "lon": 4.3}, "kind": "port",
        "currency": "EUR", "base_year": 2023, "discount_rate": 0.05,
        "grid": {"emission_factor": {2023: "0 tCO2e/MWh"}, "electricity_price": {2023: 80}},
        "members": [{"id": "chem", "name": "Chem", "sector": "chemicals", "value_added": 1e7, "jobs": 10,
                     "demands": [{"service": "heat_low", "carrier": "natural_gas", "equipment": "boiler",
                                  "efficiency": 0.9, "useful_energy": "8760 MWh"}]}],
    }))  # fmt: skip


def test_an_unknown_lever_is_refused_until_its_row_exists():
    with pytest.raises(ValueError, match=f"unknown lever.*{NEW}"):
        Scenario(name="t", periods=[2025, 2035], levers=[NEW])
    with levers.using(with_new_lever()):
        assert Scenario(name="t", periods=[2025, 2035], levers=[NEW]).levers == [NEW]


def test_a_new_row_is_built_priced_lead_timed_eligible_and_reported():
    with levers.using(with_new_lever()):
        cluster = tiny_cluster()
        scenario = Scenario(name="t", periods=[2025, 2035], typical_days=1, levers=[NEW],
                            carbon_price={2025: 500, 2035: 500})  # fmt: skip
        builder = NetworkBuilder(cluster, scenario)
        network = builder.build()
        unit = f"chem|{NEW}:heat_low"

        # Built: a unit of the lever on the member's heat, power in at the catalog's efficiency (0.99).
        assert network.units.loc[unit, ["lever", "technology", "service"]].tolist() == [NEW, TECH, "heat_low"]
        ports = network.ports[network.ports["unit"] == unit].set_index("bus")["coefficient"]
        assert ports.to_dict() == pytest.approx({"chem|electricity": -1 / 0.99, "chem|heat_low": 1.0})

        # Priced by its own catalog row, not by the electric boiler it was copied from.
        catalog = Catalog("EUR", 2025)
        capex = network.unit_period.xs(unit, level="unit")["capex"]
        assert capex.tolist() == pytest.approx([catalog.capex(TECH, 2025), catalog.capex(TECH, 2035)])
        assert network.units.loc[unit, "lifetime"] == 20.0  # the resistive heater's, the boiler's is 25

        # Lead-timed by its lead-time row (the electric boiler's: construction 0.5 years, permitting unsourced).
        boiler = lead_times.lookup("electric_boiler", "BE")
        assert network.meta["lead_times"].loc[NEW, "construction_years"] == boiler["construction_years"]
        assert network.units.loc[unit, "earliest_operation"] == 2024 + boiler["construction_years"]

        # Policy-eligible: a grant and a carbon contract may name it, and cover its unit.
        policy = PolicyBuilder(builder, network.units, network.ports)
        grant = policy.grant("g", CapitalGrant(title="g", share=0.3, levers=[NEW]))
        assert grant[0].units == [unit]
        contract = policy.contract("c", CarbonCfd(title="c", strike=100, levers=[NEW], years=(2025, 2050)))
        # Tonnes abated per MWh of heat: what the gas boiler emitted per MWh delivered.
        today = network.meta["incumbent"].loc[("chem", "heat_low", 2025)]
        assert contract[0].abated[unit] == pytest.approx(today["scope1_tco2e"] / today["useful_mwh"])

        # Reported: built at 500 EUR/t (gas at 1/0.9 x 0.2 t/MWh = 0.22 t/MWh x 500 = 111 EUR/MWh of heat against
        # power at 80 / 0.99), with abatement in the MACC, capacity by lever and jobs in its family.
        model = PathwayModel(network)
        assert model.solve()[1] == "optimal"
        result = PathwayResult.from_model(model, "EUR", "optimal")
        assert result.levers_used().loc[("chem", NEW)].max() == pytest.approx(1.0, rel=1e-6)
        assert result.macc().loc[NEW, "abatement_tco2e"] == pytest.approx(today["scope1_tco2e"], rel=1e-6)
        # Jobs: no employment row and no factor for its technology, so it is listed as such, in its family.
        missing = [row for row in workforce(result).attrs["no_factor"] if row["lever"] == NEW]
        assert {(row["lever_family"], row["reason"]) for row in missing} == {
            ("electrification_renewable_heat", "no sourced employment factor")}
