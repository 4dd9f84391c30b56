"""Behaviour decay for every stored lead, as set-based SQL.

The stored parts of a score (``fit``, ``behavior_decaying`` as of the last
activity, the non-decaying ``behavior_fixed``) let one UPDATE bring any
number of leads to their score at an instant with the formula of
``scoring.evaluate.assemble_score``:

    behavior = behavior_decaying * (1 - monthly_rate) ** (max(0, idle_days - grace_days) / 30)
               + behavior_fixed
    score    = clamp(base + fit + behavior)

The factor depends only on the idle time, so running the update daily or
once gives the same numbers, and a row already scored at or after ``at`` is
left alone: re-running at the same instant changes nothing and decay never
goes back in time. Rows the factor cannot change (inside the grace period,
or without positive behaviour) are not written at all.

A second, much smaller UPDATE moves the band of the leads that crossed a
threshold and re-arms those that fell below ``warm``, so a lead that cooled
alerts again when it next turns hot. Its row count is the number that cooled.
"""

from __future__ import annotations

from calendar import timegm
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Float, case, cast, func, literal, or_, select, update
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session

from scoring.decay import DAYS_PER_PERIOD, SECONDS_PER_DAY
from scoring.rule_set import RuleSet
from storage.dialect import is_postgres_session
from storage.models import Lead
from storage.types import UTCDateTime

LEADS = Lead.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class DecayStats:
    """What one decay pass did: leads rescored, and how many of them dropped a band."""

    decayed: int = 0
    cooled: int = 0

    def __add__(self, other: DecayStats) -> DecayStats:
        return DecayStats(self.decayed + other.decayed, self.cooled + other.cooled)


def decay_leads(
    *,
    session: Session,
    rule_set: RuleSet,
    at: datetime,
    ids: tuple[int, int] | None = None,
) -> DecayStats:
    """Bring every lead's behaviour and score to their value at ``at``.

    ``ids`` (exclusive lower, inclusive upper bound) limits the pass to a
    range of lead ids, so a caller can keep each transaction short.
    """
    postgres = is_postgres_session(session)
    at_param = literal(at, UTCDateTime)
    in_range = _id_range(ids)
    factor = _decay_factor(rule_set, at, postgres=postgres)
    behavior = LEADS.c.behavior_decaying * factor + LEADS.c.behavior_fixed
    low, high = rule_set.score_range
    total = LEADS.c.fit + behavior + float(rule_set.base)
    score = _least(_greatest(total, float(low), postgres), float(high), postgres)
    cutoff = at - timedelta(days=rule_set.decay.grace_days)
    decayed = 0
    if rule_set.decay.monthly_rate > 0:  # otherwise the factor is 1 and nothing changes
        decayed = session.execute(
            update(LEADS)
            .where(
                *in_range,
                LEADS.c.last_activity_at.is_not(None),
                LEADS.c.last_activity_at < literal(cutoff, UTCDateTime),
                LEADS.c.behavior_decaying > 0,
                or_(LEADS.c.scored_at.is_(None), LEADS.c.scored_at < at_param),
            )
            .values(behavior=behavior, score=score, scored_at=at_param)
            .execution_options(synchronize_session=False)
        ).rowcount  # type: ignore[attr-defined]
    cooled = session.execute(
        _settle_bands(rule_set, at_param, in_range).execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    return DecayStats(decayed=max(decayed, 0), cooled=max(cooled, 0))


def lead_id_bounds(*, session: Session) -> tuple[int, int] | None:
    """The smallest and largest lead id, for splitting a pass into ranges."""
    low, high = session.execute(select(func.min(LEADS.c.id), func.max(LEADS.c.id))).one()
    if low is None:
        return None
    return int(low), int(high)


def _settle_bands(rule_set: RuleSet, at_param: Any, in_range: list[ColumnElement[bool]]) -> Any:
    hot, warm = float(rule_set.thresholds.hot), float(rule_set.thresholds.warm)
    score = LEADS.c.score
    band = case((score >= hot, "hot"), (score >= warm, "warm"), else_="cold")
    # "band differs from the band of the score" rather than "score below the band's
    # threshold": the latter lets SQLite walk ix_leads_score and look rows up one by
    # one, eight times slower than the plain scan this needs anyway.
    return (
        update(LEADS)
        .where(*in_range, LEADS.c.scored_at == at_param, LEADS.c.band != band)
        .values(band=band, alert_armed=case((score < warm, True), else_=LEADS.c.alert_armed))
    )


def _id_range(ids: tuple[int, int] | None) -> list[ColumnElement[bool]]:
    if ids is None:
        return []
    return [LEADS.c.id > ids[0], LEADS.c.id <= ids[1]]


def _decay_factor(rule_set: RuleSet, at: datetime, *, postgres: bool) -> ColumnElement[float]:
    """``(1 - rate) ** (max(0, max(0, idle_days) - grace) / 30)``, as scoring.decay computes it."""
    idle_days = _idle_seconds(at, postgres=postgres) / SECONDS_PER_DAY
    idle_days = _greatest(idle_days, 0.0, postgres)
    decaying = _greatest(idle_days - float(rule_set.decay.grace_days), 0.0, postgres)
    base = 1.0 - rule_set.decay.monthly_rate  # computed in Python: the same double as scoring
    return func.power(literal(base, Float), decaying / DAYS_PER_PERIOD, type_=Float)


def _idle_seconds(at: datetime, *, postgres: bool) -> ColumnElement[float]:
    """Seconds from the last activity to ``at``, to the microsecond on both backends.

    SQLite's date functions keep only milliseconds, which moves a score by
    more than 1e-9; whole seconds (unixepoch) plus the stored fraction do not.
    """
    last = LEADS.c.last_activity_at
    if postgres:
        return cast(func.extract("epoch", literal(at, UTCDateTime) - last), Float)
    whole = timegm(at.utctimetuple())
    fraction = at.microsecond / 1_000_000
    # Stored as "YYYY-MM-DD HH:MM:SS.ffffff". Parsed whole, SQLite would round
    # .9995 and up to the next second, so seconds and fraction are read apart.
    stored_seconds = func.unixepoch(func.substr(last, 1, 19))
    stored_fraction = cast(func.substr(last, 20), Float)
    return cast(literal(whole) - stored_seconds, Float) + (
        literal(fraction, Float) - stored_fraction
    )


def _greatest(a: Any, b: Any, postgres: bool) -> ColumnElement[float]:
    return func.greatest(a, b, type_=Float) if postgres else func.max(a, b, type_=Float)


def _least(a: Any, b: Any, postgres: bool) -> ColumnElement[float]:
    return func.least(a, b, type_=Float) if postgres else func.min(a, b, type_=Float)
