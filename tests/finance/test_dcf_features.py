"""Discounted-cash-flow features of a plant appraisal, each against numbers worked out by hand.

MACRS, book value written off, inflation (nominal and real), bullet debt and interest during
construction, working capital, replacements, land, salvage and decommissioning, start-up and
periodic schedules, the equity's break-even price.
"""

from __future__ import annotations

import numpy as np
import pytest

from clusterpath.finance import FinanceError, Financing, ProjectInputs, cash_flow_table, nominal_rate, real_rate
from clusterpath.finance.appraisal import appraise, break_even_price
from clusterpath.finance.cashflow import working_capital
from clusterpath.finance.depreciation import depreciation, schedule
from clusterpath.finance.financing import loan_schedule
from clusterpath.finance.schedules import operating, periodic


def test_macrs_five_year_by_hand():
    # IRS Publication 946, Table A-1, 5-year: 20, 32, 19.2, 11.52, 11.52, 5.76 % (half-year convention).
    assert np.allclose(schedule(1000.0, 5, "macrs"), [200.0, 320.0, 192.0, 115.2, 115.2, 57.6])
    assert schedule(1000.0, 20, "macrs").sum() == pytest.approx(1000.0)
    assert len(schedule(1000.0, 20, "macrs")) == 21  # the half-year convention adds a year


def test_book_value_left_at_the_end_is_written_off_in_the_last_year():
    # 100 over 5 years straight line is 20 a year; a 3-year table drops 40, or deducts it in year 3.
    assert np.allclose(depreciation(np.array([100.0, 0, 0]), 5), [20.0, 20.0, 20.0])
    assert np.allclose(depreciation(np.array([100.0, 0, 0]), 5, write_off=True), [20.0, 20.0, 60.0])


def test_fisher_nominal_and_real_rates():
    assert nominal_rate(0.08, 0.019) == pytest.approx(1.08 * 1.019 - 1)  # 10.052 %
    assert real_rate(0.037, 0.019) == pytest.approx(1.037 / 1.019 - 1)  # 1.766 %
    assert real_rate(nominal_rate(0.05, 0.02), 0.02) == pytest.approx(0.05)


def test_inflation_escalates_real_inputs_and_fixes_depreciation_in_nominal_money():
    # Inputs in 2021 money, 10 % inflation. The 1100 invested for 2021 is spent in 2020: 1100 / 1.1 = 1000
    # nominal, depreciated over 2 years as 500 + 500 whatever the inflation after. Fixed O&M of 100 real
    # is 100 nominal in 2021 and 110 in 2022.
    inputs = ProjectInputs(name="p", years=[2020, 2021, 2022], price_year=2021, investment={2021: 1100.0},
                           fixed_om={2021: 100.0, 2022: 100.0})  # fmt: skip
    table = cash_flow_table(inputs, Financing(cost_of_equity=0.08, inflation=0.10, depreciation_years=2))
    assert np.allclose(table["price_index"], [1 / 1.1, 1.0, 1.1])
    assert np.allclose(table["capex"], [1000.0, 0.0, 0.0])
    assert np.allclose(table["depreciation"], [0.0, 500.0, 500.0])
    assert np.allclose(table["fixed_om"], [0.0, 100.0, 110.0])


def _plant(**changes) -> ProjectInputs:
    years = [2020, 2021, 2022, 2023, 2024]
    values = dict(name="plant", years=years, investment={2021: 1000.0}, lifetime=4,
                  fixed_om=operating(50.0, years, 2021), output={"h2": operating(100.0, years, 2021)})  # fmt: skip
    return ProjectInputs(**{**values, **changes})


def test_inflation_is_neutral_without_tax_and_debt():
    # All equity, untaxed, 8 % real: the real price is the levelized cost, inflation or not.
    # PV(output) = 100 (1.08^-1 + 1.08^-2 + 1.08^-3 + 1.08^-4) = 331.2127; PV(costs) = 1000 + 0.5 * 331.2127;
    # price = 1000 / 331.2127 + 0.5 = 3.019208 + 0.5 = 3.519208.
    real = break_even_price(_plant(), Financing(cost_of_equity=0.08), "h2")
    nominal = break_even_price(_plant(), Financing(cost_of_equity=0.08, inflation=0.05), "h2")
    assert real == pytest.approx(3.519208, rel=1e-6)
    assert nominal == pytest.approx(3.519208, rel=1e-6)


def test_appraisal_with_inflation_discounts_nominal_flows_at_nominal_rates():
    # Untaxed, all equity: NPV = -1000 + (400 - 50) x 3.312127 = 159.2444 in real money of 2020, and the same
    # nominal flows at 1.08 x 1.05 - 1 = 13.4 %; the levelized cost stays 3.519208 (real).
    plant = _plant(revenue=operating(400.0, [2020, 2021, 2022, 2023, 2024], 2021))
    real = appraise(plant, Financing(cost_of_equity=0.08)).figures
    nominal = appraise(plant, Financing(cost_of_equity=0.08, inflation=0.05)).figures
    assert real["npv"] == pytest.approx(159.2444, abs=1e-3)
    assert nominal["npv"] == pytest.approx(159.2444, abs=1e-3)
    assert nominal["wacc"] == pytest.approx(0.134) and nominal["real_wacc"] == pytest.approx(0.08)
    assert nominal["levelized"]["h2"]["cost"] == pytest.approx(3.519208, rel=1e-6)


