"""Line numbers a person can find in an editor, and mapping mistakes caught before importing."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.importer import CsvSource
from bot.services import Services
from tests.importer.conftest import dead_letters, event_ids, lead, run_import, write

MULTILINE = (
    "id,type,occurred_at,email,attributes.note\n"
    'm-1,lead.created,2026-11-20T10:00:00Z,ana@acme.io,"first line\n'
    "second line\n"
    'third line"\n'
    "m-2,lead.created,2026-11-20T10:00:00Z,broken,plain\n"
    "\n"
    'm-3,lead.created,2026-11-20T10:00:00Z,bo@beta.io,"a ""quoted"", word"\n'
    'm-4,lead.created,yesterday,cy@gamma.io,"two\n'
    'lines"\n'
    "m-5,lead.created,2026-11-20T10:00:00Z,dee@delta.io,\n"
)


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_rows_are_numbered_by_the_line_they_start_on(tmp_path: Path, newline: str) -> None:
    path = write(tmp_path, "notes.csv", MULTILINE.replace("\n", newline))
    with CsvSource(path) as source:
        assert source.header_line == 1
        assert [(line, row[0]) for line, row in source.rows()] == [
            (2, "m-1"),
            (5, "m-2"),
            (7, "m-3"),
            (8, "m-4"),
            (10, "m-5"),
        ]


def test_reported_lines_follow_multi_line_quoted_fields(
    sqlite_services: Services, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    write(tmp_path, "notes.csv", MULTILINE)

    result = run_import(sqlite_services, monkeypatch, tmp_path, "notes.csv")

    assert result.exit_code == 0
    assert "5 rows, 3 events accepted, 0 duplicates, 2 rows rejected" in result.stdout
    assert "line 5: lead.email: is not an email address" in result.stdout
    assert "line 8: occurred_at:" in result.stdout
    assert [d.position for d in dead_letters(sqlite_services)] == ["line 5", "line 8"]
    ana = lead(sqlite_services, "ana@acme.io")
    assert ana is not None and ana.attributes == {"note": "first line\nsecond line\nthird line"}
    bo = lead(sqlite_services, "bo@beta.io")
    assert bo is not None and bo.attributes == {"note": 'a "quoted", word'}


def test_an_unknown_column_in_the_mapping_stops_before_importing(
    sqlite_services: Services, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    write(tmp_path, "export.csv", "Lead ID,Email\nL1,ana@acme.io\n")
    write(
        tmp_path,
        "map.yml",
        """
        events:
          - type: lead.created
            id: "x-{Lead ID}"
            occurred_at: "2026-11-24T10:00:00Z"
            lead: {email: "{Emial}"}
        """,
    )

    result = run_import(
        sqlite_services, monkeypatch, tmp_path, "export.csv", "--mapping", "map.yml"
    )

    assert result.exit_code == 2
    assert "map.yml: the mapping does not fit, nothing imported" in result.stderr
    assert "events[0].lead.email: no column 'Emial' in the CSV header" in result.stderr
    assert "the CSV header has: 'Lead ID', 'Email'" in result.stderr
    assert "Traceback" not in result.output
    assert event_ids(sqlite_services) == set()


def test_a_malformed_mapping_lists_every_problem(
    sqlite_services: Services, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    write(tmp_path, "export.csv", "Lead ID,Email\nL1,ana@acme.io\n")
    write(tmp_path, "map.yml", "events:\n  - type: activity\n    lead: {email: '{Email}'}\n")

    result = run_import(
        sqlite_services, monkeypatch, tmp_path, "export.csv", "--mapping", "map.yml"
    )

    assert result.exit_code == 2
    for problem in (
        "events[0].id: required",
        "events[0].occurred_at: required",
        "events[0].activity: required",
    ):
        assert problem in result.stderr
    write(tmp_path, "broken.yml", "events: [unclosed\n")
    broken = run_import(
        sqlite_services, monkeypatch, tmp_path, "export.csv", "--mapping", "broken.yml"
    )
    assert broken.exit_code == 2
    assert "not valid YAML" in broken.stderr


def test_a_row_in_the_wrong_encoding_is_rejected_with_its_line(
    sqlite_services: Services, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    good = "e-1,lead.created,2026-11-20T10:00:00Z,ana@acme.io,Ana\n"
    data = ("id,type,occurred_at,email,name\n" + good).encode() + (
        "e-2,lead.created,2026-11-20T10:00:00Z,jo@acme.io,Jos\xe9\n".encode("latin-1")
    )
    (tmp_path / "latin.csv").write_bytes(data)

    result = run_import(sqlite_services, monkeypatch, tmp_path, "latin.csv")

    assert result.exit_code == 0
    assert "2 rows, 1 events accepted, 0 duplicates, 1 rows rejected" in result.stdout
    assert "line 3: b'Jos\\xe9' is not utf-8-sig text; set `encoding:`" in result.stdout
    assert "Jos\\udce9" in dead_letters(sqlite_services)[0].payload
