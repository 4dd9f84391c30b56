"""Queries behind calibration: closed deals as plain rows, and the stored reports.

Closed deals are read with a Core select of the four columns calibration
needs, not as ORM objects: a 90-day window can hold 100,000 deals, and
building (and tracking) that many ``PipelineEntry`` instances costs more than
the statistics themselves.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import msgspec
from sqlalchemy import Text, cast, select, type_coerce, update
from sqlmodel import Session, col

from scoring.calibration import ClosedDeal
from storage.models import CalibrationReport, Lead, PipelineEntry


def closed_deals(
    *,
    session: Session,
    start: datetime,
    end: datetime,
    fitted_until: Mapping[int, datetime] | None = None,
) -> list[ClosedDeal]:
    """Deals that closed in [start, end) (same filter as ``pipeline.closed_between``).

    Each is keyed by its lead's email, which the holdout split hashes: unlike
    the lead id it does not depend on the order data was imported in. With
    it come the entry score, the outcome,
    the points each rule contributed at entry and the lead's snapshot at
    entry. ``rule_hits`` and ``snapshot`` are fetched
    as JSON text and decoded in one ``msgspec`` decode of the whole column:
    decoding 100,000 small documents one by one (what the JSON column type
    does) costs more than the query itself.

    ``fitted_until`` maps each rule set version fitted by a calibration to
    the end of that calibration's window; every other version was fitted on
    no deal. A deal is marked ``may_be_fitted`` only when the version that
    scored its entry was fitted on deals closed before it closed, or is
    unknown. Without the map every deal is marked (the cautious reading).
    """
    entries = PipelineEntry.__table__.c  # type: ignore[attr-defined]
    as_text = cast if _is_postgres(session) else type_coerce
    hits_text = as_text(entries.rule_hits, Text)
    snapshot_text = as_text(entries.snapshot, Text)
    leads = Lead.__table__.c  # type: ignore[attr-defined]
    query = (
        select(
            leads.email,
            entries.score,
            entries.outcome,
            hits_text,
            snapshot_text,
            entries.rule_set_version,
            entries.closed_at,
        )
        .join_from(PipelineEntry.__table__, Lead.__table__, leads.id == entries.lead_id)  # type: ignore[attr-defined]
        .where(entries.closed_at >= start, entries.closed_at < end)
        .where(entries.outcome.is_not(None))
        .order_by(entries.closed_at, entries.id)
    )
    rows = session.connection().execute(query).all()
    hits = _decoded([row[3] or "{}" for row in rows])
    snapshots = _decoded([row[4] or "null" for row in rows])
    return [
        ClosedDeal(
            email,
            score,
            outcome == "won",
            rule_hits,
            snapshot,
            _may_be_fitted(version, closed_at, fitted_until),
        )
        for (email, score, outcome, _, _, version, closed_at), rule_hits, snapshot in zip(
            rows, hits, snapshots, strict=True
        )
    ]


def _may_be_fitted(
    version: int | None, closed_at: datetime, fitted_until: Mapping[int, datetime] | None
) -> bool:
    if fitted_until is None or version is None:
        return True
    until = fitted_until.get(version)
    return until is not None and _aware(closed_at) < until


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _decoded(documents: list[str]) -> list[Any]:
    """Many small JSON documents decoded as one array, by msgspec (building objects is the cost)."""
    decoded: list[Any] = msgspec.json.decode(("[" + ",".join(documents) + "]").encode("utf-8"))
    return decoded


def _is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def store_report(
    *,
    session: Session,
    created_at: datetime,
    period: str | None,
    window_days: int,
    report: dict[str, Any],
    suggested_rules: str | None,
    channel: str | None = None,
    report_id: int | None = None,
) -> CalibrationReport:
    """Store a report, or refresh row ``report_id`` (a digest stored but never posted)."""
    row = session.get(CalibrationReport, report_id) if report_id is not None else None
    row = row or CalibrationReport(created_at=created_at, window_days=window_days)
    row.created_at = created_at
    row.period = period
    row.window_days = window_days
    row.report = report
    row.suggested_rules = suggested_rules
    row.channel = channel
    session.add(row)
    session.flush()
    return row


def report_for_period(*, session: Session, period: str) -> CalibrationReport | None:
    """The digest row of an ISO week, preferring one that was posted."""
    query = (
        select(CalibrationReport)
        .where(col(CalibrationReport.period) == period)
        .order_by(col(CalibrationReport.message_ts).is_(None), col(CalibrationReport.id))
    )
    return session.execute(query.limit(1)).scalars().first()


def get_report(*, session: Session, report_id: int) -> CalibrationReport | None:
    return session.get(CalibrationReport, report_id)


def mark_posted(*, session: Session, report_id: int, channel: str, message_ts: str) -> None:
    session.execute(
        update(CalibrationReport)
        .where(col(CalibrationReport.id) == report_id)
        .values(channel=channel, message_ts=message_ts)
    )


def claim_apply(*, session: Session, report_id: int, applied_by: str, now: datetime) -> bool:
    """Take the right to apply a report's suggestion; False if someone already has.

    A conditional UPDATE, so two managers clicking at once cannot both apply.
    """
    result = session.execute(
        update(CalibrationReport)
        .where(col(CalibrationReport.id) == report_id)
        .where(col(CalibrationReport.applied_by).is_(None))
        .values(applied_by=applied_by, applied_at=now)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def finish_apply(*, session: Session, report_id: int, version: int | None) -> None:
    """Record the version a claimed apply produced; ``None`` releases the claim (it failed)."""
    values: dict[str, Any] = {"applied_version": version}
    if version is None:
        values.update(applied_by=None, applied_at=None)
    session.execute(
        update(CalibrationReport).where(col(CalibrationReport.id) == report_id).values(**values)
    )
