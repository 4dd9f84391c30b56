"""Large files are read in a second process: the import must come out exactly the same.

``bot.importer.prefetch`` reads and maps a large file in a child process
while this one stores it. Everything a user sees (counts, bad lines, dead
letters, scores, an early stop) must equal the one-process import, and a
reader that dies, or an importer that is killed, must not lose or strand
anything.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

import bot.importer.import_loop as run
import bot.importer.prefetch as prefetch
from bot.importer import ImportSummary, import_csv
from bot.services import Services
from bot.slack_emulator import SlackEmulator
from storage.engine import session_scope
from storage.models import DeadLetter, EventRecord, Lead
from tests.conftest import make_services, make_settings
from tests.support.databases import sqlite_url

HEADER = "id,type,occurred_at,email,title,company_size,activity_kind,activity_url,attributes.note"


def _mixed_export(leads: int) -> str:
    """Good rows, bad rows, a multi-line field, and (last) a line the CSV reader cannot read."""
    lines = [HEADER]
    for n in range(leads):
        lines.append(f"c{n},lead.created,2026-11-20T10:00:00Z,l{n}@acme.io,VP Sales,250,,,")
        lines.append(f"v{n},activity,2026-11-21T10:00:00Z,l{n}@acme.io,,,page_view,/pricing,")
        if n % 7 == 3:
            lines.append(f"x{n},activity,yesterday,l{n}@acme.io,,,page_view,/pricing,")
        if n % 11 == 5:
            lines.append(f"y{n},lead.updated,2026-11-22T10:00:00Z,l{n}@acme.io,CTO")
        if n % 13 == 0:
            lines.append(f'n{n},lead.updated,2026-11-22T10:00:00Z,l{n}@acme.io,,,,,"two\nlines"')
    return "\n".join(lines) + "\n"


def _import(services: Services, path: Path, *, prefetched: bool, **options: Any) -> ImportSummary:
    """Import with the reading process forced on or off."""
    previous = run.PREFETCH_FROM_BYTES
    run.PREFETCH_FROM_BYTES = 0 if prefetched else 1 << 62
    try:
        return import_csv(path, ingestor=services.ingestor, **options)
    finally:
        run.PREFETCH_FROM_BYTES = previous


def _stored(services: Services) -> dict[str, Any]:
    with session_scope(services.engine) as session:
        return {
            "events": sorted(session.scalars(select(EventRecord.event_id))),
            "dead": [
                (d.position, d.event_id, d.error, d.payload)
                for d in session.scalars(select(DeadLetter).order_by(DeadLetter.id))
            ],
            "leads": sorted(
                (lead.email, lead.title, lead.score, lead.attributes)
                for lead in session.scalars(select(Lead))
            ),
        }


@pytest.fixture
def export(tmp_path: Path) -> Path:
    path = tmp_path / "export.csv"
    too_big = "z" * 200_000  # beyond the csv module's field limit: reading stops there
    path.write_text(_mixed_export(60) + f"z1,lead.created,2026-11-20T10:00:00Z,z@z.io,{too_big}\n")
    return path


@pytest.fixture
def large_export(tmp_path: Path) -> Path:
    """Enough chunks (of 50 rows) for something to go wrong part-way through."""
    path = tmp_path / "large.csv"
    path.write_text(_mixed_export(3_000))
    return path


@pytest.fixture
def one_process(tmp_path: Path, emulator: SlackEmulator) -> Iterator[Services]:
    """A second SQLite database, for the same import done in one process."""
    (tmp_path / "one").mkdir()
    built = make_services(make_settings(sqlite_url(tmp_path / "one"), emulator), emulator)
    yield built
    built.engine.dispose()


def test_a_file_read_by_a_second_process_imports_exactly_as_in_one_process(
    services: Services, one_process: Services, export: Path
) -> None:
    for target in (services, one_process):  # the same moment for decay in both
        target.ingestor.clock = lambda: datetime(2026, 11, 30, 12, tzinfo=UTC)
    shown: dict[bool, list[tuple[int, int]]] = {True: [], False: []}
    summaries = {
        prefetched: _import(
            target,
            export,
            prefetched=prefetched,
            chunk_rows=17,
            progress=lambda done, total, into=shown[prefetched]: into.append((done, total)),
        )
        for prefetched, target in ((True, services), (False, one_process))
    }

    assert summaries[True] == summaries[False]
    summary = summaries[True]
    assert summary.rows == 60 * 2 + 9 + 5 + 5
    assert summary.rejected_rows == 9 + 5  # the bad dates, and the short lead.updated rows
    assert summary.bad_rows[0].reason.startswith("occurred_at:")
    assert summary.stopped is not None and "field larger than field limit" in summary.stopped
    assert shown[True] == shown[False] and len(shown[True]) > 5
    assert _stored(services) == _stored(one_process)


class _Children:
    """Records the reading processes ``prefetch`` starts."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.started: list[subprocess.Popen[bytes]] = []
        real = subprocess.Popen

        def popen(*args: Any, **kwargs: Any) -> subprocess.Popen[bytes]:
            child = real(*args, **kwargs)
            self.started.append(child)
            return child

        monkeypatch.setattr(prefetch.subprocess, "Popen", popen)


