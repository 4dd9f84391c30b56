"""``/leadscore help``; managers also get delivery and job status."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlmodel import Session

from bot.alerts import failed_alerts_summary
from bot.services import Services
from bot.slash_command.parse import HelpQuery
from bot.views import format as fmt
from bot.views.help import help_message
from bot.views.message import Message
from bot.views.mrkdwn import clip, inline
from storage.engine import read_scope
from storage.lookup import last_job_runs

log = logging.getLogger(__name__)


def help_answer(services: Services, *, user_id: str, query: HelpQuery) -> Message:
    status = None
    if services.settings.is_manager(user_id):
        status = manager_status(services)
    return help_message(problem=query.problem, status=status)


def manager_status(services: Services) -> list[str]:
    """Lines on alert delivery and scheduled jobs; a failure here never hides the help."""
    now = services.clock()
    try:
        with read_scope(services.engine) as session:
            return [*_alert_lines(session), *_job_lines(session, now)]
    except Exception:
        log.exception("manager status failed")
        return ["_Status is unavailable right now (see the logs)._"]


def _alert_lines(session: Session) -> list[str]:
    described = failed_alerts_summary(session).describe()
    if not described:
        return ["• Every hot-lead alert reached Slack."]
    return [clip(line, 500) for line in described.splitlines() if line.strip()]


def _job_lines(session: Session, now: datetime) -> list[str]:
    runs = last_job_runs(session=session)
    if not runs:
        return ["• No scheduled job has run yet."]
    lines = []
    for run in runs:
        when = fmt.ago(run.finished_at or run.started_at, now)
        outcome = run.outcome or ("running" if run.finished_at is None else "done")
        lines.append(f"• {inline(run.job)} {inline(run.period)}: {inline(outcome)}, {when}")
    return lines
