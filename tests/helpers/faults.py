"""Jobs under stress against a real server: submitted all at once, watched through the API, and
accounted for after the server is killed (tests/platform/test_faults.py, benchmarks/platform_faults.py)."""

from __future__ import annotations

import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import httpx
from sqlalchemy import select

from helpers.platform import SCENARIO, Platform, build

TERMINAL = ("done", "failed")


def seed(url: str) -> Platform:
    """The tests' three-member cluster, every member with data, on a running server."""
    client = httpx.Client(base_url=url, timeout=120)
    return build(client)


def submit_at_once(platform: Platform, n: int, kind: str = "plan", options: dict | None = None) -> list[httpx.Response]:
    """n jobs posted by n clients released together, as a coordinator's script would fire them."""
    url = str(platform.client.base_url)
    body = {"kind": kind, "options": options if options is not None else {"scenario": SCENARIO}}
    barrier = threading.Barrier(n)

    def one(_: int) -> httpx.Response:
        with httpx.Client(base_url=url, timeout=120) as client:
            client.get("/health")  # connected before the barrier, so the posts really overlap
            barrier.wait()
            return client.post(platform.url("/jobs"), json=body, headers=platform.as_("coordinator"))

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(one, range(n)))


@dataclass
class Watcher:
    """Polls the job list and keeps every change of status it sees, with the time since it was made."""

    platform: Platform
    start: float = field(default_factory=time.monotonic)
    jobs: dict[int, dict] = field(default_factory=dict)
    timeline: list[dict] = field(default_factory=list)

    def note(self, event: str, **detail) -> None:
        self.timeline.append({"t": round(time.monotonic() - self.start, 2), "event": event} | detail)

    def poll(self) -> bool:
        """Read the jobs once; False when the server does not answer."""
        try:
            response = self.platform.client.get(self.platform.url("/jobs"), headers=self.platform.as_("coordinator"))
        except httpx.TransportError:
            return False
        if response.status_code != 200:
            return False
        for job in response.json():
            before = self.jobs.get(job["id"])
            if before is None or (before["status"], before["attempts"]) != (job["status"], job["attempts"]):
                self.note("job", job=job["id"], status=job["status"], attempts=job["attempts"])
            self.jobs[job["id"]] = job
        return True

    def until(self, condition, timeout: float, every: float = 0.1) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.poll() and condition(self.jobs):
                return True
            time.sleep(every)
        return False

    def until_all_finished(self, ids: list[int], timeout: float) -> bool:
        return self.until(lambda jobs: all(jobs.get(i, {}).get("status") in TERMINAL for i in ids), timeout, 0.25)


def running(jobs: dict[int, dict]) -> list[int]:
    return sorted(i for i, job in jobs.items() if job["status"] == "running")


def frozen_state(database_url: str) -> dict[int, dict]:
    """The jobs as the database holds them, read directly: after a kill, what the dead server left."""
    from clusterpath.platform.db import make_engine, session_factory
    from clusterpath.platform.models import Job

    engine = make_engine(database_url)
    try:
        with session_factory(engine)() as session:
            return {job.id: {"status": job.status, "attempts": job.attempts, "worker_id": job.worker_id}
                    for job in session.scalars(select(Job))}  # fmt: skip
    finally:
        engine.dispose()


def account(platform: Platform, submitted: list[int]) -> dict:
    """Where every submitted job ended: counts by status, and each way a job could be lost or run twice."""
    coordinator = platform.as_("coordinator")
    jobs = {job["id"]: job for job in platform.client.get(platform.url("/jobs"), headers=coordinator).json()}
    results = platform.client.get(platform.url("/results"), headers=coordinator).json()
    per_job = Counter(result["job"] for result in results)
    mine = {i: jobs[i] for i in submitted if i in jobs}
    return {
        "submitted": len(submitted),
        "status": dict(Counter(job["status"] for job in mine.values())),
        "attempts": dict(Counter(job["attempts"] for job in mine.values())),
        "vanished": [i for i in submitted if i not in jobs],
        "unfinished": sorted(i for i, job in mine.items() if job["status"] not in TERMINAL),
        "failed_without_reason": sorted(i for i, job in mine.items() if job["status"] == "failed" and not job["error"]),
        # A run that starts writes one line; two lines for one claim would mean two workers ran it.
        "runs_logged": {i: job["log"].count(" started on ") for i, job in mine.items()},
        "results_per_done_job": {i: per_job.get(i, 0) for i, job in mine.items() if job["status"] == "done"},
        "results_of_failed_jobs": sorted(i for i, job in mine.items() if job["status"] == "failed" and per_job.get(i)),
        "requeued": sorted(i for i, job in mine.items() if "queued again" in job["log"]),
        "failed": {i: job["error"] for i, job in mine.items() if job["status"] == "failed"},
    }


def problems(summary: dict) -> list[str]:
    """Everything that shows a job lost, stuck or run twice; empty when every job is accounted for."""
    found = []
    if summary["vanished"]:
        found.append(f"jobs vanished: {summary['vanished']}")
    if summary["unfinished"]:
        found.append(f"jobs never finished: {summary['unfinished']}")
    if summary["failed_without_reason"]:
        found.append(f"jobs failed without a reason: {summary['failed_without_reason']}")
    twice = {i: n for i, n in summary["results_per_done_job"].items() if n != 1}
    if twice:
        found.append(f"done jobs without exactly one result: {twice}")
    if summary["results_of_failed_jobs"]:
        found.append(f"failed jobs with a result: {summary['results_of_failed_jobs']}")
    return found
