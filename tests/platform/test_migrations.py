"""The shipped alembic revisions build exactly the schema the models describe, on each database."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from clusterpath.platform.db import make_engine, migrate
from clusterpath.platform.models import Base


def test_migrations_match_the_models_and_apply_twice(database_url):
    engine = make_engine(database_url)
    migrate(engine)
    migrate(engine)  # at every start: a second run finds nothing to do
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    engine.dispose()
    assert differences == [], "a model changed without a migration: add an alembic revision"
