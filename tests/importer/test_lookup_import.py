"""A leads export whose outcomes live in a second file, joined with a lookup."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from bot.services import Services
from storage.engine import session_scope
from storage.models import PipelineEntry
from tests.importer.conftest import dead_letters, event_ids, lead, run_import, write

LEADS = """
    id,email,first_contact,origin
    m1,ana@acme.io,2026-10-01,paid_search
    m2,bo@beta.io,2026-10-02,social
    m3,cy@gamma.io,2026-10-03,unknown
"""
WON = """
    id,won_at,account
    m1,2026-11-20 10:00:00,acme
    m3,2026-11-21 09:30:00,
"""
MAPPING = """
    columns:
      origin: {null_values: [unknown]}
    lookups:
      won: {file: data/won.csv, key: id}
    events:
      - type: lead.created
        id: "f-{id}-created"
        occurred_at: {column: first_contact, format: "%Y-%m-%d"}
        lead:
          email: {column: email, transform: lower}
          attributes: {origin: "{origin}"}
      - type: deal.updated
        id: "f-{id}-won"
        when: {lookup: won, found: true}
        occurred_at: {lookup: won, column: won_at, transform: {offset: {hours: -1}}}
        lead:
          email: {column: email, transform: lower}
          company: {lookup: won, column: account}
        deal: {stage: closed_won}
"""


def test_outcomes_in_a_second_file_are_joined_and_a_row_without_its_value_is_rejected(
    services: Services, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "data").mkdir()
    write(tmp_path, "leads.csv", LEADS)
    write(tmp_path, "data/won.csv", WON)
    write(tmp_path, "map.yml", MAPPING)

    result = run_import(services, monkeypatch, tmp_path, "leads.csv", "--mapping", "map.yml")

    assert result.exit_code == 0, result.output
    assert "3 rows, 5 events accepted, 0 duplicates, 0 rows rejected" in result.stdout
    assert event_ids(services) >= {"f-m1-won", "f-m3-won"}
    ana, bo, cy = (lead(services, e) for e in ("ana@acme.io", "bo@beta.io", "cy@gamma.io"))
    assert ana is not None and bo is not None and cy is not None
    assert (ana.company, ana.attributes) == ("acme", {"origin": "paid_search"})
    assert cy.attributes == {}  # "unknown" means missing in the origin column
    with session_scope(services.engine) as session:
        entries = list(session.scalars(select(PipelineEntry).order_by(PipelineEntry.lead_id)))
    assert [(e.lead_id, e.outcome, e.closed_at.isoformat()) for e in entries if e.closed_at] == [
        (ana.id, "won", "2026-11-20T09:00:00+00:00"),
        (cy.id, "won", "2026-11-21T08:30:00+00:00"),
    ]
    assert dead_letters(services) == []


def test_a_row_with_no_match_and_no_default_is_a_dead_letter_with_its_line(
    services: Services, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "data").mkdir()
    write(tmp_path, "leads.csv", LEADS)
    write(tmp_path, "data/won.csv", WON)
    write(
        tmp_path,
        "map.yml",
        MAPPING.replace("        when: {lookup: won, found: true}\n", ""),
    )

    result = run_import(services, monkeypatch, tmp_path, "leads.csv", "--mapping", "map.yml")

    assert result.exit_code == 0, result.output
    assert "1 rows rejected" in result.stdout or "1 row rejected" in result.stdout
    assert "line 3: occurred_at: lookup 'won': no row with id 'm2' in won.csv" in result.stdout
    assert [(d.position, d.error) for d in dead_letters(services)] == [
        ("line 3", "occurred_at: lookup 'won': no row with id 'm2' in won.csv")
    ]


def test_a_broken_lookup_stops_the_import_with_exit_2_and_every_problem(
    services: Services, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    write(tmp_path, "leads.csv", LEADS)
    write(tmp_path, "won.csv", "id,won_at\nm1,2026-11-20\nm1,2026-11-21\n")
    bad = MAPPING.replace("data/won.csv", "won.csv").replace(
        "transform: lower}\n          company", "transform: shout}\n          company"
    )
    write(tmp_path, "map.yml", bad)

    result = run_import(services, monkeypatch, tmp_path, "leads.csv", "--mapping", "map.yml")

    assert result.exit_code == 2
    assert "lookups.won.key: id is not unique in won.csv: 'm1' on lines 2 and 3" in result.output
    assert "events[1].lead.email: transform: 'shout' is not a step" in result.output
    assert event_ids(services) == set()