@pytest.mark.slow
def test_a_reader_that_dies_stops_the_import_and_keeps_what_was_stored(
    services: Services, large_export: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    children = _Children(monkeypatch)

    def kill_reader(done: int, total: int) -> None:
        reader = children.started[0]
        if reader.poll() is None:
            reader.send_signal(signal.SIGKILL)
            reader.wait()

    first = _import(services, large_export, prefetched=True, chunk_rows=50, progress=kill_reader)

    assert first.stopped == "the process reading the file ended unexpectedly (exit code -9)"
    assert 0 < first.accepted < 6_000
    assert len(_stored(services)["events"]) == first.accepted
    again = _import(services, large_export, prefetched=False)
    assert again.stopped is None
    assert again.duplicates == first.accepted
    assert again.accepted + first.accepted == len(_stored(services)["events"])


@pytest.mark.slow
def test_a_chunk_damaged_in_transit_stops_the_import_and_stores_none_of_it(
    services: Services, large_export: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    children = _Children(monkeypatch)
    read = prefetch._read_frame
    frames = 0

    class FlipsAByteOfTheThirdFrame:
        """The pipe as the importing process reads it, one byte of the third body changed."""

        def __init__(self, stream: Any) -> None:
            self.stream, self.reads = stream, 0

        def read(self, size: int) -> bytes:
            data: bytes = self.stream.read(size)
            self.reads += 1
            if self.reads == 2 and frames == 3:  # each frame: its head, then its body
                middle = len(data) // 2
                data = data[:middle] + bytes([data[middle] ^ 0x01]) + data[middle + 1 :]
            return data

    def read_damaged(stream: Any) -> bytes | None:
        nonlocal frames
        frames += 1
        return read(FlipsAByteOfTheThirdFrame(stream))

    monkeypatch.setattr(prefetch, "_read_frame", read_damaged)

    first = _import(services, large_export, prefetched=True, chunk_rows=50)

    assert first.stopped is not None and first.stopped.startswith(prefetch.DAMAGED)
    assert first.rows == first.accepted + first.rejected_rows == 100  # two chunks of 50 rows
    assert len(_stored(services)["events"]) == first.accepted
    assert children.started[0].poll() is not None  # the reading process did not outlive it
    again = _import(services, large_export, prefetched=False)
    assert again.stopped is None and again.duplicates == first.accepted


IMPORTER = textwrap.dedent(
    """
    import os, sys, time
    from pathlib import Path
    import bot.importer.import_loop as run
    from bot.importer import import_csv
    from bot.rules_admin import apply_rules
    from bot.runtime import open_services
    from bot.settings import Settings
    from scoring.rule_file import bundled_rules_text

    settings = Settings(_env_file=None, slack_bot_token="xoxb-x", slack_signing_secret="s",
                        slack_api_url="http://127.0.0.1:9/api/", database_url=sys.argv[2])
    services = open_services(settings)
    apply_rules(services, text=bundled_rules_text(), applied_by="test")
    run.PREFETCH_FROM_BYTES = 0

    def hang(done, total):
        me = os.getpid()
        print(open(f"/proc/{me}/task/{me}/children").read().strip(), flush=True)
        time.sleep(120)

    import_csv(Path(sys.argv[1]), ingestor=services.ingestor, chunk_rows=50, progress=hang)
    """
)


@pytest.mark.slow
def test_the_reader_exits_when_the_importing_process_is_killed(
    tmp_path: Path, large_export: Path
) -> None:
    importer = subprocess.Popen(
        [sys.executable, "-c", IMPORTER, str(large_export), f"sqlite:///{tmp_path / 'db.sqlite'}"],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).parents[2],
    )
    assert importer.stdout is not None
    reader = int(importer.stdout.readline().split()[0])

    importer.send_signal(signal.SIGKILL)
    importer.wait()

    deadline = time.monotonic() + 20
    while _running(reader):
        assert time.monotonic() < deadline, "the reading process outlived its importer"
        time.sleep(0.05)


def _running(pid: int) -> bool:
    """Whether ``pid`` is alive and not a zombie waiting to be reaped."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False
