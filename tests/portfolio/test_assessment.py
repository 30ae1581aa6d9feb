"""Initiative totals: hand-computed from clusters' figures, and from tiny real plans at one typical day."""

import math

import pytest
import yaml

from clusterpath import reference
from clusterpath.portfolio import assess, load_portfolio, summarize
from clusterpath.portfolio.assessment import reduction
from clusterpath.portfolio.figures import cache_key
from clusterpath.schema import Cluster
from clusterpath.schema.scenario import Scenario
from helpers.portfolio import cluster, write

USD = {"USD": {"rate": 0.5, "year": 2024, "source": "test: 0.5 EUR per USD"}}


def figures(id, country, currency, baseline, pathway, value_added, jobs, created=None, investment=None,
            status="optimal", target_year=2040):  # fmt: skip
    return {"cluster": id, "name": f"Cluster {id}", "country": country, "kind": "port", "currency": currency,
            "illustrative": False, "members": 2, "scenario": "s", "target_year": target_year,
            "baseline_tco2e": baseline, "value_added": value_added, "jobs_direct": jobs, "status": status,
            "message": None if status == "optimal" else "the targets cannot be met", "pathway_tco2e": pathway,
            "investment": investment, "jobs_created": created, "pillars": None}  # fmt: skip


def test_reduction_in_the_target_year_and_cumulative():
    # E: 1000 in 2025, 600 in 2030, 200 in 2040 (linear between); baseline 1000.
    # 2025..2030: reductions 0, 80, 160, 240, 320, 400 -> 1200
    # 2031..2040: 400 + 40k for k = 1..10 -> 4000 + 40 * 55 = 6200; cumulative 7400
    assert reduction(1000, [[2025, 1000], [2030, 600], [2040, 200]], 2040) == (200, 800, 7400)
    # A target between periods reads the line: E(2035) = 400; 1200 + sum_{k=1..5}(400 + 40k) = 1200 + 2600
    assert reduction(1000, [[2025, 1000], [2030, 600], [2040, 200]], 2035) == (400, 600, 3800)


@pytest.fixture
def three(tmp_path, small_cluster):
    """a in Belgium (EUR); b and c in the US (USD at 0.5 EUR)."""
    folder = write(tmp_path, [cluster(small_cluster, "a"), cluster(small_cluster, "b", country="US", currency="USD"),
                              cluster(small_cluster, "c", country="US", currency="USD")], exchange_rates=USD)
    return load_portfolio(folder)


def test_totals_by_country_and_continent(three):
    result = summarize(three, [
        figures("a", "BE", "EUR", 1000, [[2025, 1000], [2030, 600], [2040, 200]], 2e8, 450,
                {"construction_job_years": 100, "operation_jobs": 10}, 5e6),
        # b: 500 falling linearly to 0 in 2040: reductions 500k/15 for k = 0..15 -> 500/15 * 120 = 4000
        figures("b", "US", "USD", 500, [[2025, 500], [2040, 0]], 1e8, 100,
                {"construction_job_years": 50, "operation_jobs": 5}, 2e6),
        figures("c", "US", "USD", 300, [], 4e7, 30, status="infeasible"),
    ])  # fmt: skip
    t = result.totals
    assert (t["clusters"], t["countries"], t["continents"], t["planned"], t["not_planned"]) == (3, 2, 2, 2, ["c"])
    assert t["baseline_tco2e"] == 1800  # the infeasible cluster's baseline still counts
    assert t["reduction_target_year_tco2e"] == 800 + 500
    assert t["reduction_cumulative_tco2e"] == 7400 + 4000
    assert t["value_added"] == pytest.approx(2e8 + 0.5 * 1e8 + 0.5 * 4e7)  # USD at 0.5 EUR
    assert t["jobs_direct"] == 580
    assert (t["construction_job_years"], t["operation_jobs"]) == (150, 15)
    assert t["investment"] == pytest.approx(5e6 + 0.5 * 2e6)
    us = result.by_country.loc["US"]
    assert (us["continent"], us["clusters"], us["planned"]) == ("Americas", 2, 1)
    assert (us["baseline_tco2e"], us["reduction_target_year_tco2e"], us["value_added"]) == (800, 500, 7e7)
    assert list(result.by_continent.index) == ["Americas", "Europe"]
    assert result.by_continent.loc["Europe", "reduction_cumulative_tco2e"] == 7400
    c = result.clusters.loc["c"]
    assert c["status"] == "infeasible" and math.isnan(c["reduction_target_year_tco2e"])
    assert result.to_dict()["clusters"][2]["reduction_target_year_tco2e"] is None


