"""The background checkpointer: commits reach the database file, and the log stays bounded."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from storage.checkpoints import WalCheckpointer, background_checkpointer
from storage.engine import make_engine, session_scope

PAGE = 4_096


@pytest.fixture
def database(tmp_path: Path) -> Path:
    return tmp_path / "leads.db"


@pytest.fixture
def engine(database: Path) -> Iterator[Engine]:
    built = make_engine(f"sqlite:///{database}")
    with session_scope(built) as session:
        session.execute(text("CREATE TABLE notes (id INTEGER PRIMARY KEY, body BLOB)"))
    raw = sqlite3.connect(database)  # the table itself into the file, to start from
    raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    raw.close()
    yield built
    built.dispose()


def write(engine: Engine, rows: int, *, size: int = 100) -> None:
    """One transaction adding ``rows`` rows of ``size`` bytes."""
    with session_scope(engine) as session:
        session.execute(
            text("INSERT INTO notes (body) VALUES (randomblob(:size))"),
            [{"size": size}] * rows,
        )


def rows_in_database_file(database: Path, scratch: Path) -> int:
    """Rows a copy of the database file holds without its log: what has been checkpointed."""
    copy = scratch / "copy.db"
    shutil.copyfile(database, copy)
    connection = sqlite3.connect(copy)
    try:
        return int(connection.execute("SELECT count(*) FROM notes").fetchone()[0])
    finally:
        connection.close()


def test_commits_reach_the_database_file_without_a_commit_checkpointing(
    engine: Engine, database: Path, tmp_path: Path
) -> None:
    write(engine, 10)
    assert rows_in_database_file(database, tmp_path) == 0  # SQLite waits for 1,000 pages

    checkpointer = WalCheckpointer(engine)
    checkpointer.start()
    try:
        write(engine, 10)
        assert checkpointer.flush()
        assert rows_in_database_file(database, tmp_path) == 20
    finally:
        checkpointer.stop()


def test_stopping_checkpoints_what_was_committed_last(
    engine: Engine, database: Path, tmp_path: Path
) -> None:
    checkpointer = WalCheckpointer(engine, idle=60)
    checkpointer.start()
    assert checkpointer.flush()
    write(engine, 7)
    checkpointer.stop()
    assert rows_in_database_file(database, tmp_path) == 7


def test_a_busy_writer_keeps_the_log_bounded(engine: Engine, database: Path) -> None:
    """Commits back to back leave the checkpointer no moment to restart the log: the
    backstop does, so the log never grows much past it.

    A commit's own checkpoint is skipped while the thread's is running, and the
    log restarts only at a writer that finds it fully copied, so it takes a few
    commits past the backstop (up to four of 40 runs here). Without the
    backstop, the log reaches about 6,900 pages, over five times this bound."""
    checkpointer = WalCheckpointer(engine, backstop_pages=300)
    checkpointer.start()
    try:
        for _ in range(60):
            write(engine, 100, size=PAGE)  # about a hundred pages per commit
    finally:
        checkpointer.stop()
    wal = database.with_name(database.name + "-wal")
    assert wal.stat().st_size <= (300 + 8 * 120) * (PAGE + 24)  # commits of ~115 pages


def test_only_a_sqlite_database_file_gets_one(database: Path) -> None:
    file_engine = make_engine(f"sqlite:///{database}")
    memory_engine = make_engine("sqlite://")
    postgres_engine = make_engine("postgresql+psycopg://postgres@127.0.0.1:5432/test")
    assert isinstance(background_checkpointer(file_engine), WalCheckpointer)
    assert background_checkpointer(memory_engine) is None
    assert background_checkpointer(postgres_engine) is None
    with pytest.raises(ValueError, match="SQLite database file"):
        WalCheckpointer(memory_engine)
