"""Reproduce a published levelized cost of hydrogen: the H2A Current Central PEM electrolysis case (issue 5).

Source (every input and the result below is read from it, cell by cell):

    H2A case study "Current Central Hydrogen Production from PEM Electrolysis (2019), version Nov 2020",
    title sheet "Current (2015) Hydrogen Production from Central PEM Electrolysis", authors D. DeSantis,
    B. James, G. Saur (Strategic Analysis Inc.), 2019-09-30; H2A Hydrogen Production Cash Flow Analysis
    Tool v3.2018. Published by NREL for the U.S. DOE Hydrogen and Fuel Cell Technologies Office,
    https://www.nrel.gov/hydrogen/h2a-production-models.html, file current-central-pem-electrolysis-version-nov20.xlsm.
    Read (openpyxl, cached cell values) from the unchanged copy of that file in
    https://github.com/RTIInternational/AEG-RTI_H2Models, commit fb1fe312efa946f8f33f053bd2f78f409831a9e8.

Published result: 4.83 $/kg (2016 dollars), sheet Results, cell C26 = 4.830342168856841, the same as
'Cash Flow Analysis' "Hydrogen Cost (Year 2016 Real $/kg)". H2A's price is the constant real hydrogen
price, rising with inflation, at which the equity's after-tax cash flow has a zero NPV at the after-tax
nominal IRR (1 + 8 %)(1 + 1.9 %) - 1; 'Input_Sheet_Template'!H17, the cash-flow NPV, is 3.7e-7.

Cell references are to sheet 'Input_Sheet_Template' unless another sheet is named.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from clusterpath.finance import Financing, ProjectInputs, cash_flow_table, real_rate
from clusterpath.finance.appraisal import break_even_price
from clusterpath.finance.schedules import operating, periodic

PUBLISHED_LCOH = 4.830342168856841  # $/kg H2, 2016 $ - Results!C26

# Timing - C31 start-up year 2015, C33 construction 1 year, C34 100 % of capital spent in it,
# C39 plant life 40 years, C40 analysis period 40 years: the cash flow runs 2014-2054
# ('Cash Flow Analysis'!A65:A105). C30/C32 reference and basis year 2016: costs in 2016 $.
CONSTRUCTION_YEAR, START_UP_YEAR, LAST_YEAR, PRICE_YEAR = 2014, 2015, 2054, 2016
YEARS = list(range(CONSTRUCTION_YEAR, LAST_YEAR + 1))

# Output - C26 plant design capacity 56,500 kg/day, C25 operating capacity factor 97 %.
DESIGN_KG_PER_DAY, CAPACITY_FACTOR = 56_500.0, 0.97
KG_PER_YEAR = DESIGN_KG_PER_DAY * CAPACITY_FACTOR * 365  # = C28, 20,003,825 kg/year
# Start-up - C38 one start-up year; C47 50 % of revenues (output), C48 75 % of variable and
# C46 75 % of fixed operating costs during it.
START_UP_OUTPUT, START_UP_VARIABLE, START_UP_FIXED = 0.5, 0.75, 0.75

# Capital, 2016 $ - C86 total direct capital cost; C90 site preparation, C91 engineering and
# design, C93 project contingency, C96 up-front permitting (C92, C94, C95: zero). Their sum is
# E97, total depreciable capital 86,160,283.52. C100 land 50,000 $/acre x C101 5 acres (E104).
DIRECT_CAPITAL = 60_676_256.0
INDIRECT_CAPITAL = 1_213_525.12 + 6_067_625.6 + 9_101_438.4 + 9_101_438.4
DEPRECIABLE_CAPITAL = DIRECT_CAPITAL + INDIRECT_CAPITAL
LAND = 50_000.0 * 5
TOTAL_CAPITAL = DEPRECIABLE_CAPITAL + LAND  # C106, 86,410,283.52

# Fixed operating costs, 2016 $/year - E111 labor 1,040,000 (C109 10 FTEs x C110 50 $/h), E113 G&A
# 208,000 (C112 20 % of labor), C115 property tax and insurance 2 % of total capital a year,
# C118 material for maintenance and repairs 1,820,287.68. Their sum is E122, 4,796,493.35.
FIXED_OM = 1_040_000.0 + 208_000.0 + 0.02 * TOTAL_CAPITAL + 1_820_287.68

# Variable operating costs - C68 55.5 kWh of industrial electricity per kg; its price, 2016 $ per
# GJ, by year 2015-2054: sheet 'Energy Feed & Utility Prices', table AEO_2017_Reference_Case, row 140
# 'Industrial Electricity' (columns S:BF), converted at C66 0.0036 GJ/kWh (2015: 19.4391 $/GJ =
# 0.0700 $/kWh, C67 0.06998). Process water: D136 3.78 gal/kg at C130 0.0023749511 $/gal.
KWH_PER_KG, GJ_PER_KWH = 55.5, 0.0036
ELECTRICITY_USD_PER_GJ = [
    19.4391, 18.7778, 19.5375, 19.0947, 19.3409, 19.7007, 19.8092, 20.4486, 20.5134, 20.4594,  # 2015-2024
    20.9506, 21.1634, 21.2853, 21.4236, 21.5323, 21.6078, 21.6351, 21.5858, 21.5086, 21.4461,  # 2025-2034
    21.5220, 21.6002, 21.5839, 21.5887, 21.6054, 21.5547, 21.4913, 21.5163, 21.5819, 21.6632,  # 2035-2044
    21.7424, 21.8228, 21.8950, 21.9762, 22.0466, 22.1148, 22.1349, 22.1550, 22.1750, 22.1952,  # 2045-2054
]  # fmt: skip
WATER_USD_PER_KG = 3.78 * 0.002374951094500801

# Replacements, 2016 $ - C150 unplanned replacement 0.5 % of the depreciable capital a year
# ('Replacement Costs'!G18: 430,801.42 a year, every operating year); planned: 'Replacement Costs'!D25
# 9,101,438.4 ("15 % replacement cost every 7 years"), in operating years 8, 15, 22, 29 and 36
# ('Cash Flow Analysis'!I73, I80, I87, I94, I101: 2022, 2029, 2036, 2043, 2050). Equity financed
# ('Replacement Costs'!A10) and depreciated ('Depreciation'!B57).
UNPLANNED_SHARE, STACK_REPLACEMENT, STACK_EVERY = 0.005, 9_101_438.4, 7

# End of life - C50 salvage 10 % of total capital, C49 decommissioning 10 % of depreciable capital,
# both in the last year ('Cash Flow Analysis'!L105, M105) and both taxable (they enter T105,
# pre-depreciation income). C56 working capital 15 % of the yearly change in operating costs.
SALVAGE_SHARE, DECOMMISSIONING_SHARE, WORKING_CAPITAL = 0.10, 0.10, 0.15

# Financing - C43 40 % equity (60 % debt on the initial depreciable capital), C44 3.7 % interest,
# nominal, on a constant balance (C45 debt period 0, "constant outstanding debt"), repaid in the
# last year ('Cash Flow Analysis'!Z105) and charged from the construction year on (S65); C52
# after-tax real IRR 8 %; C51 inflation 1.9 %; C53 state tax 6 %, C54 federal 21 %, total
# C55 = 21 % + 6 % (1 - 21 %) = 25.74 %, a loss earning its tax back in the year (X65 > 0).
# C41/C42 MACRS 20-year depreciation ('Depreciation'!H15:H35, data/macrs_half_year.csv), the book
# value left in the last year deducted then ('Cash Flow Analysis'!U105 includes 'Depreciation'!C141
# and B166).
INFLATION = 0.019
FINANCING = Financing(
    cost_of_equity=0.08, cost_of_debt=real_rate(0.037, INFLATION), debt_share=0.6,
    tax_rate=0.21 + 0.06 * (1 - 0.21), tenor=LAST_YEAR - CONSTRUCTION_YEAR, repayment="bullet",
    interest_in_draw_year=True, depreciation="macrs", depreciation_years=20, loss_relief="group",
    book_value_at_end="written_off", inflation=INFLATION,
)  # fmt: skip


def h2a_pem_case() -> ProjectInputs:
    price_per_kwh = [0.0] + [p * GJ_PER_KWH for p in ELECTRICITY_USD_PER_GJ]  # nothing bought while building
    variable = operating(KG_PER_YEAR, YEARS, START_UP_YEAR, start_up=(START_UP_VARIABLE,))
    return ProjectInputs(
        name="h2a:current_central_pem", years=YEARS, price_year=PRICE_YEAR,
        investment={START_UP_YEAR: DEPRECIABLE_CAPITAL}, construction=(1.0,),
        non_depreciable={CONSTRUCTION_YEAR: LAND},
        fixed_om=operating(FIXED_OM, YEARS, START_UP_YEAR, start_up=(START_UP_FIXED,)),
        electricity=variable * KWH_PER_KG * price_per_kwh,
        variable_om=variable * WATER_USD_PER_KG,
        replacement=(operating(UNPLANNED_SHARE * DEPRECIABLE_CAPITAL, YEARS, START_UP_YEAR)
                     + periodic(STACK_REPLACEMENT, STACK_EVERY, YEARS, START_UP_YEAR)),
        salvage={LAST_YEAR: SALVAGE_SHARE * TOTAL_CAPITAL},
        decommissioning={LAST_YEAR: DECOMMISSIONING_SHARE * DEPRECIABLE_CAPITAL},
        working_capital=WORKING_CAPITAL,
        output={"hydrogen_kg": operating(KG_PER_YEAR, YEARS, START_UP_YEAR, start_up=(START_UP_OUTPUT,))},
    )  # fmt: skip


def test_h2a_current_central_pem_lcoh_within_2_percent():
    price = break_even_price(h2a_pem_case(), FINANCING, "hydrogen_kg", view="equity")
    assert price == pytest.approx(PUBLISHED_LCOH, rel=0.02)
    # The method is H2A's, so the match is in fact to a millionth (4.830342 against 4.830342).
    assert price == pytest.approx(PUBLISHED_LCOH, rel=1e-5)


@pytest.mark.parametrize(
    ("column", "year", "published"),
    [
        # 'Cash Flow Analysis' (nominal $, negative = outflow there); none depends on the price.
        ("capex", 2014, 49_786_317.19796874 + 33_190_878.13197916),  # G65 + H65: 2014 $ of the 2016 $ capital
        ("depreciation", 2015, 3_127_498.655255774),  # U66: MACRS year 1 on capital and 2015 replacement
        ("depreciation", 2054, 29_020_067.81),  # U105: year 40 plus the book value written off
        ("replacement", 2022, 10_671_858.6439),  # I73: stack replacement and unplanned, 2022 $
        ("working_capital", 2015, 9_126_897.41),  # J66: 15 % of the start-up year's operating costs
        ("working_capital", 2054, -28_172_981.42),  # J105: the reserve released
        ("interest", 2014, 1_842_093.74),  # S65: 3.7 % on the debt from the construction year
        ("principal", 2054, 49_786_317.2),  # Z105: constant debt repaid at the end
        ("salvage", 2054, 17_667_879.246057756),  # L105
        ("decommissioning", 2054, 17_616_762.99424622),  # M105
    ],
)
def test_h2a_cash_flow_entries(column, year, published):
    table = cash_flow_table(h2a_pem_case(), FINANCING)
    assert table.loc[year, column] == pytest.approx(published, rel=1e-5)


def test_h2a_equity_cash_flow_at_the_published_price():
    """At H2A's price the equity cash flow is H2A's 'After-Tax Post-Depreciation Cash Flow' (column AA)."""
    case = h2a_pem_case()
    volume = case.output["hydrogen_kg"]
    table = cash_flow_table(replace(case, revenue=PUBLISHED_LCOH * volume), FINANCING)
    assert table.loc[2014, "equity_cash_flow"] == pytest.approx(-34_799_580.99, rel=1e-5)  # AA65
    assert table.loc[2016, "equity_cash_flow"] == pytest.approx(9_204_423.45, rel=1e-4)  # AA67
    assert table.loc[2054, "equity_cash_flow"] == pytest.approx(-11_889_758.72, rel=1e-4)  # AA105


def test_without_interest_during_construction_the_price_is_0_17_percent_lower():
    """Debt drawn at the end of the construction year (the default) pays no 2014 interest (docs/finance.md)."""
    terms = FINANCING.with_(interest_in_draw_year=False)
    price = break_even_price(h2a_pem_case(), terms, "hydrogen_kg", view="equity")
    assert price == pytest.approx(4.822, abs=5e-4)
    assert price / PUBLISHED_LCOH - 1 == pytest.approx(-0.0017, abs=5e-5)
