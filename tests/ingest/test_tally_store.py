"""Scores kept one event at a time are the scores the stored history explains (both databases).

The ingest path folds a lead's newest activities into its stored behaviour
tally instead of replaying its history; ``leadscore score`` explains a score
by replaying the history. An SDR comparing the two must never see them differ.
"""

from __future__ import annotations

from datetime import UTC, datetime

from freezegun import freeze_time
from sqlalchemy import insert, update

from bot.rules_admin import apply_rules
from bot.scorecard import build_score_card
from bot.services import Services
from storage.engine import session_scope
from storage.lookup import lead_by_email
from storage.models import Activity, Lead
from tests.conftest import FIXTURES
from tests.ingest.test_ingest_store import ingest, lead
from tests.support.events import activity, lead_created

NOW = "2026-11-25T12:00:00Z"
VISITS = [
    ("page_view", "/pricing", "2026-06-01T09:00:00Z"),
    ("demo_request", None, "2026-06-20T09:00:00Z"),
    ("page_view", "/pricing", "2026-08-15T09:00:00Z"),
    ("page_view", "/blog", "2026-08-15T09:00:00Z"),
    ("page_view", "/pricing", "2026-10-01T09:00:00Z"),
    ("page_view", "/pricing", "2026-11-24T09:00:00Z"),
]


def send_one_by_one(services: Services, visits: list[tuple[str, str | None, str]]) -> None:
    """Each visit of Ana's in a request of its own, as a CRM streams them."""
    for kind, url, at in visits:
        ingest(services, activity("ana@acme.io", kind, url=url, at=at))


def explained_score(services: Services, email: str) -> float:
    """The score ``leadscore score`` shows: a replay of the stored history at NOW."""
    with session_scope(services.engine) as session:
        stored = lead_by_email(session=session, email=email)
        assert stored is not None
        rules = services.ingestor.rulebook.active(session)
        now = datetime.fromisoformat(NOW)
        card = build_score_card(session=session, lead=stored, rules=rules, alert=None, now=now)
        return card.result.score


@freeze_time(NOW)
def test_a_lead_scored_event_by_event_has_the_score_its_history_explains(
    services: Services,
) -> None:
    ingest(services, lead_created("ana@acme.io", title="VP Sales", at="2026-05-01T00:00:00Z"))
    send_one_by_one(services, VISITS)
    stored = lead(services, "ana@acme.io")
    assert stored.behavior_tally is not None
    assert stored.score == explained_score(services, "ana@acme.io")
    # Pricing visits kept: the last three (Aug, Oct, Nov); the demo request decayed for months.
    assert 20 + 10 < stored.score < 20 + 30 + 50


@freeze_time(NOW)
def test_a_lead_stored_before_tallies_existed_is_scored_from_its_whole_history(
    services: Services,
) -> None:
    send_one_by_one(services, VISITS[:4])
    with session_scope(services.engine) as session:
        session.execute(update(Lead).values(behavior_tally=None))  # as migration 0003 leaves it
    send_one_by_one(services, VISITS[4:])
    stored = lead(services, "ana@acme.io")
    assert stored.behavior_tally is not None
    assert stored.score == explained_score(services, "ana@acme.io")
    assert stored.score > 30  # the demo request of June still counts, decayed


@freeze_time(NOW)
def test_after_a_rule_change_new_events_are_scored_under_the_new_rules(
    services: Services,
) -> None:
    send_one_by_one(services, VISITS[:3])
    # Blog reading now counts, in the place the pricing rule had.
    text = (
        (FIXTURES / "rules.yml")
        .read_text()
        .replace("url_contains: /pricing", "url_contains: /blog")
    )
    apply_rules(services, text=text, applied_by="tests")
    send_one_by_one(services, VISITS[3:])
    assert lead(services, "ana@acme.io").score == explained_score(services, "ana@acme.io")
    # A blog visit and the decayed demo request (~30); the old rules' three
    # pricing visits would have made it ~47.
    assert 25 < lead(services, "ana@acme.io").score < 35


@freeze_time(NOW)
def test_an_event_before_the_rescoring_reaches_its_lead_is_scored_under_the_new_rules(
    services: Services,
) -> None:
    send_one_by_one(services, VISITS[:3])
    before = lead(services, "ana@acme.io")
    text = (
        (FIXTURES / "rules.yml")
        .read_text()
        .replace("url_contains: /pricing", "url_contains: /blog")
    )
    apply_rules(services, text=text, applied_by="tests")
    with session_scope(services.engine) as session:  # as if another replica's rescoring lagged
        session.execute(
            update(Lead).values(
                behavior_tally=before.behavior_tally, rule_set_version=before.rule_set_version
            )
        )
    ingest(services, activity("ana@acme.io", "page_view", url="/blog", at=VISITS[3][2]))
    assert lead(services, "ana@acme.io").score == explained_score(services, "ana@acme.io")


@freeze_time(NOW)
def test_activities_stored_by_a_writer_that_keeps_no_tally_still_count(
    services: Services,
) -> None:
    """A replica of the release before the tally, during a rolling upgrade, stores activities
    and moves ``last_activity_at`` but leaves the tally as it was."""
    send_one_by_one(services, VISITS[:2])
    stored = lead(services, "ana@acme.io")
    older_release_at = datetime(2026, 8, 1, 9, tzinfo=UTC)
    with session_scope(services.engine) as session:
        session.execute(
            insert(Activity).values(
                lead_id=stored.id, event_id="by-old-release", kind="page_view",
                url="/pricing", properties={}, occurred_at=older_release_at,
            )
        )  # fmt: skip
        session.execute(update(Lead).values(last_activity_at=older_release_at))
    send_one_by_one(services, VISITS[2:])
    assert lead(services, "ana@acme.io").score == explained_score(services, "ana@acme.io")
