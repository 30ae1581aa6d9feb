"""A real `clusterpath serve` process under many requests at once, and jobs against it: submitted at
once, none lost or run twice; the server SIGKILLed mid-job and restarted, every job accounted for.
Counts and states only, never times (benchmarks/platform_load.py and platform_faults.py run the larger
versions and time them)."""

from __future__ import annotations

import asyncio
from collections import Counter

import httpx
import pytest
from helpers.faults import Watcher, account, frozen_state, problems, running, seed, submit_at_once
from helpers.server import Server

pytestmark = pytest.mark.slow


@pytest.fixture
def server(database_url, tmp_path):
    started = Server(tmp_path / "server", database_url=database_url)
    yield started.start()
    started.kill()


def test_a_hundred_requests_at_once_are_all_answered(server):
    # More requests at once than the database pool has connections must queue, not fail on its timeout.
    platform = seed(server.url)
    paths = [platform.url(path) for path in ("", "/members", "/jobs", "/results", "/members/alpha/versions")]

    async def one(i: int) -> int:
        async with httpx.AsyncClient(base_url=server.url, timeout=300) as client:
            response = await client.get(paths[i % len(paths)], headers=platform.as_("alpha"))
            return response.status_code

    async def all_at_once() -> list[int]:
        return await asyncio.gather(*(one(i) for i in range(100)))

    assert Counter(asyncio.run(all_at_once())) == {200: 100}


def test_submissions_at_once_are_all_accepted_and_share_one_input_version(server):
    platform = seed(server.url)
    responses = submit_at_once(platform, 20, kind="inventory", options={})
    assert [r.status_code for r in responses] == [202] * 20, [r.text for r in responses if r.status_code != 202]
    assert {r.json()["input_version"] for r in responses} == {1}
    ids = [r.json()["id"] for r in responses]
    watcher = Watcher(platform)
    assert watcher.until_all_finished(ids, timeout=600), watcher.jobs
    summary = account(platform, ids)
    assert problems(summary) == [] and summary["status"] == {"done": 20} and summary["attempts"] == {1: 20}
    listed = platform.client.get(platform.url("/input-versions"), headers=platform.as_("coordinator")).json()
    assert [v["number"] for v in listed] == [1]


def test_jobs_submitted_at_once_each_run_exactly_once(server):
    platform = seed(server.url)
    responses = submit_at_once(platform, 5)
    assert [r.status_code for r in responses] == [202] * 5, [r.text for r in responses]
    ids = [r.json()["id"] for r in responses]
    assert len(set(ids)) == 5
    # Identical data and scenario: one input version shared by all, even when created concurrently.
    assert {r.json()["input_version"] for r in responses} == {1}
    watcher = Watcher(platform)
    assert watcher.until_all_finished(ids, timeout=600), watcher.jobs
    summary = account(platform, ids)
    assert problems(summary) == []
    assert summary["status"] == {"done": 5} and summary["attempts"] == {1: 5}
    assert set(summary["runs_logged"].values()) == {1} and summary["requeued"] == []


def test_a_server_killed_mid_job_is_restarted_and_every_job_accounted_for(server, database_url):
    platform = seed(server.url)
    ids = [r.json()["id"] for r in submit_at_once(platform, 3)]
    watcher = Watcher(platform)

    # First kill: the job being solved is queued again at restart and finishes on its second run.
    assert watcher.until(lambda jobs: running(jobs), timeout=300)
    server.kill()
    left = frozen_state(database_url)
    first = [i for i, job in left.items() if job["status"] == "running"]
    assert len(first) == 1 and left[first[0]]["attempts"] == 1
    server.start()
    victim = first[0]

    # Second kill, on that job's last run: it must end failed with the reason, not stuck or retried forever.
    assert watcher.until(lambda jobs: jobs[victim]["status"] == "running" and jobs[victim]["attempts"] == 2
                         or jobs[victim]["status"] in ("done", "failed"), timeout=300)  # fmt: skip
    assert watcher.jobs[victim]["status"] == "running", "the re-queued job should be the first claimed again"
    server.kill()
    again = frozen_state(database_url)[victim]
    assert again["status"] == "running" and again["attempts"] == 2
    server.start()

    assert watcher.until_all_finished(ids, timeout=600), watcher.jobs
    summary = account(platform, ids)
    assert problems(summary) == []
    assert summary["failed"].keys() == {victim} and "not run again" in summary["failed"][victim]
    assert summary["requeued"] == [victim]
    others = [i for i in ids if i != victim]
    assert all(watcher.jobs[i]["status"] == "done" and watcher.jobs[i]["attempts"] == 1 for i in others)
    assert "queued again" in server.log() and "not run again" in server.log()
