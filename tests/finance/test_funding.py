"""The public-funding MIP on small cases worked out by hand."""

from __future__ import annotations

import pytest

from clusterpath.finance.funding import Candidate, fund

pytestmark = pytest.mark.filterwarnings("ignore::linopy.LinopySemanticsWarning")


def knapsack() -> list[Candidate]:
    """Budget 10. By tonnes per unit of grant A ranks first (30/6 = 5 t per unit against 4 for B and C),
    but once A is funded the 4 left fit neither B nor C: greedy gets 30 t, B + C get 40 t.

    Private capital (investment less grant): A 20 - 6 = 14, B and C 10 - 5 = 5 each, so B + C
    mobilize 10 and A alone 14. D would abate most but its gap is 70 % of its investment.
    E is viable: it goes ahead without support and is not a candidate.
    """
    return [
        Candidate("x:a", "x", investment=20.0, gap=6.0, abated_t=30.0, max_share=0.6),
        Candidate("y:b", "y", investment=10.0, gap=5.0, abated_t=20.0, max_share=0.6),
        Candidate("z:c", "z", investment=10.0, gap=5.0, abated_t=20.0, max_share=0.6),
        Candidate("z:d", "z", investment=10.0, gap=7.0, abated_t=100.0, max_share=0.6),
        Candidate("x:e", "x", investment=50.0, gap=0.0, abated_t=500.0, max_share=0.6, npv=3.0),
    ]


def supported(result) -> set[str]:
    return set(result.selected)


def test_abatement_is_a_real_knapsack_not_greedy_by_ratio():
    result = fund(knapsack(), 10.0, objective="abatement")
    assert result.status == "optimal"
    assert supported(result) == {"y:b", "z:c"}
    assert result.selected == {"y:b": 5.0, "z:c": 5.0}  # each grant closes the gap, no more
    report = result.to_dict()
    totals = report["totals"]
    assert totals["abated_tco2e"] == pytest.approx(40.0)
    assert totals["public_money"] == pytest.approx(10.0)
    assert totals["private_capital"] == pytest.approx(10.0)
    assert totals["tco2e_per_money"] == pytest.approx(4.0)
    assert totals["leverage"] == pytest.approx(1.0)
    row = {r["project"]: r for r in report["projects"]}
    assert row["y:b"]["grant_share"] == pytest.approx(0.5)
    assert row["y:b"]["leverage"] == pytest.approx(1.0)
    assert row["y:b"]["money_per_tco2e"] == pytest.approx(0.25)
    assert not row["x:a"]["selected"] and row["x:a"]["tco2e_per_money"] is None
    # The viable project is reported apart and counted in no total.
    assert [v["project"] for v in report["viable_without_support"]] == ["x:e"]
    assert "x:e" not in row


def test_leverage_chooses_otherwise():
    result = fund(knapsack(), 10.0, objective="leverage")
    assert result.selected == {"x:a": 6.0}
    totals = result.to_dict()["totals"]
    assert totals["private_capital"] == pytest.approx(14.0)
    assert totals["leverage"] == pytest.approx(14.0 / 6.0)
    assert totals["private_per_budget"] == pytest.approx(1.4)
    assert totals["budget_left"] == pytest.approx(4.0)


def test_the_share_limit_excludes_a_project_whose_gap_exceeds_it():
    # At 60 % D (gap 7 of 10) cannot be supported whatever the budget; at 80 % its 100 t win.
    result = fund(knapsack(), 10.0)
    assert "z:d" in result.excluded and "above the share limit" in result.excluded["z:d"]
    loose = [Candidate(**{**c.__dict__, "max_share": 0.8}) for c in knapsack()]
    assert fund(loose, 10.0).selected == {"z:d": 7.0}


def test_nothing_to_support_is_said_not_raised():
    viable = [c for c in knapsack() if c.viable]
    report = fund(viable, 10.0).to_dict()
    assert report["projects"] == [] and "every project goes ahead without it" in report["note"]
    assert "note" not in fund(knapsack(), 10.0).to_dict()


def test_budget_zero_supports_nothing():
    report = fund(knapsack(), 0.0).to_dict()
    assert not any(r["selected"] for r in report["projects"])
    assert report["totals"]["public_money"] == 0.0 and report["totals"]["tco2e_per_money"] is None