def test_totals_without_jobs_created_are_missing_not_zero(three):
    result = summarize(three, [figures(c, "BE", "EUR", 10, [[2025, 10], [2040, 0]], 1.0, 1) for c in "abc"])
    assert result.totals["construction_job_years"] is None and result.totals["reduction_target_year_tco2e"] == 30


def test_tiny_real_plans_cached_and_infeasible_reported(tmp_path, small_cluster):
    # One typical day, two periods; b's scenario allows no lever, so its cap cannot be met. Lead times off: a's
    # N2O needs air capture and the CO2 network by 2030, which the EU's lead time (2030.67) would rule out.
    quick = {"name": "quick", "periods": [2025, 2030], "target_year": 2030, "economies_of_scale": False,
             "lead_times": False}
    (tmp_path / "quick.yaml").write_text(yaml.safe_dump(quick))
    (tmp_path / "stuck.yaml").write_text(yaml.safe_dump(quick | {"name": "stuck", "levers": []}))
    folder = write(tmp_path, [cluster(small_cluster, "a"), cluster(small_cluster, "b")], scenario="quick.yaml",
                   typical_days=1)
    manifest = yaml.safe_load((tmp_path / "portfolio.yaml").read_text())
    manifest["clusters"][1]["scenario"] = "stuck.yaml"
    (tmp_path / "portfolio.yaml").write_text(yaml.safe_dump(manifest))
    portfolio = load_portfolio(folder)
    seen = []
    first = assess(portfolio, cache=tmp_path / "cache", workers=2,  # two processes
                   on_cluster=lambda c, cached: seen.append((c, cached)))
    a, b = first.clusters.loc["a"], first.clusters.loc["b"]
    assert a["status"] == "optimal" and b["status"] == "infeasible" and "cannot be met" in b["message"]
    # Baseline of the small cluster (worked out in tests/test_inventory.py): grid 1000 MWh x 0.2 = 200, N2O
    # 2 t x 273 = 546, natural gas (1000 MWh + 1 TJ = 4.6 TJ) 258.32266: 1004.32266 tCO2e
    assert a["baseline_tco2e"] == pytest.approx(1004.32266)
    assert a["reduction_target_year_tco2e"] == pytest.approx(a["baseline_tco2e"] - a["target_year_tco2e"])
    assert first.totals["planned"] == 1 and first.totals["baseline_tco2e"] == pytest.approx(2 * 1004.32266)
    again = []
    # A time limit changes no definite outcome, so the plans a `portfolio` run kept serve a `report` too.
    second = assess(portfolio, cache=tmp_path / "cache", time_limit=600,
                    on_cluster=lambda c, cached: again.append((c, cached)))  # fmt: skip
    assert sorted(seen) == [("a", False), ("b", False)] and sorted(again) == [("a", True), ("b", True)]
    assert second.totals == first.totals


def test_a_change_of_reference_data_is_not_served_from_the_cache(monkeypatch, small_cluster):
    scenario = Scenario.model_validate({"name": "s", "periods": [2025, 2030], "target_year": 2030})
    cluster = Cluster.model_validate(small_cluster)
    before = cache_key(cluster, scenario, {})
    assert cache_key(cluster, scenario, {}) == before
    # New lead times or job factors shipped in data/ change the plans: the kept ones are stale.
    monkeypatch.setattr(reference, "fingerprint", lambda: "other data")
    assert cache_key(cluster, scenario, {}) != before
