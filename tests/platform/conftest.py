"""The service under test, against SQLite always and against PostgreSQL when CI gives a server."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import text

from clusterpath.platform.app import create_app
from clusterpath.platform.db import make_engine
from clusterpath.platform.settings import Settings

POSTGRES_URL = os.environ.get("CLUSTERPATH_TEST_POSTGRES_URL")


def _empty_postgres(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.skipif(
    not POSTGRES_URL, reason="set CLUSTERPATH_TEST_POSTGRES_URL (.ci/run does) to test against PostgreSQL"))])
def database_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'clusterpath.db'}"
    _empty_postgres(POSTGRES_URL)
    return POSTGRES_URL


@pytest.fixture(autouse=True)
def _no_held_releases_of_other_tests():
    """Decisions to hold a release back are cached per process by cluster id and input, and every test's database
    numbers its clusters from 1: a decision of an earlier test's cluster 1 with the same data would answer for this
    one's (a server process has one database; the tests have many)."""
    from clusterpath.platform import releases

    with releases._HELD_LOCK:
        releases._HELD.clear()


@pytest.fixture
def settings(database_url, tmp_path) -> Settings:
    # Cheap password hashes: the tests hash a few dozen; production keeps the defaults.
    return Settings(database_url=database_url, data_dir=tmp_path, run_worker=False, worker_poll_seconds=0.1,
                    heartbeat_seconds=0.5, argon2_time_cost=1, argon2_memory_kib=1024)  # fmt: skip


@pytest.fixture
def make_client(settings):
    """Start an app (its lifespan runs: recovery, worker) with these settings changed; stopped after the test."""
    from dataclasses import replace

    from fastapi.testclient import TestClient

    started = []

    def start(**changes) -> TestClient:
        app = create_app(replace(settings, **changes))
        client = TestClient(app)
        client.__enter__()
        started.append(client)
        return client

    yield start
    for client in reversed(started):
        client.__exit__(None, None, None)
        client.app.state.engine.dispose()


@pytest.fixture
def client(make_client):
    return make_client()
