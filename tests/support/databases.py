"""One fresh database per test: a SQLite file, or a PostgreSQL schema of its own.

PostgreSQL tests skip when the server is unreachable on a developer's
machine, but fail in CI (``CI=true``), where the server must be there.
"""

from __future__ import annotations

import atexit
import functools
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from storage.engine import make_engine
from storage.schema import upgrade

PG_URL = os.environ.get(
    "LEADSCORE_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def require_postgres() -> None:
    """Skip (locally) or fail (in CI) when PostgreSQL cannot be reached."""
    engine = create_engine(PG_URL)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except OperationalError as exc:
        reason = f"PostgreSQL unreachable at {PG_URL}: {str(exc.orig).strip()[:200]}"
        if in_ci():
            pytest.fail(reason + " (CI=true: PostgreSQL tests must run)")
        pytest.skip(reason)
    finally:
        engine.dispose()


def with_search_path(url: str, schema: str) -> str:
    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}options=-csearch_path%3D{schema}"


def postgres_schema_url() -> Iterator[str]:
    """A URL whose connections see only a new, empty schema (dropped afterwards)."""
    require_postgres()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield with_search_path(PG_URL, schema)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def sqlite_url(tmp_path: Path) -> str:
    """An empty SQLite database: what a first start, or a migration test, begins from."""
    return f"sqlite:///{tmp_path / 'leadscore.db'}"


def migrated_sqlite_url(tmp_path: Path) -> str:
    """A SQLite database already at the newest revision, copied from one migrated per process.

    Running every migration costs a test far more than the test itself; the copy is
    exactly what the migrations built, and the app's own upgrade on start finds
    nothing to do. Migration tests use :func:`sqlite_url` and begin empty.
    """
    path = tmp_path / "leadscore.db"
    shutil.copyfile(_migrated_template(), path)
    return f"sqlite:///{path}"


@functools.cache
def _migrated_template() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="leadscore-template-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    template = folder / "template.db"
    engine = make_engine(f"sqlite:///{template}")
    upgrade(engine)
    engine.dispose()
    return template
