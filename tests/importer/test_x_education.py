"""The real X Education export imports with the shipped mapping and keeps its conversion rate."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.importer import import_csv, load_mapping
from bot.rules_admin import apply_rules
from bot.services import Services
from storage.engine import session_scope
from storage.models import Lead, PipelineEntry
from tests.support.databases import in_ci

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
LEAKY = ("tags", "lead_quality", "lead_profile", "asymmetrique", "last_activity", "notable")


def shared_data() -> Path:
    return Path(os.environ.get("LEADSCORE_SHARED_DATA") or REPO / ".." / "shared" / "data")


def leads_csv() -> Path:
    path = shared_data() / "x-education-leads" / "Leads.csv"
    if not path.is_file():
        reason = f"real data not found at {path.resolve()} (set LEADSCORE_SHARED_DATA)"
        if in_ci():
            pytest.fail(reason + " (CI=true: real-data tests must run)")
        pytest.skip(reason)
    return path


@pytest.mark.slow
@pytest.mark.realdata
def test_x_education_imports_every_lead_with_its_outcome(sqlite_services: Services) -> None:
    path = leads_csv()
    rules = (EXAMPLES / "rules" / "x-education.yml").read_text()
    apply_rules(sqlite_services, text=rules, applied_by="tests")

    summary = import_csv(
        path,
        ingestor=sqlite_services.ingestor,
        mapping=load_mapping(EXAMPLES / "mappings" / "x-education.yml"),
    )

    assert (summary.rows, summary.rejected_rows, summary.duplicates) == (9_240, 0, 0)
    assert summary.alerts == 0
    with session_scope(sqlite_services.engine) as session:
        leads = session.scalar(select(func.count()).select_from(Lead))
        closed = session.scalar(select(func.count()).select_from(PipelineEntry))
        won = session.scalar(
            select(func.count()).select_from(PipelineEntry).where(PipelineEntry.outcome == "won")
        )
        attributes = {key for row in session.scalars(select(Lead.attributes)) for key in row}
    assert leads == closed == 9_240
    assert won == 3_561
    assert round(won / closed, 3) == 0.385
    assert not [key for key in attributes if any(word in key for word in LEAKY)]
    assert {"lead_origin", "lead_source", "occupation", "page_views_per_visit"} <= attributes
