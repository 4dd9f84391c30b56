"""Building contract-shaped events for tests."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

_ids = itertools.count(1)


def activity(
    email: str,
    kind: str = "page_view",
    *,
    at: str = "2026-11-24T15:04:05Z",
    url: str | None = None,
    event_id: str | None = None,
    **lead: Any,
) -> dict[str, Any]:
    event: dict[str, Any] = {
        "id": event_id or f"evt-{next(_ids)}",
        "type": "activity",
        "occurred_at": at,
        "lead": {"email": email, **lead},
        "activity": {"kind": kind},
    }
    if url is not None:
        event["activity"]["url"] = url
    return event


def lead_created(
    email: str, *, at: str = "2026-11-24T15:00:00Z", event_id: str | None = None, **lead: Any
) -> dict[str, Any]:
    return {
        "id": event_id or f"evt-{next(_ids)}",
        "type": "lead.created",
        "occurred_at": at,
        "lead": {"email": email, **lead},
    }


def deal(
    email: str,
    stage: str,
    *,
    at: str = "2026-11-25T00:00:00Z",
    amount: float | None = None,
    event_id: str | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {"stage": stage}
    if amount is not None:
        body["amount"] = amount
    return {
        "id": event_id or f"evt-{next(_ids)}",
        "type": "deal.updated",
        "occurred_at": at,
        "lead": {"email": email},
        "deal": body,
    }


def hot_lead(email: str, **kwargs: Any) -> dict[str, Any]:
    """A demo request from a VP at a 250-person company: hot under tests/fixtures/rules.yml.

    Made a minute before now unless ``at`` says otherwise: many tests run a
    real server on the real clock, and a fixed date would decay below hot as
    the calendar moves on (under freezegun, now is the frozen time).
    """
    kwargs.setdefault("at", recent(1))
    return activity(
        email, "demo_request", title="VP Sales", company_size=250, company="Acme", **kwargs
    )


def recent(minutes_ago: float) -> str:
    """An ``occurred_at`` this long before now, well inside the 7-day decay grace period.

    For tests on the real clock (a server checks signatures against it); under
    freezegun, now is the frozen time.
    """
    moment = datetime.now(UTC) - timedelta(minutes=minutes_ago)
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")
