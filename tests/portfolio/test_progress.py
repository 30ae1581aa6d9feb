"""Year on year: new and departed clusters, projects that moved stage, emissions already avoided, totals."""

import pytest

from clusterpath.io import InputError
from clusterpath.portfolio import compare_years, load_portfolio
from helpers.portfolio import cluster, write

USD = {"USD": {"rate": 0.5, "year": 2024, "source": "test: 0.5 EUR per USD"}}


def project(id, stage, abatement=None, investment=None, committed=0.0, public_funding=0.0, lever="heat_pump"):
    return {"id": id, "name": f"Project {id}", "lever": lever, "members": ["chem"], "stage": stage,
            "abatement": None if abatement is None else f"{abatement} t", "investment": investment,
            "committed": committed, "public_funding": public_funding}


@pytest.fixture
def years(tmp_path, small_cluster):
    previous = write(tmp_path / "2024", [
        cluster(small_cluster, "a", projects=[project("p1", "feasibility", 100, 1000, 50),
                                              project("p2", "operating", 40, 500, 500, 100)]),
        cluster(small_cluster, "b", country="US", currency="USD", projects=[project("q1", "announced", 10, 200)]),
    ], year=2024, exchange_rates=USD)  # fmt: skip
    current = write(tmp_path / "2025", [
        cluster(small_cluster, "a", projects=[project("p1", "construction", 100, 1000, 900),
                                              project("p2", "operating", 40, 500, 500, 100),
                                              project("p3", "announced", 20)]),
        cluster(small_cluster, "c", country="US", currency="USD", projects=[project("r1", "operating", 30, 100, 100)]),
    ], year=2025, exchange_rates=USD)  # fmt: skip
    return load_portfolio(previous), load_portfolio(current)


def test_clusters_projects_and_avoided_emissions(years):
    progress = compare_years(*years)
    assert (progress.new_clusters, progress.departed_clusters) == (["c"], ["b"])
    moves = progress.stage_changes.to_dict(orient="records")
    assert moves == [{"cluster": "a", "project": "p1", "name": "Project p1", "lever": "heat_pump",
                      "from_stage": "feasibility", "to_stage": "construction", "direction": "forward",
                      "abatement_tco2e": 100.0}]  # fmt: skip
    assert progress.new_projects["project"].tolist() == ["p3"] and progress.dropped_projects.empty
    totals = progress.totals
    # Avoided: p2 (40) a year before; p2 + r1 (40 + 30) now.
    assert totals.loc["avoided_tco2e"].tolist() == [40, 70, 30]
    assert totals.loc["projects"].tolist() == [3, 4, 1] and totals.loc["projects_operating"].tolist() == [1, 2, 1]
    # Committed: 50 + 500 + 0 then; 900 + 500 + 100 USD x 0.5 now.
    assert totals.loc["committed"].tolist() == [550, 1450, 900]
    # Registered investment: 1000 + 500 + 200 x 0.5 then; 1000 + 500 + 100 x 0.5 now (p3 gives none).
    assert totals.loc["investment_registered"].tolist() == [1600, 1550, -50]
    assert totals.loc["baseline_tco2e", "change"] == pytest.approx(0)
    assert "reduction_target_year_tco2e" not in totals.index  # no assessments given
    assert progress.to_dict()["totals"]["committed"] == {"previous": 550, "current": 1450, "change": 900}


def test_a_project_moving_back_is_marked(tmp_path, small_cluster):
    before = write(tmp_path / "1", [cluster(small_cluster, "a", projects=[project("p", "construction")])], year=2024)
    after = write(tmp_path / "2", [cluster(small_cluster, "a", projects=[project("p", "feasibility")])])
    moves = compare_years(load_portfolio(before), load_portfolio(after)).stage_changes
    assert moves["direction"].tolist() == ["back"]


def error(previous, current) -> str:
    with pytest.raises(InputError) as caught:
        compare_years(previous, current)
    return caught.value.message


def test_unrelated_portfolios(tmp_path, small_cluster, years):
    previous, current = years
    other = load_portfolio(write(tmp_path / "other", [cluster(small_cluster, "a")], id="another", year=2024))
    assert "is not the initiative of the previous year's" in error(other, current)
    assert "year: 2024 is not after the previous submission's year 2025" in error(current, previous)
    assert "is not after" in error(current, current)
    moved = load_portfolio(write(tmp_path / "moved", [cluster(small_cluster, "a", country="NL")], year=2024))
    message = error(moved, current)
    assert "cluster 'a' (clusters/a.yaml) is not the same cluster" in message
    assert "country 'NL' then, 'BE' now" in message
    renamed = load_portfolio(write(tmp_path / "renamed", [cluster(small_cluster, "a", name="Old name")], year=2024))
    assert "name 'Old name' then, 'Cluster a' now" in error(renamed, current)
