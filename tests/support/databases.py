"""One fresh database per test: a SQLite file, or a PostgreSQL schema of its own.

PostgreSQL tests skip when the server is unreachable on a developer's
machine, but fail in CI (``CI=true``), where the server must be there.
"""

from __future__ import annotations

import atexit
import functools
import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text
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


def postgres_schema_url(*, migrated: bool = False) -> Iterator[str]:
    """A URL whose connections see only a new schema of their own (dropped afterwards).

    Empty, or with ``migrated`` already at the newest revision: a copy of one
    schema the migrations built in this process (see :func:`_migrated_postgres_ddl`).
    """
    require_postgres()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        ddl = _migrated_postgres_ddl() if migrated else None
        if ddl:
            connection.exec_driver_sql(ddl.replace(_TEMPLATE_SCHEMA, schema))
    try:
        yield with_search_path(PG_URL, schema)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


_TEMPLATE_SCHEMA = f"template_{uuid.uuid4().hex[:12]}"


@functools.cache
def _migrated_postgres_ddl() -> str | None:
    """The DDL (and alembic_version row) of a schema the migrations built, from ``pg_dump``.

    Replaying it costs a test a fraction of running the migrations. Without
    ``pg_dump`` (or if it fails) this is None and tests migrate as the app does.
    """
    url = make_url(PG_URL)
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{_TEMPLATE_SCHEMA}"'))
    try:
        engine = make_engine(with_search_path(PG_URL, _TEMPLATE_SCHEMA))
        upgrade(engine)
        engine.dispose()
        command = ["pg_dump", "--schema", _TEMPLATE_SCHEMA, "--inserts", "--no-owner"]
        command += ["--no-privileges", "--no-comments", "--dbname", url.database or ""]
        command += ["--host", url.host or "127.0.0.1", "--port", str(url.port or 5432)]
        command += ["--username", url.username or "postgres"]
        env = {**os.environ, "PGPASSWORD": url.password or ""}
        dumped = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    except OSError:
        return None
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{_TEMPLATE_SCHEMA}" CASCADE'))
        admin.dispose()
    if dumped.returncode != 0:
        return None
    return "\n".join(_replayable(dumped.stdout.splitlines()))


def _replayable(lines: list[str]) -> Iterator[str]:
    """The dump without psql's meta-commands, session settings, comments and the schema's
    own creation."""
    skipped = ("\\", "--", "SET ", "SELECT pg_catalog.set_config", "CREATE SCHEMA", "ALTER SCHEMA")
    for line in lines:
        if not line.startswith(skipped):
            yield line


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
