"""NPV, IRR, payback, levelized costs and funding gap against hand-computed cash flows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from clusterpath.finance import metrics
from clusterpath.finance.metrics import funding_gap, irr, levelized_cost, levelized_cost_of_abatement, npv, payback


def test_npv_of_a_one_year_investment():
    # Spend 370,000 now, receive 420,000 in a year, at 5 %: 420,000 / 1.05 = 400,000, so NPV = 30,000.
    assert npv(0.05, [-370_000, 420_000]) == pytest.approx(30_000, abs=1e-6)


def test_npv_timing_conventions():
    flows = [100.0, 100.0]
    assert npv(0.1, flows) == pytest.approx(100 + 100 / 1.1)
    assert npv(0.1, flows, timing="end") == pytest.approx(100 / 1.1 + 100 / 1.21)
    assert npv(0.1, flows, timing="mid") == pytest.approx(100 / 1.1**0.5 + 100 / 1.1**1.5)
    # Calendar years discounted to a base year before the first flow.
    series = pd.Series(flows, index=[2027, 2028])
    assert npv(0.1, series, base_year=2025) == pytest.approx(100 / 1.21 + 100 / 1.331)


def test_irr_of_a_conventional_project():
    assert irr([-1000, 1100]).value == pytest.approx(0.10, abs=1e-12)
    result = irr([-1000, 300, 400, 500])
    assert result.roots == [result.value]
    assert npv(result.value, [-1000, 300, 400, 500]) == pytest.approx(0, abs=1e-8)
    assert 0.08 < result.value < 0.09


def test_irr_reports_every_root_when_there_are_several():
    # -100 + 230 x - 132 x^2 = 0 with x = 1/(1+r): 1 + r = 1.1 or 1.2.
    result = irr([-100, 230, -132])
    assert result.value is None
    assert result.roots == pytest.approx([0.10, 0.20], abs=1e-10)
    assert "2 rates" in result.note


def test_irr_says_when_none_exists():
    assert irr([100, 50, 20]).value is None
    assert "never change sign" in irr([100, 50, 20]).note
    assert irr([0, 0]).value is None
    # Sign changes twice but the NPV stays positive at every rate above -100 %.
    none = irr([1, -1, 1])
    assert none.value is None and none.roots == []


def test_irr_ignores_leading_and_trailing_zeros():
    assert irr([0, 0, -1000, 1100, 0]).value == pytest.approx(0.10, abs=1e-12)


def test_irr_of_a_long_project():
    flows = np.r_[-1000.0, np.full(40, 90.0)]
    value = irr(flows).value
    assert npv(value, flows) == pytest.approx(0, abs=1e-7)


def test_payback():
    flows = [-100, 30, 30, 30, 30, 30]
    assert payback(flows) == pytest.approx(3 + 10 / 30)
    discounted = payback(flows, 0.1)
    factors = 1.1 ** -np.arange(6)
    cumulative = np.cumsum(np.array(flows) * factors)
    k = np.flatnonzero(cumulative < 0)[-1]
    assert discounted == pytest.approx(k - cumulative[k] / (flows[k + 1] * factors[k + 1]))
    assert payback([-100, 30, 30]) is None
    assert payback([10, 5]) == 0.0


def test_levelized_cost_is_the_price_that_makes_npv_zero():
    rng = np.random.default_rng(3)
    costs = np.r_[500.0, rng.uniform(20, 40, 15)]
    output = np.r_[0.0, rng.uniform(5, 10, 15)]
    price = levelized_cost(costs, output, 0.07)
    assert npv(0.07, price * output - costs) == pytest.approx(0, abs=1e-9)
    assert npv(0.07, (price * 1.01) * output - costs) > 0


def test_levelized_cost_of_abatement():
    net = [100.0, 10.0, 10.0]
    tonnes = [0.0, 2.0, 2.0]
    expected = (100 + 10 / 1.05 + 10 / 1.05**2) / (2 / 1.05 + 2 / 1.05**2)
    assert levelized_cost_of_abatement(net, tonnes, 0.05) == pytest.approx(expected)


def test_funding_gap_brings_npv_to_exactly_zero():
    flows = np.array([-1000.0, 100, 100, 100, 100, 100])
    output = np.array([0.0, 10, 10, 10, 10, 10])
    gap = funding_gap(flows, 0.08, output=output)
    assert gap["npv"] < 0
    with_grant = flows.copy()
    with_grant[0] += gap["grant"]
    assert npv(0.08, with_grant) == pytest.approx(0, abs=1e-9)
    assert npv(0.08, flows + gap["yearly"]) == pytest.approx(0, abs=1e-9)
    assert npv(0.08, flows + gap["per_unit"] * output) == pytest.approx(0, abs=1e-9)
    later = funding_gap(flows, 0.08, grant_year=2)
    assert npv(0.08, flows + np.eye(6)[2] * later["grant"]) == pytest.approx(0, abs=1e-9)
    assert funding_gap(-flows, 0.08)["grant"] == 0.0  # already worth it: no gap


def test_discount_factors_reject_a_rate_at_or_below_minus_one():
    with pytest.raises(ValueError, match="rate"):
        metrics.discount_factors([0, 1], -1.0)
    with pytest.raises(ValueError, match="timing"):
        npv(0.05, [1, 2], timing="later")
