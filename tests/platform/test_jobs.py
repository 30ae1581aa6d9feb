"""Jobs run the real library, keep their logs and input version, and survive a server that stops."""

from __future__ import annotations

import subprocess
import sys

import pytest
from helpers.platform import SCENARIO, build
from sqlalchemy import select

from clusterpath.platform.models import Job, utcnow

pytestmark = pytest.mark.filterwarnings("ignore::linopy.LinopySemanticsWarning")


@pytest.mark.slow
def test_plan_finance_and_collaborate_jobs(make_client):
    client = make_client(run_worker=True)
    p = build(client)
    submitted = {kind: p.submit(kind, {"scenario": SCENARIO}).json() for kind in ("plan", "finance", "collaborate")}
    assert all(job["status"] == "queued" for job in submitted.values())
    done = {kind: p.wait(job["id"]) for kind, job in submitted.items()}
    for kind, job in done.items():
        assert job["status"] == "done", (kind, job["log"])
        assert job["started_at"] and job["finished_at"] and job["attempts"] == 1
    assert "solving with HiGHS" in done["plan"]["log"]
    # All three ran on the same data and scenario: one input version.
    assert len({job["input_version"] for job in done.values()}) == 1
    plan = p.result_of(done["plan"])["result"]
    assert plan["status"] == "optimal" and set(plan["member_emissions_tco2e"]) == {"alpha", "beta", "gamma"}
    collaborate = p.result_of(done["collaborate"], "observer")["result"]
    assert collaborate["standalone"] == {} and "together" in collaborate
    finance = p.result_of(done["finance"], "alpha")["result"]
    assert all(project["member"] in ("alpha", None) for project in finance["projects"])


@pytest.mark.slow
def test_compare_and_fund_jobs(make_client):
    client = make_client(run_worker=True)
    p = build(client)
    later = SCENARIO | {"name": "later", "target_year": 2050}
    compare = p.submit("compare", {"scenarios": [SCENARIO, later]}).json()
    fund = p.submit("fund", {"scenario": SCENARIO, "budget": 5e6}).json()
    for job in (compare, fund):
        done = p.wait(job["id"])
        assert done["status"] == "done", (done["kind"], done["log"])
    compared = p.result_of(p.wait(compare["id"]))["result"]
    assert [row["scenario"] for row in compared["scenarios"]] == ["small", "later"]
    assert all(row["status"] == "optimal" for row in compared["scenarios"])
    funded = p.result_of(p.wait(fund["id"]))["result"]
    assert funded["budget"] == 5e6 and funded["totals"]["public_money"] <= 5e6 * (1 + 1e-9)
    mine = p.result_of(p.wait(fund["id"]), "alpha")["result"]
    assert all(project["member"] in ("alpha", None) for project in mine["projects"])
    refused = p.submit("compare", {"scenarios": ["scope-1-net-zero-2050", "../../etc/passwd"]})
    assert refused.status_code == 422 and "not shipped scenario" in refused.text


def test_an_infeasible_plan_fails_with_the_reason_for_the_coordinator_only(make_client):
    client = make_client(run_worker=True)
    p = build(client)
    impossible = SCENARIO | {"target_year": 2025, "levers": []}
    job = p.wait(p.submit("plan", {"scenario": impossible}).json()["id"])
    assert job["status"] == "failed" and job["error"].startswith("infeasible")
    seen = client.get(p.url(f"/jobs/{job['id']}"), headers=p.as_("alpha")).json()
    assert seen["status"] == "failed" and "error" not in seen and "log" not in seen
    assert client.get(p.url("/results"), headers=p.as_("coordinator")).json() == []


def _dead_pid() -> int:
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    return int(finished.stdout)


def _strand(client, job_id: int, attempts: int) -> None:
    """Make the job look as a server that died mid-run left it."""
    import socket

    with client.app.state.sessions() as session:
        job = session.get(Job, job_id)
        job.status, job.attempts = "running", attempts
        job.worker_id = f"{socket.gethostname()}:{_dead_pid()}:gone"
        job.started_at = job.heartbeat_at = utcnow()
        session.commit()


def test_a_job_left_running_by_a_dead_server_is_queued_again_and_then_run(make_client):
    first = make_client()
    p = build(first)
    job_id = p.submit("inventory").json()["id"]
    _strand(first, job_id, attempts=1)
    restarted = make_client(run_worker=True)
    p.client = restarted
    job = p.wait(job_id)
    assert job["status"] == "done" and job["attempts"] == 2
    assert "queued again" in job["log"] and "is gone" in job["log"]
    assert p.result_of(job)["input_version"] == 1


def test_a_job_interrupted_on_its_last_attempt_is_marked_failed_not_lost(make_client):
    first = make_client()
    p = build(first)
    job_id = p.submit("inventory").json()["id"]
    _strand(first, job_id, attempts=2)
    restarted = make_client()
    job = restarted.get(p.url(f"/jobs/{job_id}"), headers=p.as_("coordinator")).json()
    assert job["status"] == "failed" and "not run again" in job["error"]


def test_a_running_job_with_a_live_heartbeat_elsewhere_is_left_alone(make_client):
    first = make_client()
    p = build(first)
    job_id = p.submit("inventory").json()["id"]
    with first.app.state.sessions() as session:
        job = session.get(Job, job_id)
        job.status, job.attempts, job.worker_id = "running", 1, "another-host:1234:busy"
        job.started_at = job.heartbeat_at = utcnow()
        session.commit()
    restarted = make_client()
    with restarted.app.state.sessions() as session:
        assert session.scalar(select(Job.status).where(Job.id == job_id)) == "running"


def test_two_workers_never_claim_the_same_job(client):
    from clusterpath.platform.jobs import Worker

    p = build(client)
    ids = [p.submit("inventory").json()["id"] for _ in range(3)]
    one, two = Worker(client.app.state.sessions, client.app.state.settings), \
        Worker(client.app.state.sessions, client.app.state.settings)  # fmt: skip
    claimed = [one.claim(), two.claim(), one.claim(), two.claim()]
    assert sorted(c for c in claimed if c is not None) == ids and claimed[-1] is None
