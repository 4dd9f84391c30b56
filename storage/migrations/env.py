"""Alembic environment: uses the engine handed over by ``storage.schema``.

On PostgreSQL the whole upgrade runs in one transaction holding an advisory
lock (``storage.schema.MIGRATION_LOCK``), so replicas starting together on an
empty database take turns: the first migrates, the others then find the
schema at head and do nothing. The lock is keyed by the current schema too,
so upgrades of different schemas (tests use one per test) never wait on each other.
"""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import storage.models  # noqa: F401  (registers the tables)
from storage.schema import take_migration_lock

config = context.config
engine = config.attributes["engine"]

with engine.connect() as connection:
    take_migration_lock(connection)
    context.configure(
        connection=connection,
        target_metadata=SQLModel.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
