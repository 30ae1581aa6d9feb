"""Policy money in the scenario's price year: each pack's amounts carry their currency and year (docs/model.md, 6.8).

Hand-computed from deflators.csv (annual average rates of change: BLS CPI-U 2023 4.1 %, 2024 2.9 %, no 2025;
ONS CPI 2024 2.5 %, 2025 3.4 %; Eurostat HICP 2025 2.5 %) and exchange_rates.csv (USD per EUR: 2023 1.0813,
2024 1.0824, 2025 1.1300).
"""

from __future__ import annotations

import copy

import pytest

from clusterpath.io import InputError, load_cluster
from clusterpath.pathway.build import NetworkBuilder
from clusterpath.pathway.errors import PlanningError
from clusterpath.pathway.money import PriceYearError, own_index_reach, price_level
from clusterpath.pathway.policies import money_factor
from clusterpath.policy import load_pack
from clusterpath.policy.packs import instrument
from clusterpath.schema.scenario import Scenario
from policy.test_policy_input import BASE, CLUSTER, write


def builder(tmp_path, country="BE", currency="EUR", **scenario) -> NetworkBuilder:
    data = copy.deepcopy(CLUSTER) | {"country": country, "currency": currency}
    cluster = load_cluster(write(tmp_path / "cluster.yaml", data))
    return NetworkBuilder(cluster, Scenario.model_validate({**BASE, **scenario}))


def test_price_indices_of_the_dollar_and_the_pound():
    assert price_level(2022, 2024, "USD") == pytest.approx(1.041 * 1.029)
    assert price_level(2023, 2025, "GBP") == pytest.approx(1.025 * 1.034)
    assert price_level(2024, 2022, "USD") == pytest.approx(1 / (1.041 * 1.029))
    # The CPI-U series stops at 2024: dollars reach 2024 by it, no further.
    assert own_index_reach("USD", 2022, 2025) == 2024
    assert own_index_reach("USD", 2025, 2023) == 2025
    assert own_index_reach("CNY", 2024, 2025) == 2024
    with pytest.raises(PriceYearError, match=r"US dollar price index \(BLS CPI-U\).*no rate for 2025"):
        price_level(2024, 2025, "USD")


def test_45v_dollars_of_2022_in_a_dollar_plan_of_2024(tmp_path):
    # $0.60 x 5 with the wage rules at the tier of the grid (test_45v_tier_from_the_grid_factor), USD of 2022
    # to 2024 by the CPI-U: x 1.041 x 1.029 = 1.071189 (it was taken as money of the price year before).
    b = builder(tmp_path, country="US", currency="USD", price_year=2024, policies=["us.45v"])
    network = b.build()
    (credit,) = network.policy.credits
    ports = network.ports.set_index(["unit", "bus"])["coefficient"]
    eta = float(ports[("@cluster|electrolysis", "@cluster|hydrogen")])
    share = 1.0 if 0.333 / eta < 0.45 else 0.334
    assert credit.rate.tolist() == pytest.approx([3.0 * share * 1.071189] * 2)


def test_45q_dollars_of_2025_in_a_euro_plan_of_2025(tmp_path):
    # $85 of 2025 is EUR 85 / 1.13 of 2025 (it was converted at the base year's 1.0813 before).
    b = builder(tmp_path)
    assert 85 * money_factor(b, instrument("us.45q")) == pytest.approx(85 / 1.13)
    # In dollars of 2024: the CPI-U has no 2025 rate, so back through the euro: / 1.13, / 1.025 (HICP 2025), x 1.0824.
    b = builder(tmp_path, country="US", currency="USD", price_year=2024)
    assert 85 * money_factor(b, instrument("us.45q")) == pytest.approx(85 / 1.13 / 1.025 * 1.0824)


@pytest.mark.parametrize(("country", "currency", "policy", "price"), [
    ("GB", "GBP", "uk.ets", 64.90 * 1.025 * 1.034),  # GBP of 2023 to 2025 by the ONS CPI
    ("BE", "EUR", "eu.ets", 67 * 1.025),  # EUR of 2024 to 2025 by the HICP
])  # fmt: skip
def test_carbon_price_of_a_pack_in_the_price_year(tmp_path, country, currency, policy, price):
    prices = builder(tmp_path, country=country, currency=currency, policies=[policy]).carbon_price()
    assert prices.tolist() == pytest.approx([price, price])


def test_an_instrument_of_the_scenario_own_is_money_of_the_price_year(tmp_path):
    own = {"name": "own-price", "type": "carbon_price", "title": "Own", "currency": "USD", "prices": {2025: 100}}
    prices = builder(tmp_path, policies=[own]).carbon_price()
    assert prices.tolist() == pytest.approx([100 / 1.13] * 2)
    dated = builder(tmp_path, policies=[own | {"money_year": 2022}]).carbon_price()
    assert dated.tolist() == pytest.approx([100 * 1.041 * 1.029 / 1.0824 * 1.025] * 2)


def test_money_year_outside_the_index_stops_the_plan(tmp_path):
    own = {"name": "future-price", "type": "carbon_price", "title": "Future", "money_year": 2030, "prices": {2025: 10}}
    with pytest.raises(PlanningError, match=r"money_year 2030: the euro price index \(Eurostat HICP\).*for 2026"):
        builder(tmp_path, policies=[own]).carbon_price()


def test_pack_without_the_year_of_its_money_is_refused(tmp_path):
    pack = {"jurisdiction": "xx", "title": "X", "instruments": {"price": {
            "type": "carbon_price", "title": "P", "currency": "EUR", "prices": {2025: 10},
            "sources": {"prices": {"document": "a document", "year": 2025}}}}}  # fmt: skip
    with pytest.raises(InputError, match=r"instruments\.price\.money_year: gives money \(prices\) without the year"):
        load_pack(write(tmp_path / "pack.yaml", pack))
