"""Electric high-temperature heat (lever electric_firing, DEA datasheet 312.c) on one furnace, solved on paper.

One member fires 1 MW of high-temperature heat (8,760 MWh a year) in a gas furnace of efficiency 1 (the DEA
basis of both direct-firing sheets: heat at the fuel's LHV). One period, base year = period, so today's furnace
stands whole and carries no capex; every cost is a yearly amount over the same years and discount factors, so the
choice is the cheaper yearly cost per MWh of heat:

    gas:      p_gas + vom_gas + P x e                       (P: carbon price, e: tCO2e per MWh of gas)
    electric: p_el + vom_el + a(r, L) x C / 8760            (a full-load element; fixed O&M 0)

Break-even P* = (p_el + vom_el + a C / 8760 - p_gas - vom_gas) / e. Figures: gas 30 and power 80 EUR/MWh (given);
vom_gas 0.3545 EUR/MWh (catalog gas_direct_firing, PyPSA technology-data v0.14.0, EUR 2025); DEA 312.c: investment
0.06 M EUR2019/MW, VOM 0.1825 (2020) and 0.1875 (2030) EUR2019/MWh (2025: 0.185), lifetime 12.5 years, efficiency
1; EUR2019 -> EUR2025 by Eurostat HICP (deflators.csv, 2020-2025: 0.7, 2.9, 9.2, 6.4, 2.6, 2.5 %); IPCC 2006
natural gas, manufacturing: 56,100 kg CO2, 1 kg CH4, 0.1 kg N2O per TJ (Vol. 2 Tables 1.4, 2.3), AR6 GWP100 29.8
(fossil CH4) and 273 (N2O).
"""

from __future__ import annotations

import copy

import pytest

from clusterpath.pathway.build import NetworkBuilder
from clusterpath.pathway.network import PathwayModel
from clusterpath.schema import Cluster
from clusterpath.schema.scenario import Scenario

EUR_2019_TO_2025 = 1.007 * 1.029 * 1.092 * 1.064 * 1.026 * 1.025
P_GAS, P_EL, RATE = 30.0, 80.0, 0.05
VOM_GAS = 0.3545
VOM_EL = 0.185 * EUR_2019_TO_2025
CAPEX_EL = 0.06e6 * EUR_2019_TO_2025  # per MW
LIFETIME_EL = 12.5
E_GAS = (56_100 + 1 * 29.8 + 0.1 * 273) * 0.0036 / 1000  # tCO2e per MWh of gas
ANNUITY = RATE / (1 - (1 + RATE) ** -LIFETIME_EL)
BREAK_EVEN = (P_EL + VOM_EL + ANNUITY * CAPEX_EL / 8760 - P_GAS - VOM_GAS) / E_GAS  # about 251.5 EUR/t
UNIT = "furnace|electric_firing:heat_high"


def furnace(sector: str) -> Cluster:
    return Cluster.model_validate(copy.deepcopy({
        "id": "one", "name": "One furnace", "country": "BE", "location": {"lat": 51.3, "lon": 4.3}, "kind": "port",
        "currency": "EUR", "base_year": 2025, "discount_rate": RATE,
        "grid": {"emission_factor": {2025: "0 tCO2e/MWh"}, "electricity_price": {2025: P_EL}},
        "members": [{"id": "furnace", "name": "Furnace", "sector": sector, "value_added": 1e7, "jobs": 10,
                     "demands": [{"service": "heat_high", "carrier": "natural_gas", "equipment": "furnace",
                                  "efficiency": 1.0, "useful_energy": "8760 MWh"}]}],
    }))  # fmt: skip


def electric_mw(sector: str, carbon_price: float) -> float:
    scenario = Scenario(name="t", periods=[2025], typical_days=1, levers=["electric_firing"], target="carbon_price_only",
                        carbon_price={2025: carbon_price}, fuel_prices={"natural_gas": {2025: P_GAS}},
                        lead_times=False)  # fmt: skip
    network = NetworkBuilder(furnace(sector), scenario).build()
    if UNIT not in network.units.index:
        return 0.0
    model = PathwayModel(network)
    assert model.solve()[1] == "optimal"
    return float(model.new.solution.sel(unit=UNIT).sum())


def test_the_hand_break_even():
    assert EUR_2019_TO_2025 == pytest.approx(1.2661359, rel=1e-6)  # the factor the catalog row was converted with
    assert E_GAS == pytest.approx(0.2021656, rel=1e-6)
    assert BREAK_EVEN == pytest.approx(251.5, abs=0.1)


@pytest.mark.parametrize(("carbon_price", "mw"), [(BREAK_EVEN - 2, 0.0), (BREAK_EVEN + 2, 1.0)])
def test_a_food_furnace_electrifies_above_the_break_even_only(carbon_price, mw):
    # DEA gives food industry's high-temperature heat a full application potential (share 1). 2 EUR/t either side is
    # 0.4 EUR/MWh of heat, half the element's capex per MWh: a model leaving the capex out would electrify below.
    assert electric_mw("food", carbon_price) == pytest.approx(mw, abs=1e-6)


def test_a_chemical_furnace_electrifies_its_potential_share():
    # DEA's chemical industry: 20 % of high-temperature heat; the rest stays on gas.
    assert electric_mw("chemicals", BREAK_EVEN + 5) == pytest.approx(0.2, abs=1e-6)


def test_a_glass_furnace_is_not_offered_the_element_at_any_carbon_price():
    # DEA 312.c sees no application in cement and non-metallic minerals (glass melting heats the melt, not air):
    # no sourced electric melting figure is in the catalog, so the furnace stays on gas however high the price.
    assert electric_mw("glass", BREAK_EVEN + 5) == 0.0
    assert electric_mw("glass", 10 * BREAK_EVEN) == 0.0
