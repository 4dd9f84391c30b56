"""A product team points Segment's own Python library at leadscore and sees leads scored."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from segment.analytics.request import APIError

from storage.activities import history
from storage.engine import session_scope
from storage.lookup import lead_by_email
from storage.models import Account, Lead
from storage.segment import count_pending
from tests.conftest import INGEST_SECRET
from tests.segment.conftest import Served
from tests.support.events import activity, recent
from tests.support.ingest_client import post_events


def _lead(served: Served, email: str) -> Lead | None:
    with session_scope(served.services.engine) as session:
        lead = lead_by_email(session=session, email=email)
        if lead is not None:
            session.expunge(lead)
        return lead


def _account_key(served: Served, lead: Lead) -> str | None:
    with session_scope(served.services.engine) as session:
        account = session.get(Account, lead.account_id) if lead.account_id else None
        return account.key if account else None


def _kinds(served: Served, email: str) -> list[str]:
    lead = _lead(served, email)
    assert lead is not None and lead.id is not None
    with session_scope(served.services.engine) as session:
        return sorted(r.kind for r in history(session=session, lead_ids=[lead.id])[lead.id])


def _pending(served: Served) -> int:
    with session_scope(served.services.engine) as session:
        return count_pending(session=session)


def _days_ago(days: float) -> datetime:
    return datetime.now(UTC) - timedelta(days=days)


def test_identify_track_and_page_make_a_scored_lead(served: Served) -> None:
    analytics = served.analytics()
    analytics.identify(
        "user-1",
        {
            "email": "Ana@Acme.io",
            "firstName": "Ana",
            "lastName": "Ruiz",
            "title": "VP Sales",
            "company": {"name": "Acme", "employee_count": 250, "industry": "SaaS", "plan": "pro"},
            "address": {"country": "DE", "city": "Berlin"},
            "plan": "trial",
        },
    )
    analytics.track("user-1", "Demo Request", {"source": "pricing"})
    analytics.page("user-1", "Pricing", properties={"url": "https://ex.com/pricing"})

    lead = _lead(served, "ana@acme.io")
    assert lead is not None
    assert (lead.name, lead.title, lead.company) == ("Ana Ruiz", "VP Sales", "Acme")
    assert (lead.company_size, lead.industry, lead.country) == (250, "SaaS", "DE")
    assert lead.attributes == {"company.plan": "pro", "address.city": "Berlin", "plan": "trial"}
    assert lead.score == 20 + 15 + 50 + 10
    assert _kinds(served, "ana@acme.io") == ["demo_request", "page_view"]


def test_event_names_become_snake_case_kinds(served: Served) -> None:
    analytics = served.analytics()
    analytics.identify("user-2", {"email": "bo@beta.io"})
    analytics.track("user-2", "Demo Requested")
    analytics.track("user-2", "webinarAttended")
    assert _kinds(served, "bo@beta.io") == ["demo_requested", "webinar_attended"]


def test_a_resent_message_counts_once_and_never_clashes_with_ingest_ids(served: Served) -> None:
    analytics = served.analytics()
    analytics.identify("user-3", {"email": "cy@gamma.io"})
    for _ in range(3):
        analytics.track("user-3", "Demo Request", message_id="m-1")
    assert _lead(served, "cy@gamma.io").score == 50  # type: ignore[union-attr]
    with httpx.Client(timeout=10) as client:
        same_id = activity("cy@gamma.io", event_id="m-1", url="https://x.io/pricing", at=recent(1))
        answer = post_events(client, served.url, [same_id], INGEST_SECRET).json()
    assert answer["accepted"] == 1
    assert _lead(served, "cy@gamma.io").score == 60  # type: ignore[union-attr]
    with httpx.Client(timeout=10) as client:
        taken = activity("cy@gamma.io", event_id="segment:m-1", at=recent(1))
        answer = post_events(client, served.url, [taken], INGEST_SECRET).json()
    assert "Segment API" in answer["rejected"][0]["error"]


def test_anonymous_history_counts_at_its_own_times_once_identified(served: Served) -> None:
    analytics = served.analytics()
    times = {"demo": _days_ago(60), "pricing": _days_ago(40), "again": _days_ago(10)}
    analytics.track(anonymous_id="anon-1", event="Demo Request", timestamp=times["demo"])
    for key in ("pricing", "again"):
        pricing = {"url": "https://ex.com/pricing"}
        analytics.page(anonymous_id="anon-1", properties=pricing, timestamp=times[key])
    assert _pending(served) == 3
    assert _lead(served, "dee@delta.io") is None

    analytics.identify("user-4", {"email": "dee@delta.io"}, anonymous_id="anon-1")

    # the same history sent with emails through /ingest, as the reference
    reference = [
        activity("ref@delta.io", "demo_request", at=times["demo"].isoformat()),
        activity("ref@delta.io", url="https://ex.com/pricing", at=times["pricing"].isoformat()),
        activity("ref@delta.io", url="https://ex.com/pricing", at=times["again"].isoformat()),
    ]
    with httpx.Client(timeout=10) as client:
        post_events(client, served.url, reference, INGEST_SECRET)
    lead, expected = _lead(served, "dee@delta.io"), _lead(served, "ref@delta.io")
    assert lead is not None and expected is not None
    assert _pending(served) == 0
    assert lead.behavior == pytest.approx(expected.behavior, abs=0.05)
    assert 0 < lead.behavior < 50 + 20  # decayed: the points count at their own times
    assert lead.last_activity_at is not None
    assert abs(lead.last_activity_at - times["again"]) < timedelta(minutes=1)


def test_a_user_id_without_email_waits_for_its_identify(served: Served) -> None:
    analytics = served.analytics()
    analytics.track("user-5", "Demo Request")
    assert _pending(served) == 1
    analytics.identify("user-5", {"email": "eve@eps.io"})
    assert _lead(served, "eve@eps.io").score == 50  # type: ignore[union-attr]
    assert _pending(served) == 0


def test_an_anonymous_id_seen_with_a_user_follows_that_users_email(served: Served) -> None:
    analytics = served.analytics()
    analytics.page(anonymous_id="anon-6", properties={"url": "https://ex.com/pricing"})
    analytics.track("user-6", "Demo Request", anonymous_id="anon-6")  # both ids, no email yet
    assert _pending(served) == 2
    analytics.identify("user-6", {"email": "fay@phi.io"})
    assert _lead(served, "fay@phi.io").score == 60  # type: ignore[union-attr]
    analytics.page(anonymous_id="anon-6", properties={"url": "https://ex.com/pricing"})
    assert _lead(served, "fay@phi.io").score == 70  # type: ignore[union-attr]
    assert _pending(served) == 0


def test_alias_links_the_anonymous_history_to_the_user(served: Served) -> None:
    analytics = served.analytics()
    analytics.track(anonymous_id="anon-7", event="Demo Request")
    analytics.alias("anon-7", "user-7")
    analytics.identify("user-7", {"email": "gus@gamma.io"})
    assert _lead(served, "gus@gamma.io").score == 50  # type: ignore[union-attr]


def test_group_sets_the_account_and_company(served: Served) -> None:
    analytics = served.analytics()
    analytics.identify("user-8", {"email": "hal@acme.io"})
    analytics.group("user-8", "acct-42", {"name": "Acme", "employees": 300, "plan": "enterprise"})
    lead = _lead(served, "hal@acme.io")
    assert lead is not None
    assert (lead.company, lead.company_size) == ("Acme", 300)
    assert _account_key(served, lead) == "acct-42"
    assert lead.attributes["account.plan"] == "enterprise"


def test_gzip_bodies_from_the_library_are_read(served: Served) -> None:
    analytics = served.analytics(gzip=True)
    analytics.identify("user-9", {"email": "ivy@iota.io", "title": "Head of Growth"})
    analytics.track("user-9", "Demo Request")
    assert _lead(served, "ivy@iota.io").score == 70  # type: ignore[union-attr]


def test_a_wrong_write_key_is_refused_and_stores_nothing(served: Served) -> None:
    with pytest.raises(APIError) as refused:
        served.analytics(write_key="not-the-key").identify("user-10", {"email": "jo@j.io"})
    assert refused.value.status == 401
    assert _lead(served, "jo@j.io") is None


def test_routes_are_off_until_a_write_key_is_set(unconfigured: Served) -> None:
    with pytest.raises(APIError) as refused:
        unconfigured.analytics().identify("user-11", {"email": "kim@k.io"})
    assert refused.value.status == 404
    assert "LEADSCORE_SEGMENT_WRITE_KEY" in refused.value.message
