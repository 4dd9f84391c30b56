"""Bad rows are reported by line and kept as dead letters; good rows go in; nothing half-way."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.services import Services
from storage.engine import session_scope
from storage.lookup import lead_by_email
from tests.importer.conftest import dead_letters, event_ids, lead, run_import, write

MAPPING = """
    events:
      - type: lead.created
        id: "r-{Lead ID}-created"
        occurred_at: "2026-11-24T09:00:00Z"
        lead: {email: "{Email}", title: "{Title}"}
      - type: activity
        id: "r-{Lead ID}-visit-{n}"
        occurred_at: "2026-11-24T10:00:00Z"
        repeat: {column: Visits, max: 5}
        lead: {email: "{Email}"}
        activity: {kind: page_view, url: https://ex.com/pricing}
      - type: deal.updated
        id: "r-{Lead ID}-deal"
        occurred_at: "2026-11-25T09:00:00Z"
        when: {column: Stage, not_empty: true}
        lead: {email: "{Email}"}
        deal: {stage: {column: Stage, map: {Won: closed_won, Lost: closed_lost}}}
"""


def _export() -> str:
    lines = [
        "Lead ID,Email,Title,Visits,Stage",
        "L1,ana@acme.io,VP Sales,2,Won",
        "L2,not-an-email,Director,1,",
        "L3,cy@gamma.io,Director,3,Maybe",
        "L4,dee@delta.io,Engineer,0,Lost",
        "L5,ed@eps.io,CTO",
    ]
    lines += [f"B{i},b{i}@bad.io,Analyst,lots," for i in range(20)]
    lines.append("L6,fay@phi.io,Head of Sales,1,")
    return "\n".join(lines) + "\n"


@pytest.fixture
def imported(
    services: Services, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> tuple[Services, str]:
    write(tmp_path, "export.csv", _export())
    write(tmp_path, "map.yml", MAPPING)
    result = run_import(services, monkeypatch, tmp_path, "export.csv", "--mapping", "map.yml")
    assert result.exit_code == 0, result.output
    return services, result.stdout


def test_good_rows_go_in_and_bad_rows_are_listed_by_line(imported: tuple[Services, str]) -> None:
    services, output = imported
    assert "26 rows, 8 events accepted, 0 duplicates, 23 rows rejected" in output
    assert "line 3: lead.email: is not an email address" in output
    assert "line 4: deal.stage: Input should be 'opportunity', 'closed_won' or 'closed_lost'" in (
        output
    )
    assert "line 6: row has 3 fields, the header has 5" in output
    assert "line 7: repeat Visits: 'lots' is not a number" in output
    assert "line 23:" in output and "line 24:" not in output
    assert "... and 3 more, all kept in dead letters" in output
    assert event_ids(services) == {
        "r-L1-created",
        "r-L1-visit-1",
        "r-L1-visit-2",
        "r-L1-deal",
        "r-L4-created",
        "r-L4-deal",
        "r-L6-created",
        "r-L6-visit-1",
    }


def test_a_bad_row_leaves_nothing_behind(imported: tuple[Services, str]) -> None:
    services, _ = imported
    assert lead(services, "cy@gamma.io") is None
    assert not {e for e in event_ids(services) if e.startswith("r-L3")}
    assert lead(services, "ana@acme.io") is not None


def test_every_bad_row_is_kept_as_a_dead_letter(imported: tuple[Services, str]) -> None:
    services, _ = imported
    kept = dead_letters(services)
    assert len(kept) == 23
    assert {d.source for d in kept} == {"csv"}
    by_line = {d.position: d for d in kept}
    assert set(by_line) == {f"line {n}" for n in (3, 4, 6, *range(7, 27))}
    multi = by_line["line 4"]
    assert multi.error.startswith("deal.stage:")
    assert multi.event_id == "r-L3-deal"
    assert json.loads(multi.payload) == {
        "Lead ID": "L3",
        "Email": "cy@gamma.io",
        "Title": "Director",
        "Visits": "3",
        "Stage": "Maybe",
    }


def test_importing_again_counts_duplicates_and_changes_no_score(
    imported: tuple[Services, str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    services, _ = imported
    before = _leads(services)

    again = run_import(services, monkeypatch, tmp_path, "export.csv", "--mapping", "map.yml")

    assert again.exit_code == 0
    assert "26 rows, 0 events accepted, 8 duplicates, 23 rows rejected" in again.stdout
    assert _leads(services) == before


def _leads(services: Services) -> dict[str, tuple[object, ...]]:
    out = {}
    with session_scope(services.engine) as session:
        for email in ("ana@acme.io", "dee@delta.io", "fay@phi.io"):
            found = lead_by_email(session=session, email=email)
            assert found is not None
            out[email] = (found.score, found.fit, found.behavior, found.scored_at, found.deal_stage)
    return out
