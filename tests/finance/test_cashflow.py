"""The cash-flow table by hand: loans, depreciation, tax losses, WACC, equity and project views."""

from __future__ import annotations

import numpy as np
import pytest

from clusterpath.finance import FinanceAssumptions, FinanceError, Financing, ProjectInputs, appraise, cash_flow_table
from clusterpath.finance.cashflow import _tax
from clusterpath.finance.depreciation import schedule
from clusterpath.finance.financing import loan_schedule, wacc
from clusterpath.finance.metrics import npv
from clusterpath.io.errors import InputError

YEARS = list(range(2030, 2041))  # construction in 2030, ten years of operation


def simple(**kw) -> ProjectInputs:
    operating = {y: 1.0 for y in YEARS[1:]}
    base = dict(name="plant", years=YEARS, investment={2031: 1000.0}, lifetime=10,
                fixed_om={y: 20.0 * v for y, v in operating.items()}, revenue={y: 250.0 for y in YEARS[1:]},
                output={"electricity_mwh": {y: 5.0 for y in YEARS[1:]}})  # fmt: skip
    return ProjectInputs(**{**base, **kw})


def test_annuity_loan_by_hand():
    loan = loan_schedule([1000.0], 0.05, 3)
    payment = 1000 * 0.05 / (1 - 1.05**-3)  # 367.2085...
    assert loan["payment"].iloc[1:4].to_numpy() == pytest.approx([payment] * 3)
    assert loan["interest"].iloc[1:4].to_numpy() == pytest.approx([50.0, 50.0 - 0.05 * (payment - 50), 17.486122],
                                                                  abs=1e-6)  # fmt: skip
    assert loan["principal"].sum() == pytest.approx(1000.0)
    assert loan["closing_balance"].iloc[-1] == pytest.approx(0.0, abs=1e-9)
    assert loan["interest"].iloc[0] == 0.0  # no interest in the year of the draw


def test_zero_interest_loan_repays_in_equal_parts():
    loan = loan_schedule([0.0, 900.0], 0.0, 3)
    assert loan["principal"].to_numpy() == pytest.approx([0, 0, 300, 300, 300])


def test_straight_line_and_declining_balance():
    assert schedule(1000, 4) == pytest.approx([250] * 4)
    # Double declining over 5 years: 40 % of what is left, until straight line over the rest is larger.
    assert schedule(1000, 5, "declining_balance") == pytest.approx([400, 240, 144, 108, 108])


def test_tax_losses_are_carried_forward():
    tax, carried = _tax(np.array([-100.0, 30.0, 50.0, 80.0]), 0.25, "carry_forward")
    assert tax == pytest.approx([0, 0, 0, 0.25 * 60])
    assert carried == pytest.approx([100, 70, 20, 0])
    group, _ = _tax(np.array([-100.0, 30.0]), 0.25, "group")
    assert group == pytest.approx([-25, 7.5])


def test_wacc_after_tax():
    assert wacc(0.10, 0.05, 0.6, 0.25) == pytest.approx(0.4 * 0.10 + 0.6 * 0.05 * 0.75)
    assert Financing(0.10, 0.05, 0.6, 0.25).wacc == pytest.approx(0.0625)


def test_capex_is_spent_over_the_construction_years_before_service():
    table = cash_flow_table(simple(years=list(range(2028, 2041)), construction=(0.2, 0.3, 0.5)), Financing(0.08))
    assert table.loc[2028:2031, "capex"].to_numpy() == pytest.approx([200, 300, 500, 0])
    assert table.loc[2031, "depreciation"] == pytest.approx(100)  # from the service year, over 10 years
    assert table["depreciation"].sum() == pytest.approx(1000)


def test_table_by_hand_with_tax_and_debt():
    f = Financing(cost_of_equity=0.10, cost_of_debt=0.05, debt_share=0.6, tax_rate=0.25, tenor=5)
    table = cash_flow_table(simple(), f)
    year = table.loc[2031]
    assert year["ebitda"] == pytest.approx(230)
    assert year["depreciation"] == pytest.approx(100)
    assert year["tax"] == pytest.approx(0.25 * 130)
    assert table.loc[2030, "debt_draw"] == pytest.approx(600)
    assert year["interest"] == pytest.approx(30)
    assert year["tax_levered"] == pytest.approx(0.25 * 100)
    assert year["interest_tax_shield"] == pytest.approx(0.25 * 30)
    payment = 600 * 0.05 / (1 - 1.05**-5)
    assert year["equity_cash_flow"] == pytest.approx(230 - 0.25 * 100 - payment)
    assert table["principal"].sum() == pytest.approx(600)


def test_debt_at_the_discount_rate_is_worth_nothing_to_equity():
    """Without tax, borrowing at the rate the equity discounts at leaves its NPV unchanged."""
    plain = appraise(simple(), Financing(0.07))
    levered = appraise(simple(), Financing(0.07, cost_of_debt=0.07, debt_share=0.7, tenor=6))
    assert levered.figures["equity_npv"] == pytest.approx(plain.figures["npv"], rel=1e-10)


def test_interest_tax_shield_raises_equity_value():
    f = Financing(0.07, cost_of_debt=0.07, debt_share=0.7, tenor=6, tax_rate=0.3)
    unlevered = appraise(simple(), f.with_(debt_share=0.0))
    levered = appraise(simple(), f)
    assert levered.figures["equity_npv"] > unlevered.figures["equity_npv"]


def test_grants_and_credits_are_untaxed_support():
    f = Financing(0.08, tax_rate=0.25)
    base = appraise(simple(), f)
    supported = appraise(simple(credits={2035: 100.0}, grants={2030: 50.0}), f)
    assert supported.figures["npv"] - base.figures["npv"] == pytest.approx(50 + 100 / 1.08**5)