def test_a_member_cap_binds():
    # B and C of one member capped at 5 in all: one of them, and A + one costs 11 > 10, so A alone.
    same = [Candidate(**{**c.__dict__, "member": "y"}) if c.name == "z:c" else c for c in knapsack()]
    assert supported(fund(same, 10.0)) == {"y:b", "z:c"}
    assert fund(same, 10.0, member_cap={"y": 5.0}).selected == {"x:a": 6.0}
    # One number caps every member, the hub's projects ("shared") included: A's 6 is above 5.
    result = fund(knapsack(), 11.0, member_cap=5.0)
    assert "x:a" in result.excluded and supported(result) == {"y:b", "z:c"}


def test_a_project_cap_excludes_larger_gaps():
    result = fund(knapsack(), 10.0, project_cap=5.5)
    assert "x:a" in result.excluded and "the cap" in result.excluded["x:a"]
    assert supported(result) == {"y:b", "z:c"}


def test_a_member_link_needs_the_hub_plant_it_draws_on():
    hub = Candidate("shared:plant", None, investment=10.0, gap=4.0, abated_t=0.0)
    link = Candidate("m:link", "m", investment=5.0, gap=2.0, abated_t=50.0, requires=("shared:plant",))
    other = Candidate("n:pump", "n", investment=5.0, gap=3.0, abated_t=10.0)
    # 5 fund the link alone, but without its plant it abates nothing: only the pump can go ahead.
    assert fund([hub, link, other], 5.0).selected == {"n:pump": 3.0}
    assert fund([hub, link, other], 6.0).selected == {"shared:plant": 4.0, "m:link": 2.0}
    # A plant that cannot be supported takes its link down with it.
    big = Candidate("shared:plant", None, investment=10.0, gap=9.0, abated_t=0.0, max_share=0.6)
    result = fund([big, link, other], 100.0)
    assert "needs shared:plant" in result.excluded["m:link"]
    assert result.selected == {"n:pump": 3.0}


def test_ties_in_tonnes_go_to_the_cheaper_project():
    twins = [Candidate("a:one", "a", investment=10.0, gap=4.0, abated_t=20.0),
             Candidate("b:two", "b", investment=10.0, gap=3.0, abated_t=20.0)]  # fmt: skip
    assert fund(twins, 5.0).selected == {"b:two": 3.0}


@pytest.mark.parametrize("budget, objective, message", [
    (-1.0, "abatement", "budget"), (float("nan"), "abatement", "budget"), (1.0, "cheapest", "objective"),
])  # fmt: skip
def test_bad_arguments_are_refused(budget, objective, message):
    with pytest.raises(ValueError, match=message):
        fund(knapsack(), budget, objective=objective)


@pytest.fixture(scope="module")
def solved():
    """Two furnaces switch to the hub's electrolytic hydrogen: their links take it at its levelized cost."""
    from clusterpath.finance.report import finance_report
    from clusterpath.pathway.plan import plan

    from ..pathway.test_build import cluster, gas, member, power, scenario

    c = cluster(member("h1", [gas("heat_high", 40_000, equipment="furnace")]),
                member("h2", [gas("heat_high", 120_000, equipment="furnace")], km_north=2), member("p", [power(3000)]))
    # Lead times off: the EU's electrolysis row (3.7 years) would keep the hub's hydrogen out of 2025.
    s = scenario(["hydrogen_network", "hydrogen_fuel", "electrolysis"], periods=[2025, 2030, 2035], target_year=2035,
                 economies_of_scale=False, typical_days=1, carbon_price={2025: 80, 2035: 150},
                 lead_times=False)  # fmt: skip
    result = plan(c, s, baseline=False)
    return result, finance_report(result)


def test_a_grant_of_the_gap_paid_with_the_investment_brings_the_npv_to_zero(solved):
    from clusterpath.finance.funding import candidates, dependencies
    from clusterpath.finance.report import finance_report

    result, report = solved
    names = [p["project"] for p in report["projects"]]
    needs = dependencies(result, names)
    # h1's hydrogen connection draws the hub's hydrogen; the electrolyser makes it, grid power needs no project.
    assert needs["h1:hydrogen_network"] == ("shared:electrolysis",)
    assert all(not k.startswith("shared:") for k in needs)
    cands = [c for c in candidates(report, target_year=2040, requires=needs) if not c.viable]
    assert cands
    policy = {c.name: {"grants": (report["tables"][c.name]["capex"] * (c.gap / c.investment)).to_dict()}
              for c in cands}  # fmt: skip
    granted = {p["project"]: p["npv"] for p in finance_report(result, policy=policy)["projects"]}
    for c in cands:
        assert c.npv < 0
        assert granted[c.name] == pytest.approx(0.0, abs=1e-6 * c.investment), c.name
        table = report["tables"][c.name]
        assert c.abated_t == pytest.approx(float(table.loc[table.index <= 2040, "abated_t"].sum()))
