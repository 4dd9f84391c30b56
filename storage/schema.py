"""Alembic migrations, run from code so `leadscore db upgrade` needs no ini file."""

from __future__ import annotations

from importlib.resources import files

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, inspect, text

MIGRATION_LOCK = 0x1EAD5C0
"""First half of the advisory lock key that serialises migrations (the second: the schema)."""


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(files("storage") / "migrations"))
    config.attributes["engine"] = engine
    return config


def take_migration_lock(connection: Connection) -> None:
    """On PostgreSQL, wait for the migration lock of this schema; held until the commit.

    Advisory locks are database-wide, so the key includes ``current_schema()``:
    replicas of one installation queue up, other schemas are not held back.
    """
    if connection.dialect.name != "postgresql":
        return
    connection.execute(
        text("SELECT pg_advisory_xact_lock(:key, hashtext(current_schema()))"),
        {"key": MIGRATION_LOCK},
    )


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` (idempotent: safe on every start, from any number
    of replicas at once: on PostgreSQL they take turns under an advisory lock)."""
    command.upgrade(alembic_config(engine), revision)


def is_current(engine: Engine) -> bool:
    """True when the database has our tables (used by healthz and start-up checks)."""
    return inspect(engine).has_table("leads")
