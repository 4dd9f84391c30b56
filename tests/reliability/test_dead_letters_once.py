"""A rejected row or event is kept once, however often it arrives.

Re-running an import used to store every rejected row again (253 → 506), and
a run cut short (kill -9) then re-run stored the rows it had reached twice.
Dead letters now carry a unique fingerprint (source, event id or row, payload).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bot.server import create_server
from bot.services import Services
from tests.conftest import INGEST_SECRET
from tests.importer.conftest import dead_letters, run_import, write
from tests.importer.test_bad_rows import MAPPING, _export
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
