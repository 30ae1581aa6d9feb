"""The grid's emission factor follows the country's published path (docs/model.md 6.6), by hand.

India: Ember's 2024 statistic 0.708322 tCO2e/MWh, then the Central Electricity Authority's
National Electricity Plan 2022-32: 0.548 in 2026 (2026-27) and 0.430 in 2031 (2031-32), held after.
"""

from __future__ import annotations

import pytest

from clusterpath.pathway.build import NetworkBuilder
from clusterpath.pathway.plan import plan
from clusterpath.schema import Cluster

from .test_build import LAT, LON, member, power, scenario

pytestmark = pytest.mark.filterwarnings("ignore::linopy.LinopySemanticsWarning")


def grid_user(country: str) -> Cluster:
    """One member buying 1,000 MWh of grid power a year, the grid factor left to the country's default."""
    return Cluster.model_validate({
        "id": "tiny", "name": "Tiny cluster", "country": country, "location": {"lat": LAT, "lon": LON},
        "kind": "industrial_park", "currency": "EUR", "base_year": 2024, "discount_rate": 0.05,
        "grid": {"electricity_price": {2024: 80}}, "members": [member("works", [power(1000)])],
    })  # fmt: skip


def test_scope_2_follows_the_published_path_to_2050():
    result = plan(grid_user("IN"), scenario([], periods=[2025, 2030, 2050]), baseline=False)
    scope2 = result.summary()["emissions_by_scope_tco2e"]["scope2"]
    # 2025 halfway from 2024 (0.708322) to 2026 (0.548); 2030 four fifths from 2026 to 2031 (0.430); 2050 held.
    assert scope2["2025"] == pytest.approx(1000 * (0.708322 + 0.548) / 2, rel=1e-6)
    assert scope2["2030"] == pytest.approx(1000 * (0.548 + 0.8 * (0.430 - 0.548)), rel=1e-6)  # 453.6 t
    assert scope2["2050"] == pytest.approx(430.0, rel=1e-6)  # not 708.3 t at the 2024 factor
    grid = result.summary()["grid_factor"]
    assert grid["tco2e_per_mwh"]["2050"] == pytest.approx(0.43) and "held after 2031" in grid["basis"]


def test_a_country_without_a_published_path_keeps_its_statistic_and_says_so():
    builder = NetworkBuilder(grid_user("BE"), scenario([], periods=[2025, 2050]))
    path = builder.grid_path
    assert path.factors == pytest.approx([0.117576, 0.117576]) and path.held_flat
    assert "no published path" in path.basis


def test_the_scenario_and_the_cluster_factor_override_the_published_path():
    s = scenario([], periods=[2025, 2050], grid_emission_factor={2025: "0.3 tCO2e/MWh", 2050: "0.1 tCO2e/MWh"})
    assert NetworkBuilder(grid_user("IN"), s).grid_factor() == pytest.approx([0.3, 0.1])
    own = grid_user("IN").model_copy(update={"grid": grid_user("IN").grid.model_copy(update={"emission_factor": {2024: 0.5}})})
    assert NetworkBuilder(own, scenario([], periods=[2025, 2050])).grid_factor() == pytest.approx([0.5, 0.5])


def test_a_legislated_co2_free_power_sector_is_a_path_to_zero():
    """Netherlands: Ember's 2024 statistic 0.253312 tCO2e/MWh, then the Klimaatwet's CO2-neutral electricity
    production in 2050 (0): 2030 lies 6/26 of the way, 0.253312 x 20/26 = 0.194855."""
    path = NetworkBuilder(grid_user("NL"), scenario([], periods=[2025, 2030, 2050])).grid_path
    assert path.factors == pytest.approx([0.253312 * 25 / 26, 0.253312 * 20 / 26, 0.0]) and not path.held_flat
    assert "2050: 0.000" in path.basis
    spain = NetworkBuilder(grid_user("ES"), scenario([], periods=[2050])).grid_path
    assert spain.factors == pytest.approx([0.0])
