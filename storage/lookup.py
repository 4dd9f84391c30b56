"""Read queries for people: one lead, a company's leads, the ranking."""

from __future__ import annotations

from collections.abc import Iterable

from sqlmodel import Session, col, func, select

from storage.models import Alert, JobRun, Lead


def lead_by_email(*, session: Session, email: str) -> Lead | None:
    return session.exec(select(Lead).where(Lead.email == email.strip().lower())).first()


def leads_of_company(*, session: Session, company: str, limit: int = 50) -> tuple[list[Lead], int]:
    """A company's leads, best first, and how many there are in all (case-insensitive)."""
    key = company.strip().casefold()
    query = (
        select(Lead)
        .where(Lead.company_key == key)
        .order_by(col(Lead.score).desc(), col(Lead.id))
        .limit(limit)
    )
    total = session.exec(select(func.count()).select_from(Lead).where(Lead.company_key == key))
    return list(session.exec(query)), int(total.one())


def top_leads(
    *,
    session: Session,
    limit: int,
    min_score: float | None = None,
    below: float | None = None,
    offset: int = 0,
) -> list[Lead]:
    """The highest-scoring leads (index on score), optionally within [min_score, below)."""
    query = select(Lead).order_by(col(Lead.score).desc(), col(Lead.id)).limit(limit)
    if min_score is not None:
        query = query.where(col(Lead.score) >= min_score)
    if below is not None:
        query = query.where(col(Lead.score) < below)
    if offset:
        query = query.offset(offset)
    return list(session.exec(query))


def company_names(*, session: Session, prefix: str, limit: int = 2_000) -> list[str]:
    """Distinct company names sharing a first letter, for "did you mean" suggestions."""
    start = prefix.strip().casefold()[:1]
    query = (
        select(Lead.company_key)
        .where(col(Lead.company_key).is_not(None))
        .where(col(Lead.company_key).startswith(start))
        .distinct()
        .limit(limit)
    )
    return [name for name in session.exec(query) if name]


def current_alert(*, session: Session, lead_id: int) -> Alert | None:
    """The lead's latest alert (its claim state)."""
    query = select(Alert).where(Alert.lead_id == lead_id).order_by(col(Alert.id).desc()).limit(1)
    return session.exec(query).first()


def latest_alerts(*, session: Session, lead_ids: Iterable[int]) -> dict[int, Alert]:
    """Each lead's latest alert (its claim state), in one query for a whole ranking."""
    ids = sorted(set(lead_ids))
    if not ids:
        return {}
    query = select(Alert).where(col(Alert.lead_id).in_(ids)).order_by(col(Alert.id))
    return {alert.lead_id: alert for alert in session.exec(query)}


def emails_near(*, session: Session, email: str, limit: int = 200) -> list[str]:
    """Stored emails that start like ``email`` (an index range scan), for "did you mean"."""
    start = email.strip().lower()[:3]
    if not start:
        return []
    query = (
        select(Lead.email)
        .where(col(Lead.email) >= start, col(Lead.email) < start + "\U0010ffff")
        .order_by(col(Lead.email))
        .limit(limit)
    )
    return list(session.exec(query))


def last_job_runs(*, session: Session, scan: int = 200) -> list[JobRun]:
    """The latest run of each scheduled job, newest first (the managers' status view)."""
    query = select(JobRun).order_by(col(JobRun.started_at).desc()).limit(scan)
    latest: dict[str, JobRun] = {}
    for run in session.exec(query):
        latest.setdefault(run.job, run)
    return list(latest.values())
