"""Inventory against hand-computed IPCC 2006 cases and invariants that must always hold."""

import pytest

from clusterpath.inventory import Inventory, grid_factor, interpolate
from clusterpath.schema import Cluster

# IPCC 2006 Vol. 2: natural gas 56,100 kg CO2/TJ (Table 1.4); CH4 1 and N2O 0.1 kg/TJ in both
# energy industries (Table 2.2) and manufacturing (Table 2.3). AR6 GWP100: fossil CH4 29.8, N2O 273.
GAS_TCO2E_PER_TJ = 56.1 + 0.001 * 29.8 + 0.0001 * 273


def test_one_tj_of_natural_gas(small_cluster):
    inventory = Inventory(Cluster.model_validate(small_cluster))
    power = inventory.members.loc["power"]
    assert power["scope1_tco2e"] == pytest.approx(GAS_TCO2E_PER_TJ, rel=1e-12)
    assert power["scope2_tco2e"] == 0
    assert power["energy_mwh"] == pytest.approx(1 / 0.0036)


def test_boiler_grid_and_process_by_hand(small_cluster):
    inventory = Inventory(Cluster.model_validate(small_cluster))
    chem = inventory.members.loc["chem"]
    gas_tj = 900 / 0.9 * 0.0036  # useful steam / boiler efficiency, MWh -> TJ
    assert chem["scope1_combustion_tco2e"] == pytest.approx(gas_tj * GAS_TCO2E_PER_TJ)
    assert chem["scope1_process_tco2e"] == pytest.approx(2 * 273)
    assert chem["scope2_tco2e"] == pytest.approx(1000 * 0.2)
    assert chem["total_tco2e"] == pytest.approx(gas_tj * GAS_TCO2E_PER_TJ + 546 + 200)
    assert chem["tco2e_per_million_value_added"] == pytest.approx(chem["total_tco2e"] / 200)


def test_coal_in_manufacturing_uses_table_2_3(small_cluster):
    # Coal CH4 is 10 kg/TJ in manufacturing (Table 2.3) but 1 kg/TJ in energy industries (Table 2.2).
    small_cluster["members"][0]["demands"] = [
        {"service": "heat_high", "carrier": "coal_bituminous", "equipment": "kiln", "efficiency": 1.0,
         "final_energy": "1 TJ"}
    ]
    small_cluster["members"][1]["demands"][0]["carrier"] = "coal_bituminous"
    inventory = Inventory(Cluster.model_validate(small_cluster))
    assert inventory.members.loc["chem", "scope1_combustion_tco2e"] == pytest.approx(94.6 + 0.010 * 29.8 + 0.0015 * 273)
    assert inventory.members.loc["power", "scope1_tco2e"] == pytest.approx(94.6 + 0.001 * 29.8 + 0.0015 * 273)


def test_biomass_co2_is_a_memo_item(small_cluster):
    small_cluster["members"][1]["demands"][0]["carrier"] = "wood"
    inventory = Inventory(Cluster.model_validate(small_cluster))
    power = inventory.members.loc["power"]
    # Wood: 112,000 kg CO2/TJ biogenic; CH4 30 and N2O 4 kg/TJ count, CH4 at the non-fossil GWP.
    assert power["biogenic_co2_t"] == pytest.approx(112.0)
    assert power["scope1_tco2e"] == pytest.approx(0.030 * 27.0 + 0.004 * 273)


def test_purchased_steam_is_scope2(small_cluster):
    small_cluster["members"][1]["demands"] = [
        {"service": "steam", "carrier": "steam", "final_energy": "100 MWh", "emission_factor": "250 kgCO2e/MWh"}
    ]
    inventory = Inventory(Cluster.model_validate(small_cluster))
    assert inventory.members.loc["power", "scope2_tco2e"] == pytest.approx(25.0)


def test_country_default_grid_factor(small_cluster):
    del small_cluster["grid"]
    cluster = Cluster.model_validate(small_cluster)
    factor = grid_factor(cluster)
    assert factor is not None and 0 < factor.tco2e_per_mwh < 1
    assert "BE" in factor.label and "Ember" in factor.source
    inventory = Inventory(cluster)
    assert inventory.members.loc["chem", "scope2_tco2e"] == pytest.approx(1000 * factor.tco2e_per_mwh)


