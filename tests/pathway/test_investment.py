"""Investment per build period in a plan's summary, checked against project finance's own accounting."""

from __future__ import annotations

import pytest

from clusterpath.finance.report import finance_report
from clusterpath.io.load import validate
from clusterpath.pathway.plan import plan
from clusterpath.schema.scenario import Scenario
from helpers.platform import DESCRIPTION, MEMBERS, SCENARIO


def test_investment_per_period_adds_up_to_the_projects_investment():
    cluster = validate({**DESCRIPTION, "id": "port", "members": [dict(v, id=k) for k, v in MEMBERS.items()]}, "test")
    result = plan(cluster, Scenario.model_validate(SCENARIO), baseline=False)
    spent = result.summary()["investment_by_period"]
    assert list(spent) == [str(p) for p in SCENARIO["periods"]]
    # Heat pumps come in as the cap tightens: money is spent, and in more than one period.
    assert sum(v > 0 for v in spent.values()) == len(SCENARIO["periods"])
    projects = finance_report(result)["members"]
    assert sum(spent.values()) == pytest.approx(sum(m.get("investment", 0.0) for m in projects.values()), rel=1e-9)
