"""Database engines: SQLite embedded by default, PostgreSQL for several replicas."""

from __future__ import annotations

import logging
import math
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import StaticPool
from sqlmodel import Session

from storage.json_docs import json_text, json_value

log = logging.getLogger(__name__)
T = TypeVar("T")


def _sqlite_on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    """WAL lets readers (slash commands) run while the ingest path writes.

    ``synchronous=NORMAL`` in WAL mode survives a killed process (the contract's
    "200 means durably stored"); only an OS crash could lose the last commits.
    """
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
    try:
        dbapi_connection.execute("SELECT power(2, 2)")
    except sqlite3.OperationalError:  # SQLite built without math functions
        dbapi_connection.create_function("power", 2, math.pow, deterministic=True)
    # Let the transaction start explicitly (BEGIN IMMEDIATE below) so two
    # writers queue on the lock instead of failing with "database is locked".
    dbapi_connection.isolation_level = None


def _sqlite_begin(conn: Any) -> None:
    """Writers take the lock up front; readers (``read_scope``) never wait for it."""
    if conn.get_execution_options().get(READ_ONLY):
        conn.exec_driver_sql("BEGIN")
    else:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


READ_ONLY = "leadscore_read_only"


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """Build the engine for a SQLAlchemy URL with the settings each backend needs."""
    if url.startswith("sqlite"):
        memory = ":memory:" in url or url in ("sqlite://", "sqlite:///")
        engine = create_engine(
            url,
            echo=echo,
            connect_args={"check_same_thread": False, "timeout": 30},
            poolclass=StaticPool if memory else None,
            json_serializer=json_text,
            json_deserializer=json_value,
        )
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, echo=echo, pool_pre_ping=True, pool_size=10, max_overflow=10)


def is_postgres(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"


@contextmanager
def read_scope(engine: Engine) -> Iterator[Session]:
    """A read-only transaction: on SQLite it does not queue behind the ingest writer.

    WAL gives it a consistent snapshot while a batch is being written.
    """
    with Session(engine.execution_options(**{READ_ONLY: True}), expire_on_commit=False) as session:
        yield session  # closing ends the transaction and keeps loaded objects usable


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One transaction: committed when the block ends, rolled back on error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


LOCK_RETRIES = 5
LOCK_NOT_AVAILABLE = "55P03"


def yielding_to_ingest(engine: Engine, work: Callable[[Session], T], *, what: str) -> T:
    """Run ``work`` in its own transaction, backing off when ingest holds a lock it needs.

    Ingest locks its leads in email order, a set-based UPDATE (decay, rescoring)
    in table order. On PostgreSQL the UPDATE takes a short lock timeout, so it
    is the side that gives way and retries instead of deadlocking with ingest.
    """
    for attempt in range(1, LOCK_RETRIES + 1):
        try:
            with session_scope(engine) as session:
                if is_postgres(engine):
                    session.execute(text("SET LOCAL lock_timeout = '500ms'"))
                return work(session)
        except OperationalError as exc:
            if getattr(exc.orig, "sqlstate", None) != LOCK_NOT_AVAILABLE:
                raise
            if attempt == LOCK_RETRIES:
                raise
            log.info("%s waited for ingest; retrying", what)
            time.sleep(0.2 * attempt)
    raise AssertionError("unreachable")