def test_funding_gap_with_tax_makes_project_npv_zero():
    f = Financing(0.08, tax_rate=0.25)
    losing = simple(revenue={y: 120.0 for y in YEARS[1:]})
    gap = appraise(losing, f).figures["funding_gap"]
    assert gap["grant"] > 0
    closed = appraise(simple(revenue={y: 120.0 for y in YEARS[1:]}, grants={2030: gap["grant"]}), f)
    assert closed.figures["npv"] == pytest.approx(0, abs=1e-8)


def test_break_even_price_without_tax_is_the_levelized_cost():
    a = appraise(simple(revenue={}), Financing(0.06))
    figures = a.figures["levelized"]["electricity_mwh"]
    assert figures["break_even_price"] == pytest.approx(figures["cost"], rel=1e-9)
    taxed = appraise(simple(revenue={}), Financing(0.06, tax_rate=0.3)).figures["levelized"]["electricity_mwh"]
    assert taxed["break_even_price"] > taxed["cost"]  # tax must be recovered too
    priced = simple(revenue={y: taxed["break_even_price"] * 5.0 for y in YEARS[1:]})
    assert appraise(priced, Financing(0.06, tax_rate=0.3)).figures["npv"] == pytest.approx(0, abs=1e-7)


def test_project_npv_is_the_free_cash_flow_at_the_wacc():
    f = Financing(0.1, 0.05, 0.5, 0.2, tenor=8)
    a = appraise(simple(), f)
    assert a.figures["npv"] == pytest.approx(npv(f.wacc, a.table["free_cash_flow"]))


# -- bad input ---------------------------------------------------------------------------

@pytest.mark.parametrize(("terms", "field"), [
    ({"tenor": -3}, "tenor"),
    ({"tenor": 2.5}, "tenor"),
    ({"debt_share": 1.2}, "debt_share"),
    ({"debt_share": -0.1}, "debt_share"),
    ({"tax_rate": 1.0}, "tax_rate"),
    ({"cost_of_equity": -1.0}, "cost_of_equity"),
    ({"cost_of_debt": float("nan")}, "cost_of_debt"),
    ({"depreciation": "sum_of_years"}, "depreciation"),
])  # fmt: skip
def test_bad_financing_names_the_field(terms, field):
    with pytest.raises(FinanceError, match=field) as raised:
        Financing(**{"cost_of_equity": 0.08, **terms})
    assert isinstance(raised.value, ValueError) and isinstance(raised.value, InputError)


def test_a_wacc_at_or_below_minus_one_is_refused():
    with pytest.raises(ValueError, match="cost_of_equity: -1.2 is at or below"):
        Financing(cost_of_equity=-1.2)
    with pytest.raises(ValueError, match="wacc"):
        wacc(-1.5, 0.0, 0.0)


def test_inputs_of_the_wrong_length_name_the_field():
    with pytest.raises(FinanceError, match=r"plant\.fuel: 3 values for 11 years"):
        cash_flow_table(simple(fuel=[1.0, 2.0, 3.0]), Financing(0.05))
    with pytest.raises(FinanceError, match=r"plant\.revenue: years 2050"):
        cash_flow_table(simple(revenue={2050: 5.0}), Financing(0.05))
    with pytest.raises(FinanceError, match="construction"):
        cash_flow_table(simple(construction=(0.5, 0.4)), Financing(0.05))
    with pytest.raises(FinanceError, match="construction years"):
        cash_flow_table(simple(investment={2030: 10.0}), Financing(0.05))
    with pytest.raises(FinanceError, match="different lengths"):
        from clusterpath.finance import levelized_cost

        levelized_cost([1, 2, 3], [1, 2], 0.05)


def test_finance_file_errors_name_the_field():
    with pytest.raises(FinanceError) as raised:
        FinanceAssumptions.from_mapping({"default": {"debt_share": 2}, "members": {"acme": {"tenr": 5}},
                                         "extra": 1}, 0.07)  # fmt: skip
    message = str(raised.value)
    assert "default.debt_share" in message and "members.acme.tenr" in message and "extra" in message


def test_finance_assumptions_fall_back_member_then_default():
    a = FinanceAssumptions.from_mapping({"default": {"tax_rate": 0.25}, "members": {"acme": {"cost_of_equity": 0.12}},
                                         "projects": {"shared:electrolysis": {"debt_share": 0.7}}}, 0.07)  # fmt: skip
    assert a.for_project("acme:heat_pump", "acme").cost_of_equity == 0.12
    assert a.for_project("acme:heat_pump", "acme").tax_rate == 0.25  # the default's, not the plan's
    assert a.for_project("beta:heat_pump", "beta").cost_of_equity == 0.07
    assert a.for_project("shared:electrolysis").debt_share == 0.7


def test_finance_file(tmp_path):
    path = tmp_path / "finance.yaml"
    path.write_text("default: {debt_share: 0.5, cost_of_debt: 0.04, tax_rate: 0.2}\nmembers:\n  acme: {tenor: 0}\n")
    with pytest.raises(FinanceError, match=r"finance.yaml: members.acme.tenor"):
        FinanceAssumptions.from_file(path, 0.07)
    path.write_text("default: {debt_share: 0.5, cost_of_debt: 0.04, tax_rate: 0.2}\n")
    loaded = FinanceAssumptions.from_file(path, 0.07)
    assert loaded.default.wacc == pytest.approx(0.5 * 0.07 + 0.5 * 0.04 * 0.8)