def test_equity_break_even_equals_project_with_untaxed_debt_at_the_cost_of_equity():
    # Lender flows priced at 8 % are worth nothing at 8 %: the equity's price is the project's.
    terms = Financing(cost_of_equity=0.08, cost_of_debt=0.08, debt_share=0.6, tenor=3, repayment="bullet")
    assert break_even_price(_plant(), terms, "h2", view="equity") == pytest.approx(3.519208, rel=1e-6)
    with pytest.raises(FinanceError, match="view"):
        break_even_price(_plant(), terms, "h2", view="lender")


def test_bullet_loan_and_interest_during_construction_by_hand():
    # 100 at 5 % for 3 years, interest only: 5 a year in years 1-3, 100 back in year 3.
    loan = loan_schedule([100.0, 0, 0, 0], 0.05, 3, "bullet")
    assert np.allclose(loan["interest"][:4], [0.0, 5.0, 5.0, 5.0])
    assert np.allclose(loan["principal"][:4], [0.0, 0.0, 0.0, 100.0])
    # Drawn at the start of year 0, it pays that year's interest too.
    early = loan_schedule([100.0, 0, 0, 0], 0.05, 3, "bullet", interest_in_draw_year=True)
    assert np.allclose(early["interest"][:4], [5.0, 5.0, 5.0, 5.0])


def test_working_capital_reserve_by_hand():
    # 15 % of costs 0, 100, 120, 120: reserve 0, 15, 18, then released: cash in 0, 15, 3, -18.
    assert np.allclose(working_capital(np.array([0.0, 100.0, 120.0, 120.0]), 0.15), [0.0, 15.0, 3.0, -18.0])


def test_replacement_land_salvage_decommissioning_and_working_capital_by_hand():
    # 25 % tax, losses relieved at once; replacement 100 in 2021 depreciated over 2 years (50, 50);
    # land 40 in 2020, not depreciated, not debt financed; salvage 30 and decommissioning 10 in 2022.
    # EBITDA 0, 150, 150; EBIT 0, 150 - 50 = 100, 150 - 50 + 30 - 10 = 120; tax 0, 25, 30.
    # Working capital 10 % of operating costs 0, 50, 50: 0, 5, -5.
    # FCF = EBITDA + salvage - decommissioning - tax - capital - working capital:
    # -40, 150 - 25 - 100 - 5 = 20, 150 + 30 - 10 - 30 + 5 = 145.
    inputs = ProjectInputs(name="p", years=[2020, 2021, 2022], replacement={2021: 100.0},
                           non_depreciable={2020: 40.0}, revenue={2021: 200.0, 2022: 200.0},
                           fixed_om={2021: 50.0, 2022: 50.0}, salvage={2022: 30.0}, decommissioning={2022: 10.0},
                           working_capital=0.10)  # fmt: skip
    terms = Financing(cost_of_equity=0.08, cost_of_debt=0.05, debt_share=0.5, tax_rate=0.25, depreciation_years=2,
                      loss_relief="group")  # fmt: skip
    table = cash_flow_table(inputs, terms)
    assert np.allclose(table["depreciation"], [0.0, 50.0, 50.0])
    assert np.allclose(table["ebit"], [0.0, 100.0, 120.0])
    assert np.allclose(table["tax"], [0.0, 25.0, 30.0])
    assert np.allclose(table["working_capital"], [0.0, 5.0, -5.0])
    assert np.allclose(table["free_cash_flow"], [-40.0, 20.0, 145.0])
    assert np.allclose(table["debt_draw"], 0.0)


def test_start_up_year_and_periodic_replacement_schedules():
    years = [2020, 2021, 2022, 2023, 2024, 2025]
    # In service from 2021, half the output in its first year.
    assert np.allclose(operating(100.0, years, 2021, start_up=(0.5,)), [0.0, 50.0, 100.0, 100.0, 100.0, 100.0])
    # Every 2 years of operation: 2023 and 2025, but not in the last year 2025.
    assert np.allclose(periodic(7.0, 2, years, 2021), [0.0, 0.0, 0.0, 7.0, 0.0, 0.0])


@pytest.mark.parametrize(
    ("terms", "field"),
    [
        ({"inflation": -1.5}, "inflation"),
        ({"repayment": "balloon"}, "repayment"),
        ({"book_value_at_end": "kept"}, "book_value_at_end"),
        ({"interest_in_draw_year": "yes"}, "interest_in_draw_year"),
        ({"depreciation": "macrs", "depreciation_years": 4}, "depreciation_years"),
    ],
)
def test_new_financing_terms_are_checked(terms, field):
    with pytest.raises(FinanceError, match=field):
        Financing(cost_of_equity=0.08, **terms)


def test_working_capital_share_out_of_range_names_the_field():
    with pytest.raises(FinanceError, match="working_capital"):
        cash_flow_table(_plant(working_capital=1.5), Financing(cost_of_equity=0.08))


def test_new_terms_from_a_finance_file():
    from clusterpath.finance import FinanceAssumptions

    terms = {"default": {"depreciation": "macrs", "depreciation_years": 20, "inflation": 0.019, "repayment": "bullet",
                         "interest_in_draw_year": True, "book_value_at_end": "written_off"},
             "projects": {"p": {"inflation": -2}}}  # fmt: skip
    with pytest.raises(FinanceError, match=r"projects\.p\.inflation"):
        FinanceAssumptions.from_mapping(terms, 0.08)
    del terms["projects"]
    default = FinanceAssumptions.from_mapping(terms, 0.08).default
    assert (default.depreciation, default.inflation, default.repayment) == ("macrs", 0.019, "bullet")
    assert default.nominal_cost_of_equity == pytest.approx(1.08 * 1.019 - 1)
