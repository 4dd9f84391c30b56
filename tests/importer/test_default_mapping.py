"""A CSV whose columns are named after the contract imports without any mapping file."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.services import Services
from tests.importer.conftest import activities, event_ids, lead, run_import, write

CONTRACT_CSV = "\n".join(
    [
        "id,type,occurred_at,email,name,title,company,company_size,industry,country,region,"
        "activity_kind,activity_url,deal_stage,deal_amount,attributes.source",
        "c-1,lead.created,2026-11-20T10:00:00Z,Ana@Acme.io ,Ana Ruiz,VP Sales,Acme,250,SaaS,DE,"
        "EMEA,,,,,webinar",
        "c-2,activity,2026-11-21T10:00:00+01:00,ana@acme.io,,,,,,,,page_view,"
        "https://ex.com/pricing,,,",
        "c-3,deal.updated,2026-11-22T10:00:00Z,ana@acme.io,,,,,,,,,,opportunity,12000,",
        "c-4,activity,2026-11-23T08:00:00Z,bo@beta.io,,,,,,,,demo_request,,,,",
        "",
    ]
)


def test_contract_columns_import_leads_activities_and_deals(
    services: Services, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = write(tmp_path, "crm.csv", CONTRACT_CSV)

    result = run_import(services, monkeypatch, tmp_path, str(path))

    assert result.exit_code == 0, result.output
    assert "4 rows, 4 events accepted, 0 duplicates, 0 rows rejected" in result.stdout
    assert event_ids(services) == {"c-1", "c-2", "c-3", "c-4"}
    ana = lead(services, "ana@acme.io")
    assert ana is not None
    assert (ana.name, ana.title, ana.company, ana.company_size) == (
        "Ana Ruiz",
        "VP Sales",
        "Acme",
        250,
    )
    assert (ana.industry, ana.country, ana.region) == ("SaaS", "DE", "EMEA")
    assert ana.attributes == {"source": "webinar"}
    assert ana.fit == 20 + 15
    assert ana.behavior_decaying == 10
    assert ana.deal_stage == "opportunity"
    visit = next(a for a in activities(services) if a.event_id == "c-2")
    assert visit.url == "https://ex.com/pricing"
    assert visit.occurred_at.isoformat() == "2026-11-21T09:00:00+00:00"
    bo = lead(services, "bo@beta.io")
    assert bo is not None and bo.behavior_decaying == 50


def test_a_backfill_does_not_alert_unless_asked(
    sqlite_services: Services, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    hot = """
        id,type,occurred_at,email,title,company_size,activity_kind
        h-1,activity,2026-11-25T09:00:00Z,vp@acme.io,VP Sales,250,demo_request
        h-2,activity,2026-11-25T09:00:00Z,cto@beta.io,VP Eng,300,demo_request
    """
    path = write(tmp_path, "hot.csv", hot)
    quiet = run_import(sqlite_services, monkeypatch, tmp_path, str(path))
    assert quiet.exit_code == 0
    assert "alerts" not in quiet.stdout

    write(tmp_path, "hot2.csv", hot.replace("h-", "k-").replace("acme", "gamma"))
    loud = run_import(sqlite_services, monkeypatch, tmp_path, "hot2.csv", "--alert")

    assert loud.exit_code == 0
    assert "1 hot-lead alert queued" in loud.stdout


def test_a_file_without_the_required_columns_is_refused(
    sqlite_services: Services, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = write(tmp_path, "leads.csv", "Email,Name\nana@acme.io,Ana\n")

    result = run_import(sqlite_services, monkeypatch, tmp_path, str(path))

    assert result.exit_code == 2
    assert "no column 'id', 'type', 'occurred_at', 'email'" in result.stderr
    assert "--mapping" in result.stderr
    assert event_ids(sqlite_services) == set()


def test_a_missing_or_empty_file_is_one_clear_line(
    sqlite_services: Services, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    write(tmp_path, "empty.csv", "")
    missing = run_import(sqlite_services, monkeypatch, tmp_path, "nope.csv")
    empty = run_import(sqlite_services, monkeypatch, tmp_path, "empty.csv")
    assert missing.exit_code == empty.exit_code == 2
    assert "cannot read nope.csv" in missing.stderr
    assert "empty" in empty.stderr and "header" in empty.stderr
    assert "Traceback" not in missing.output + empty.output
