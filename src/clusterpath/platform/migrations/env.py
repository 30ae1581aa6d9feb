"""Alembic runs migrations on the connection db.migrate hands it; offline SQL output is not used."""

from alembic import context

from clusterpath.platform.models import Base

connection = context.config.attributes["connection"]
# SQLite cannot ALTER most things in place: batch mode copies the table instead.
context.configure(connection=connection, target_metadata=Base.metadata,
                  render_as_batch=connection.dialect.name == "sqlite")  # fmt: skip
with context.begin_transaction():
    context.run_migrations()
