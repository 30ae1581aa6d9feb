"""A sweep solved on a local Dask cluster: results per case, resume after a lost case, and agreement with `plan`."""

from __future__ import annotations

import pandas as pd
import pytest
from helpers.study import CLUSTER

from clusterpath.pathway.plan import plan
from clusterpath.schema import Cluster
from clusterpath.study import runner
from clusterpath.study.sweep import design, load_sweep

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::DeprecationWarning")]


@pytest.fixture
def swept(tiny, tmp_path):
    *_, sweep = tiny
    spec, where = load_sweep(sweep({"tornado": False, "parameters": {"carbon_price": {"values": [0.2, 1.0, 3.0]}}}))
    cluster = Cluster.model_validate(CLUSTER)
    cases = design(spec, where, cluster, options={"mip_gap": 0.0})
    out = tmp_path / "out"
    report = runner.run(cases, cluster, out, workers=1, options={"mip_gap": 0.0})
    return cases, cluster, out, report


def test_resume_solves_only_the_missing_case(swept):
    cases, cluster, out, first = swept
    keys = [c.key for c in cases.samples]
    assert sorted(first.computed) == sorted(keys) and first.reused == [] and first.failed == {}
    files = {key: runner.case_file(out, key) for key in keys}
    before = {key: (path.stat().st_mtime_ns, pd.read_parquet(path)["run_id"].iloc[0]) for key, path in files.items()}
    lost = keys[1]
    files[lost].unlink()

    solved = []
    again = runner.run(cases, cluster, out, workers=1, options={"mip_gap": 0.0},
                       on_case=lambda case, row: solved.append(case.key))  # fmt: skip
    assert solved == [lost] and again.computed == [lost]
    assert sorted(again.reused) == sorted(k for k in keys if k != lost)
    for key in keys:
        run_id = pd.read_parquet(files[key])["run_id"].iloc[0]
        if key == lost:
            assert run_id != before[key][1]
        else:  # untouched: neither solved nor rewritten
            assert (files[key].stat().st_mtime_ns, run_id) == before[key]

    nothing = runner.run(cases, cluster, out, workers=1)
    assert nothing.computed == [] and nothing.workers == 0 and len(nothing.reused) == 3


def test_a_case_costs_what_plan_says_for_its_scenario(swept):
    cases, cluster, out, _ = swept
    results = runner.load_results(cases, out).set_index("key")
    costs = []
    for case in (cases.samples[0], cases.samples[2]):
        row = results.loc[case.key]
        alone = plan(cluster, case.scenario, mip_gap=0.0, baseline=False)
        assert row["status"] == "optimal"
        assert row["total_cost"] == pytest.approx(alone.objective, rel=1e-9)
        assert row["emissions_target"] == pytest.approx(alone.emissions_by("node")[2050].sum(), rel=1e-9)
        costs.append(row["total_cost"])
    assert costs[0] < costs[1]  # a dearer carbon price costs more: the cases really differ
    assert results["roles"].tolist() == ["sample:0", "sample:1", "sample:2"]
    assert (results["target_period"] == 2050).all()
    # The dearest carbon price electrifies the boiler; the cheapest does not.
    high = results.loc[cases.samples[2].key]
    assert high["investment:electric_boiler"] > 0
    assert results.loc[cases.samples[0].key, "investment:electric_boiler"] == 0
