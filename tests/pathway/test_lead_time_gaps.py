"""Lead-time gaps (issue 15, item 9): CO2 networks, electrolysis and SMR with CCS wait for permits and
construction, and the cluster's own register dates bind the levers its committed projects build.

Belgian clusters of test_build.py (base year 2023, so projects are decided from 2024).
"""

from __future__ import annotations

import pytest

from clusterpath.pathway.build import NetworkBuilder
from clusterpath.pathway.hub import HUB
from clusterpath.pathway.lead_times import lead_time_table
from clusterpath.schema import Cluster

from .test_build import cluster, gas, member, scenario
from .test_lead_times import raw

SITE = {"id": "s", "name": "S", "setting": "offshore", "distance": "100 km", "injection_capacity": "5 Mt"}
CEMENT = member("cem", [gas("heat_high", 200_000, equipment="kiln")], sector="cement")
H2 = member("h2user", [{"service": "hydrogen_feedstock", "carrier": "hydrogen", "final_energy": "8760 MWh"}])


@pytest.mark.parametrize(
    ("lever", "permitting", "construction", "jurisdiction"),
    [
        # lead_times.csv: the GB figures, nearest with both parts, for the EU: East Coast Cluster 3.17 + 3.5 years;
        # consents for hydrogen 20 months (1.67) + 2 years of construction.
        ("co2_network", 3.17, 3.5, "EU"),
        ("electrolysis", 1.67, 2.0, "EU"),
        # Quest (CA): November 2010 applications to September 2012 permits and construction start, 1.8 years;
        # construction to the end of 2015, 3.3 years.
        ("smr_ccs", 1.8, 3.3, "GLOBAL"),
    ],
)
def test_levers_without_a_sourced_eu_figure_take_the_nearest_jurisdictions(lever, permitting, construction,
                                                                            jurisdiction):
    row = lead_time_table(cluster(), scenario([lever])).loc[lever]
    assert (row["jurisdiction"], row["permitting_years"], row["construction_years"]) == (
        jurisdiction, permitting, construction)
    # Decided from 2024 (base year 2023 + 1).
    assert row["earliest_operation"] == pytest.approx(2024 + permitting + construction)


def test_co2_network_and_smr_ccs_are_kept_out_of_2025():
    c = cluster(CEMENT, H2, co2_storage=[SITE])
    n = NetworkBuilder(c, scenario(["carbon_capture", "co2_network", "hydrogen_network", "smr_ccs"],
                                   periods=[2025, 2030, 2035])).build()  # fmt: skip
    # 2024 + 6.67 = 2030.67: the CO2 trunk and SMR with CCS (2024 + 5.1 = 2029.1) come in 2035 and 2030 at the earliest.
    assert n.units.loc[f"{HUB}|co2-storage:s", "earliest_operation"] == pytest.approx(2030.67)
    assert n.units.loc[f"{HUB}|smr-ccs", "earliest_operation"] == pytest.approx(2029.1)


def test_the_registers_date_binds_the_hub_network_it_builds():
    # The register's CO2 hub opens in 2030 (final investment decision taken): the shared trunk runs from 2030,
    # neither earlier (no sooner than the cluster's own project) nor later (its permits are in hand).
    project = {"id": "hub", "name": "CO2 hub", "lever": "co2_network", "members": ["cem"],
               "stage": "final_investment_decision", "operating_year": 2030}  # fmt: skip
    data = raw([CEMENT], projects=[project], resources={"co2_storage": [SITE]})
    c = Cluster.model_validate(data)
    levers = ["carbon_capture", "co2_network"]
    n = NetworkBuilder(c, scenario(levers, periods=[2025, 2030])).build()
    assert n.units.loc[f"{HUB}|co2-storage:s", "earliest_operation"] == 2030
    assert n.units.loc["cem|co2-connection", "earliest_operation"] == 2030
    # With no lead time (overridden to zero years) the register still binds: not before 2030.
    table_free = NetworkBuilder(c, scenario(levers, periods=[2025, 2030], lead_time_overrides={
        "co2_network": {"permitting_years": 0, "construction_years": 0}})).build()
    assert table_free.units.loc[f"{HUB}|co2-storage:s", "earliest_operation"] == 2030
    # Lead times switched off: nothing holds it back.
    off = NetworkBuilder(c, scenario(levers, periods=[2025, 2030], lead_times=False)).build()
    assert off.units.loc[f"{HUB}|co2-storage:s", "earliest_operation"] == float("-inf")
