"""Job-run leases: each scheduled job runs once per period across all replicas.

Every replica runs its own in-memory scheduler, so each of them fires the
same job at the same time. The first to insert the (job, period) row runs it;
the others see the row and skip. A holder that crashed leaves an unfinished
row whose lease expires, and the next claimer takes it over with a guarded
UPDATE, so a period is never left undone and never run twice at once.
The same statements work on SQLite and PostgreSQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from storage.dialect import is_postgres_session
from storage.models import JobRun

RUNS = JobRun.__table__  # type: ignore[attr-defined]
MAX_OUTCOME = 500


@dataclass(frozen=True)
class Claim:
    """A lease held on one period of a job; ``taken_over`` if a crashed holder had it."""

    job: str
    period: str
    holder: str
    lease_until: datetime
    taken_over: bool = False


def claim_run(
    *, session: Session, job: str, period: str, holder: str, now: datetime, lease: timedelta
) -> Claim | None:
    """Take the lease on (job, period), or None if it is finished or held by someone alive.

    Commit the session before running the job, so other replicas see the claim.
    """
    until = now + lease
    inserted = session.execute(
        _insert(session)
        .on_conflict_do_nothing(index_elements=["job", "period"])
        .returning(RUNS.c.id),
        {"job": job, "period": period, "holder": holder, "started_at": now, "lease_until": until},
    ).first()
    if inserted is not None:
        return Claim(job, period, holder, until)
    taken = session.execute(
        update(RUNS)
        .where(
            RUNS.c.job == job,
            RUNS.c.period == period,
            RUNS.c.finished_at.is_(None),
            RUNS.c.lease_until < now,
        )
        .values(holder=holder, started_at=now, lease_until=until, outcome=None)
    ).rowcount  # type: ignore[attr-defined]
    if taken == 1:
        return Claim(job, period, holder, until, taken_over=True)
    return None


def finish_run(*, session: Session, claim: Claim, now: datetime, outcome: str) -> bool:
    """Mark the period done; False if the lease was lost to another holder meanwhile."""
    return _close(session, claim, finished_at=now, lease_until=claim.lease_until, outcome=outcome)


def release_run(*, session: Session, claim: Claim, now: datetime, outcome: str) -> bool:
    """Give the period back unfinished (the job failed), so the next attempt may claim it."""
    return _close(session, claim, finished_at=None, lease_until=now, outcome=outcome)


def record_run(
    *,
    session: Session,
    job: str,
    period: str,
    holder: str,
    started_at: datetime,
    finished_at: datetime,
    outcome: str,
) -> None:
    """Overwrite the one row of a job that needs no lease (the sweeps): its latest run."""
    values = {
        "job": job,
        "period": period,
        "holder": holder,
        "started_at": started_at,
        "lease_until": finished_at,
        "finished_at": finished_at,
        "outcome": outcome[:MAX_OUTCOME],
    }
    statement = _insert(session)
    statement = statement.on_conflict_do_update(
        index_elements=["job", "period"],
        set_={key: statement.excluded[key] for key in values if key not in ("job", "period")},
    )
    session.execute(statement, values)


def find_run(*, session: Session, job: str, period: str) -> JobRun | None:
    query = select(JobRun).where(RUNS.c.job == job, RUNS.c.period == period)
    return session.execute(query).scalars().first()


def latest_runs(*, session: Session) -> dict[str, JobRun]:
    """The most recently started run of every job, for ``leadscore jobs``."""
    newest = (
        select(RUNS.c.job, func.max(RUNS.c.started_at).label("started_at"))
        .group_by(RUNS.c.job)
        .subquery()
    )
    query = select(JobRun).join(
        newest,
        (RUNS.c.job == newest.c.job) & (RUNS.c.started_at == newest.c.started_at),
    )
    return {run.job: run for run in session.execute(query).scalars()}


def ran_before(*, session: Session, when: datetime) -> bool:
    """Whether any job ran before ``when``: was the app up before that instant?"""
    query = select(RUNS.c.id).where(RUNS.c.started_at < when).limit(1)
    return session.execute(query).first() is not None


def _close(
    session: Session,
    claim: Claim,
    *,
    finished_at: datetime | None,
    lease_until: datetime,
    outcome: str,
) -> bool:
    updated = session.execute(
        update(RUNS)
        .where(
            RUNS.c.job == claim.job,
            RUNS.c.period == claim.period,
            RUNS.c.holder == claim.holder,
            RUNS.c.finished_at.is_(None),
        )
        .values(finished_at=finished_at, lease_until=lease_until, outcome=outcome[:MAX_OUTCOME])
    ).rowcount  # type: ignore[attr-defined]
    return updated == 1


def _insert(session: Session) -> Any:
    """INSERT with ON CONFLICT support for the session's backend."""
    return (postgresql if is_postgres_session(session) else sqlite).insert(RUNS)
