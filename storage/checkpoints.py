"""Copying SQLite's write-ahead log into the database from a thread of its own.

SQLite checkpoints automatically inside the COMMIT that leaves the log at
1,000 pages or more, in the committing thread. With ``synchronous=NORMAL``
that checkpoint is the only step that waits for the disk (it syncs the log,
copies the pages, syncs the database), and the webhook sender waited for it
although the commit was already as durable as it gets in this mode. A batch
of 500 events dirties about as many pages as the threshold, so nearly every
batch paid for one.

While ``serve`` runs, this thread checkpoints instead, shortly after commits,
on its own connection: a PASSIVE checkpoint never blocks a writer or a reader,
and the sqlite3 module releases the GIL while it waits for the disk, so it
overlaps the next request. Commits still checkpoint themselves once the log
reaches ``backstop_pages`` (the log restarts from its beginning only when a
writer begins after a complete checkpoint, which a busy writer may not do):
that bounds the log if this thread falls behind or stops.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from typing import Any

from sqlalchemy import Engine, event

log = logging.getLogger(__name__)

BACKSTOP_PAGES = 10_000
"""Log size (pages; 40 MB at SQLite's 4 KiB) at which a commit checkpoints itself."""
_CONFIGURED = "leadscore.backstop"


class WalCheckpointer:
    """A worker (``start``/``stop``) that checkpoints a file SQLite database after commits.

    ``every`` is the shortest time between two checkpoints, so a stream of
    single-event commits costs a few syncs a second, not two per commit;
    ``idle`` is the longest, so writes from anywhere reach the database file.
    """

    def __init__(
        self,
        engine: Engine,
        *,
        every: float = 0.05,
        idle: float = 1.0,
        backstop_pages: int = BACKSTOP_PAGES,
    ) -> None:
        path = _database_file(engine)
        if path is None:
            raise ValueError("background checkpoints are for a SQLite database file")
        self.engine = engine
        self.path = path
        self.every = every
        self.idle = idle
        self.backstop_pages = backstop_pages
        self.checkpoints = 0
        """Checkpoints finished so far."""
        self._started = 0
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._done = threading.Condition()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stopping.clear()
        event.listen(self.engine, "checkin", self._after_use)
        self._thread = threading.Thread(target=self._run, name="wal-checkpoint", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop after one last checkpoint, so the database file holds every commit."""
        if self._thread is None:
            return
        event.remove(self.engine, "checkin", self._after_use)
        self._stopping.set()
        self._wake.set()
        self._thread.join(timeout=30)
        self._thread = None

    def flush(self, timeout: float = 10.0) -> bool:
        """Ask for a checkpoint and wait until one that started after the call has ended."""
        with self._done:
            target = self._started + 1  # the next to start; they run one after another
            self._wake.set()
            return self._done.wait_for(lambda: self.checkpoints >= target, timeout)

    def _after_use(self, dbapi_connection: Any, record: Any) -> None:
        """Pool checkin: a transaction just ended, so there may be pages to copy."""
        if dbapi_connection is not None and not record.info.get(_CONFIGURED):
            dbapi_connection.execute(f"PRAGMA wal_autocheckpoint={int(self.backstop_pages)}")
            record.info[_CONFIGURED] = True
        self._wake.set()

    def _run(self) -> None:
        connection = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        try:
            while not self._stopping.is_set():
                self._wake.wait(self.idle)
                self._wake.clear()
                self._checkpoint(connection)
                self._stopping.wait(self.every)
            self._checkpoint(connection)
        finally:
            connection.close()

    def _checkpoint(self, connection: sqlite3.Connection) -> None:
        with self._done:
            self._started += 1
        try:
            connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        except sqlite3.Error as exc:  # the database is being replaced or removed: try later
            log.warning("background checkpoint failed", extra={"error": str(exc)})
        with self._done:
            self.checkpoints += 1
            self._done.notify_all()


def background_checkpointer(engine: Engine) -> WalCheckpointer | None:
    """A checkpointer for a SQLite database file; None for PostgreSQL or an in-memory database."""
    return WalCheckpointer(engine) if _database_file(engine) is not None else None


def _database_file(engine: Engine) -> str | None:
    """The SQLite database file the engine opens; None if it opens no file of SQLite's."""
    path = engine.url.database
    if engine.dialect.name != "sqlite" or not path or path == ":memory:":
        return None
    return path
