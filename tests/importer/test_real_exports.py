"""The shipped mappings import the real UCI Bank Marketing and Olist exports as a user would."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.importer import Mapping, import_csv, load_mapping, parse_mapping
from bot.rules_admin import apply_rules
from bot.services import Services
from storage.engine import session_scope
from storage.lookup import lead_by_email
from storage.models import DeadLetter, Lead, PipelineEntry
from tests.support.realdata import bank_full_csv, olist_leads_csv

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def outcomes(services: Services) -> dict[str | None, int]:
    with session_scope(services.engine) as session:
        rows = session.execute(
            select(PipelineEntry.outcome, func.count()).group_by(PipelineEntry.outcome)
        )
        return {outcome: count for outcome, count in rows}


def count(services: Services, model: type) -> int:
    with session_scope(services.engine) as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def olist_mapping(path: Path, text: str | None = None) -> Mapping:
    """The shipped mapping, its lookup file found beside the data (where a user puts it)."""
    text = text or (EXAMPLES / "mappings" / "olist-marketing-funnel.yml").read_text()
    return parse_mapping(text, base=path.parent)


@pytest.mark.realdata
@pytest.mark.slow
def test_bank_full_imports_every_call_with_its_answer(sqlite_services: Services) -> None:
    path = bank_full_csv()
    rules = (EXAMPLES / "rules" / "uci-bank-marketing.yml").read_text()
    apply_rules(sqlite_services, text=rules, applied_by="tests")

    summary = import_csv(
        path,
        ingestor=sqlite_services.ingestor,
        mapping=load_mapping(EXAMPLES / "mappings" / "uci-bank-marketing.yml"),
    )

    assert (summary.rows, summary.rejected_rows, summary.duplicates) == (45_211, 0, 0)
    assert summary.accepted == 2 * 45_211
    assert count(sqlite_services, Lead) == 45_211  # one client per row, though no id column
    assert outcomes(sqlite_services) == {"won": 5_289, "lost": 39_922}
    with session_scope(sqlite_services.engine) as session:
        attributes = {key for row in session.scalars(select(Lead.attributes)) for key in row}
        unknown_outcome = session.scalar(
            select(func.count())
            .select_from(Lead)
            .where(Lead.attributes["previous_outcome"].as_string() == "unknown")
        )
    assert "duration" not in " ".join(attributes)  # the leaky call length stays out
    assert {"job", "balance_eur", "previous_outcome", "housing_loan"} <= attributes
    assert unknown_outcome == 0  # "unknown" is missing in that column, not a value


@pytest.mark.realdata
def test_olist_joins_the_closed_deals_file_for_wins_and_losses(sqlite_services: Services) -> None:
    path = olist_leads_csv()
    rules = (EXAMPLES / "rules" / "olist-marketing-funnel.yml").read_text()
    apply_rules(sqlite_services, text=rules, applied_by="tests")
    mapping = olist_mapping(path)

    summary = import_csv(path, ingestor=sqlite_services.ingestor, mapping=mapping)

    assert (summary.rows, summary.rejected_rows, summary.accepted) == (8_000, 0, 16_000)
    assert count(sqlite_services, Lead) == 8_000
    assert outcomes(sqlite_services) == {"won": 842, "lost": 7_158}
    with session_scope(sqlite_services.engine) as session:
        email = "mql-5420aad7fec3549a85876ba1c529bd84@olist.example"
        lead = lead_by_email(session=session, email=email)
        assert lead is not None
        entry = session.scalars(select(PipelineEntry).where(PipelineEntry.lead_id == lead.id)).one()
    assert (entry.outcome, entry.closed_at.isoformat()) == ("won", "2018-02-26T19:58:54+00:00")
    again = import_csv(path, ingestor=sqlite_services.ingestor, mapping=mapping)
    assert (again.accepted, again.duplicates) == (0, 16_000)  # a re-run changes nothing
    assert outcomes(sqlite_services) == {"won": 842, "lost": 7_158}


@pytest.mark.realdata
def test_olist_without_the_found_condition_rejects_each_lead_missing_from_closed_deals(
    sqlite_services: Services,
) -> None:
    path = olist_leads_csv()
    text = (EXAMPLES / "mappings" / "olist-marketing-funnel.yml").read_text()
    forgetful = text.replace("    when: {lookup: won, found: true}\n", "")

    summary = import_csv(
        path, ingestor=sqlite_services.ingestor, mapping=olist_mapping(path, forgetful)
    )

    assert (summary.rows, summary.rejected_rows) == (8_000, 7_158)
    first = summary.bad_rows[0]
    assert first.line == 2
    assert first.reason == (
        "occurred_at: lookup 'won': no row with mql_id 'dac32acd4db4c29c230538b72f8dd87d' "
        "in olist_closed_deals_dataset.csv"
    )
    assert count(sqlite_services, DeadLetter) == 7_158
    assert outcomes(sqlite_services) == {"won": 842}