def test_grid_trajectory_is_interpolated():
    assert interpolate({2020: 0.4, 2030: 0.2}, 2025) == pytest.approx(0.3)
    assert interpolate({2020: 0.4, 2030: 0.2}, 2010) == pytest.approx(0.4)
    assert interpolate({2020: 0.4, 2030: 0.2}, 2040) == pytest.approx(0.2)


# IPCC 2006 Vol. 5 Ch. 6: B0 = 0.25 kg CH4/kg COD; Table 6.8 MCF 0.8 for an anaerobic reactor, 0 for a well-managed
# aerobic plant. Wastewater methane is biogenic: AR6 non-fossil GWP100 27.0.
ANAEROBIC_TCO2E_PER_T_COD = 0.25 * 0.8 * 27.0


def test_anaerobic_wastewater_on_site_by_hand(small_cluster):
    before = Inventory(Cluster.model_validate(small_cluster)).members
    small_cluster["members"][0]["wastewater"] = [
        {"amount": "0.5 Mm3", "cod": "1000 t", "treatment": "anaerobic"},
        {"amount": "0.2 Mm3", "cod": "400 t", "treatment": "anaerobic", "methane_recovered": "75 %"},
    ]
    inventory = Inventory(Cluster.model_validate(small_cluster))
    chem = inventory.members.loc["chem"]
    expected = (1000 + 400 * 0.25) * ANAEROBIC_TCO2E_PER_T_COD
    assert chem["scope1_wastewater_tco2e"] == pytest.approx(expected)
    assert chem["scope1_tco2e"] == pytest.approx(before.loc["chem", "scope1_tco2e"] + expected)
    assert chem["scope1_process_tco2e"] == pytest.approx(before.loc["chem", "scope1_process_tco2e"])
    lines = inventory.lines[inventory.lines["kind"] == "wastewater"]
    assert lines["ch4_t"].to_list() == pytest.approx([1000 * 0.25 * 0.8, 400 * 0.25 * 0.8 * 0.25])
    # A member without wastewater keeps its numbers.
    assert inventory.members.loc["power", "total_tco2e"] == before.loc["power", "total_tco2e"]
    assert inventory.totals["scope1_wastewater_tco2e"] == pytest.approx(expected)


@pytest.mark.parametrize("treatment", ["aerobic", "municipal_sewer", "untreated", "other"])
def test_wastewater_off_site_or_aerobic_adds_nothing_to_scope1(small_cluster, treatment):
    before = Inventory(Cluster.model_validate(small_cluster)).totals
    small_cluster["members"][0]["wastewater"] = [{"amount": "1 Mm3", "cod": "2000 t", "treatment": treatment}]
    after = Inventory(Cluster.model_validate(small_cluster)).totals
    assert after["scope1_tco2e"] == pytest.approx(before["scope1_tco2e"])
    assert after["scope1_wastewater_tco2e"] == 0


def test_anaerobic_wastewater_needs_its_cod(small_cluster):
    small_cluster["members"][0]["wastewater"] = [{"amount": "1 Mm3", "treatment": "anaerobic"}]
    with pytest.raises(ValueError, match="give 'cod'"):
        Cluster.model_validate(small_cluster)


def test_json_keys(small_cluster):
    payload = Inventory(Cluster.model_validate(small_cluster)).to_dict()
    for key in ("cluster", "total_tco2e", "scope1_tco2e", "scope1_wastewater_tco2e", "scope2_tco2e", "members"):
        assert key in payload
    assert {m["id"] for m in payload["members"]} == {"chem", "power"}
    for m in payload["members"]:
        assert m["total_tco2e"] == pytest.approx(m["scope1_tco2e"] + m["scope2_tco2e"])
    assert payload["total_tco2e"] == pytest.approx(sum(m["total_tco2e"] for m in payload["members"]))
