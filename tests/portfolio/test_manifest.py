"""Reading a portfolio: the manifest, its clusters, and every bad input named by file and field."""

import pytest
import yaml

from clusterpath.io import InputError
from clusterpath.portfolio import load_portfolio
from helpers.portfolio import cluster, write

USD = {"rate": 1.1, "year": 2024, "source": "test rate"}


def test_folder_and_single_file(tmp_path, small_cluster):
    folder = write(tmp_path, [cluster(small_cluster, "a"), cluster(small_cluster, "b", currency="USD")],
                   exchange_rates={"USD": {"rate": 0.9, "year": 2024, "source": "test"}}, typical_days=1)
    portfolio = load_portfolio(folder)
    assert [m.cluster.id for m in portfolio.clusters] == ["a", "b"]
    assert portfolio.rate("EUR") == 1.0 and portfolio.rate("USD") == 0.9
    assert all(m.scenario.typical_days == 1 and m.scenario.name == "scope-1-net-zero-2050" for m in portfolio.clusters)
    assert load_portfolio(tmp_path / "portfolio.yaml").manifest == portfolio.manifest
    assert load_portfolio(folder, typical_days=3).clusters[0].scenario.typical_days == 3


def test_cluster_scenario_is_relative_to_the_manifest(tmp_path, small_cluster):
    quick = {"name": "quick", "periods": [2025, 2030], "target_year": 2030}
    (tmp_path / "quick.yaml").write_text(yaml.safe_dump(quick))
    folder = write(tmp_path, [cluster(small_cluster, "a")], scenario="quick.yaml")
    assert load_portfolio(folder).clusters[0].scenario.periods == [2025, 2030]


def test_shipped_examples_load():
    current, previous = load_portfolio("initiative-2025"), load_portfolio("initiative-2024")
    assert len(current.clusters) >= 20 and len(previous.clusters) < len(current.clusters)
    assert all(m.cluster.illustrative for m in current.clusters + previous.clusters)
    assert current.id == previous.id and previous.year < current.year


def problems(path) -> str:
    with pytest.raises(InputError) as caught:
        load_portfolio(path)
    return caught.value.message


def test_duplicate_cluster_ids(tmp_path, small_cluster):
    folder = write(tmp_path, [cluster(small_cluster, "a"), cluster(small_cluster, "b")])
    (tmp_path / "clusters" / "b.yaml").write_text(yaml.safe_dump(cluster(small_cluster, "a")))
    message = problems(folder)
    assert "portfolio.yaml" in message and "clusters[1].file" in message
    assert "'clusters/b.yaml' has cluster id 'a', as 'clusters/a.yaml' does" in message


def test_currency_without_exchange_rate(tmp_path, small_cluster):
    folder = write(tmp_path, [cluster(small_cluster, "a"), cluster(small_cluster, "b", currency="GBP")],
                   exchange_rates={"USD": USD})
    message = problems(folder)
    assert "clusters[1].file: cluster 'b' counts money in GBP" in message and "exchange_rates has no GBP" in message


def test_no_clusters(tmp_path):
    folder = write(tmp_path, [])
    assert "clusters (line 5): lists no clusters" in problems(folder)


def test_missing_cluster_file_and_bad_cluster(tmp_path, small_cluster):
    bad = cluster(small_cluster, "b")
    bad["members"][0]["jobs"] = -1
    folder = write(tmp_path, [cluster(small_cluster, "a"), bad])
    (tmp_path / "clusters" / "a.yaml").unlink()
    message = problems(folder)
    assert "2 problems" in message
    assert "clusters[0].file: no such file 'clusters/a.yaml'" in message
    assert "clusters[1].file (" in message and "b.yaml): members[0] (id 'chem').jobs" in message


def test_missing_portfolio(tmp_path):
    assert "has no portfolio.yaml" in problems(tmp_path)
    assert "no such file or folder" in problems(tmp_path / "nowhere")


def test_unknown_field_and_bad_rate(tmp_path, small_cluster):
    folder = write(tmp_path, [cluster(small_cluster, "a")], currancy="EUR",
                   exchange_rates={"USD": {"rate": 0, "year": 2024, "source": "x"}})
    message = problems(folder)
    assert "currancy" in message and "is not a known field" in message
    assert "exchange_rates.USD.rate" in message


def test_joined_after_the_reporting_year(tmp_path, small_cluster):
    folder = write(tmp_path, [cluster(small_cluster, "a")])
    manifest = yaml.safe_load((tmp_path / "portfolio.yaml").read_text())
    manifest["clusters"][0]["joined"] = 2026
    (tmp_path / "portfolio.yaml").write_text(yaml.safe_dump(manifest))
    assert "clusters[0].joined: 2026 is after the reporting year 2025" in problems(folder)


def test_unknown_scenario(tmp_path, small_cluster):
    folder = write(tmp_path, [cluster(small_cluster, "a"), cluster(small_cluster, "b")], scenario="no-such-scenario")
    message = problems(folder)
    # Reported once, though both clusters use it.
    assert "portfolio.yaml: scenario: no-such-scenario: no such file, and not a scenario name" in message
    assert message.count("no-such-scenario") == 1
