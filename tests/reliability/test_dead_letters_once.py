"""A rejected row or event is kept once, however often it arrives.

Re-running an import used to store every rejected row again (253 → 506), and
a run cut short (kill -9) then re-run stored the rows it had reached twice.
Dead letters now carry a unique fingerprint (source, event id or row, payload).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from bot.server import create_server
from bot.services import Services
from storage.engine import session_scope
from storage.models import DeadLetter
from tests.conftest import INGEST_SECRET
from tests.importer.conftest import dead_letters, run_import, write
from tests.importer.test_bad_rows import MAPPING, _export
from tests.reliability.serve_process import serve_environment
from tests.support.events import activity, recent
from tests.support.ingest_client import signed
from tests.support.servers import running

REJECTED_ROWS = 23


def test_reimporting_a_file_keeps_each_rejected_row_once(
    services: Services, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    write(tmp_path, "map.yml", MAPPING)
    rows = _export().splitlines(keepends=True)
    write(tmp_path, "cut.csv", "".join(rows[:12]))  # a run killed part-way through
    write(tmp_path, "export.csv", "".join(rows))
    for name in ("cut.csv", "export.csv", "export.csv"):
        result = run_import(services, monkeypatch, tmp_path, name, "--mapping", "map.yml")
        assert result.exit_code == 0, result.output

    kept = dead_letters(services)
    assert len(kept) == REJECTED_ROWS
    assert len({letter.position for letter in kept}) == REJECTED_ROWS


@pytest.fixture
def served(services: Services) -> Iterator[str]:
    with running(create_server(services, workers=False).http) as url:
        yield url


def test_a_redelivered_rejected_event_is_kept_once(services: Services, served: str) -> None:
    bad = {**activity("ana@acme.io", "page_view", at=recent(1)), "id": "bad-1"}
    bad["occurred_at"] = "yesterday"
    other = {**bad, "id": "bad-2"}
    raw = json.dumps({"events": [bad, other]}).encode()
    with httpx.Client() as client:
        for _ in range(3):
            response = client.post(
                f"{served}/ingest", content=raw, headers=signed(raw, INGEST_SECRET)
            )
            assert response.status_code == 200
            assert len(response.json()["rejected"]) == 2, "still reported every time"
    assert sorted(letter.event_id or "" for letter in dead_letters(services)) == [
        "bad-1",
        "bad-2",
    ]


KILL_ROWS = 30_000
"""Fifteen chunks of 2,000 rows: enough for a kill to land after some chunks were stored."""


def _big_export(rows: int) -> str:
    lines = ["Lead ID,Email,Title,Visits,Stage"]
    for i in range(rows):
        if i % 10 == 3:
            lines.append(f"B{i},b{i}@bad.io,Analyst,lots,")
        else:
            lines.append(f"L{i},lead{i}@acme{i % 50}.io,VP Sales,1,")
    return "\n".join(lines) + "\n"


def _dead_letter_count(services: Services) -> int:
    with session_scope(services.engine) as session:
        return int(session.scalar(select(func.count()).select_from(DeadLetter)) or 0)


@pytest.mark.slow
def test_an_import_killed_part_way_then_rerun_keeps_each_rejected_row_once(
    services: Services, tmp_path: Path
) -> None:
    write(tmp_path, "map.yml", MAPPING)
    write(tmp_path, "export.csv", _big_export(KILL_ROWS))
    command = [sys.executable, "-m", "bot.cli.main", "import", "export.csv", "--mapping", "map.yml"]
    env = serve_environment(services.settings.database_url, "http://127.0.0.1:9/api/")
    first = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while _dead_letter_count(services) == 0 and first.poll() is None:
            assert time.monotonic() < deadline, "the import stored nothing in two minutes"
            time.sleep(0.05)
    finally:
        first.kill()  # SIGKILL: no clean-up runs
        first.wait()
    stored_before_the_kill = _dead_letter_count(services)
    assert stored_before_the_kill > 0

    rerun = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True)
    assert rerun.returncode == 0, rerun.stderr
    assert _dead_letter_count(services) == KILL_ROWS // 10
