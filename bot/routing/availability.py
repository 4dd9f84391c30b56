"""``/leadscore away`` and ``back``: a rep's absence, stored so every replica skips them.

``away until 2026-12-10`` means through that day in the rep's own time zone
(from Slack, cached): leads reach them again from midnight after it.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from bot.routing.directory import cache_zone
from bot.services import Services
from scoring.routing import zone_of
from storage.engine import session_scope
from storage.reps import reps_by_id, set_away, set_back


def go_away(services: Services, *, user_id: str, until: date | None) -> datetime | None:
    """Record the absence; the instant it ends (None: until ``back``)."""
    now = services.clock()
    with session_scope(services.engine) as session:
        rep = reps_by_id(session=session, user_ids=[user_id]).get(user_id)
    tz = rep.tz if rep and rep.tz else cache_zone(services, user_id)
    zone = zone_of(None, tz, services.settings.timezone)
    ends = None
    if until is not None:
        ends = datetime.combine(until + timedelta(days=1), time(0), tzinfo=zone)
    with session_scope(services.engine) as session:
        set_away(session=session, user_id=user_id, since=now, until=ends)
    return ends


def come_back(services: Services, *, user_id: str) -> bool:
    """Clear the absence; False when the rep was not away."""
    with session_scope(services.engine) as session:
        return set_back(session=session, user_id=user_id)
