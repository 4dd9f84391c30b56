"""Replicas started together on an empty database: every one comes up, the schema once.

Without a lock two ``serve`` processes both saw no ``alembic_version`` and one
died with ``UniqueViolation``. Each upgrade here runs in its own forked process (as a separate
replica would), all released at the same instant.
"""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import text

from storage.engine import make_engine
from storage.schema import upgrade
from tests.support.databases import postgres_schema_url

REPLICAS = 6


@pytest.fixture
def empty_postgres() -> Iterator[str]:
    yield from postgres_schema_url()


def _replica(url: str, start: Any, failures: Any) -> None:
    engine = make_engine(url)
    start.wait()
    try:
        upgrade(engine)
    except Exception as error:  # reported to the test, which fails on it
        failures.put(f"{type(error).__name__}: {error}"[:500])
    finally:
        engine.dispose()


def _upgrade_together(url: str, replicas: int) -> list[str]:
    """``replicas`` processes (forked, as separate ``serve`` processes) upgrade at once."""
    forked = multiprocessing.get_context("fork")
    start = forked.Barrier(replicas)
    failures = forked.Queue()
    processes = [
        forked.Process(target=_replica, args=(url, start, failures)) for _ in range(replicas)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join()
    found = [failures.get() for _ in range(failures.qsize())]
    crashed = [p.exitcode for p in processes if p.exitcode != 0]
    return found + [f"exit code {code}" for code in crashed]


@pytest.mark.postgres
def test_replicas_upgrading_an_empty_postgres_schema_together_all_succeed(
    empty_postgres: str,
) -> None:
    assert _upgrade_together(empty_postgres, REPLICAS) == []
    engine = make_engine(empty_postgres)
    with engine.connect() as connection:
        versions = connection.execute(text("SELECT version_num FROM alembic_version")).all()
        assert len(versions) == 1
        assert connection.execute(text("SELECT count(*) FROM leads")).scalar() == 0
    engine.dispose()


@pytest.mark.postgres
def test_upgrades_of_different_schemas_do_not_wait_for_each_other() -> None:
    schemas = [postgres_schema_url() for _ in range(3)]
    urls = [next(schema) for schema in schemas]
    try:
        results: list[list[str]] = []
        threads = [
            threading.Thread(target=lambda u=url: results.append(_upgrade_together(u, 2)))
            for url in urls
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert results == [[], [], []]
    finally:
        for schema in schemas:
            next(schema, None)
