"""Applying a calibration report's suggested rules, once, as the digest's Apply button asks.

A report is applied at most once: the click first claims the report with a
conditional UPDATE, so a double click or two managers at once produce one
version, and later clicks hear which version it became. The listener only
translates the click and says what this returns.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.rules_admin import apply_rules
from bot.services import Services
from bot.slack.ids import row_id
from bot.views import mrkdwn
from scoring.rule_file import RuleSetError
from storage.calibration import claim_apply, finish_apply, get_report
from storage.engine import session_scope
from storage.rule_sets import active_version

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ApplyAnswer:
    """What to tell the manager; ``applied`` answers go where the report is (its thread)."""

    text: str
    applied: bool = False


def apply_report(
    services: Services,
    *,
    report_id: str,
    user_id: str,
    started: Callable[[int], None] | None = None,
) -> ApplyAnswer:
    """Store the report's suggested rules as the active version and rescore every lead.

    ``started`` hears how many leads are about to be rescored, once the
    report is claimed and the new version stored.
    """
    row_number = row_id(report_id)
    row, active = _state(services, row_number) if row_number else (None, None)
    if row is None or not row.suggested_rules:
        return ApplyAnswer("This report has nothing to apply any more.")
    with session_scope(services.engine) as session:
        claimed = claim_apply(
            session=session, report_id=row.id, applied_by=f"slack:{user_id}", now=services.clock()
        )
    if not claimed:
        return ApplyAnswer(_already(_state(services, row.id)[0]))
    try:
        version, rescored = _apply(services, row.id, row.suggested_rules, user_id, started)
    except RuleSetError as exc:
        log.error("report %s: suggested rules are invalid: %s", row.id, exc.errors)
        return ApplyAnswer("The suggested rules could not be applied; nothing was changed.")
    base = row.report.get("rule_set_version")
    return ApplyAnswer(_confirmation(user_id, version, rescored, base, active), applied=True)


def _state(services: Services, report_id: int) -> tuple[Any, int | None]:
    with session_scope(services.engine) as session:
        row = get_report(session=session, report_id=report_id)
        active = active_version(session=session)
        if row is not None:
            session.expunge(row)
        return row, active.version if active is not None else None


def _already(row: Any) -> str:
    if row.applied_version is None:
        return f"{_user(row.applied_by)} is applying these suggestions right now."
    return (
        f"These suggestions were already applied as version {row.applied_version} "
        f"by {_user(row.applied_by)}. Nothing was changed."
    )


def _user(applied_by: str | None) -> str:
    """A mention of who applied (``slack:U…``); anything else is shown inert."""
    return mrkdwn.user((applied_by or "").removeprefix("slack:"))


def _apply(
    services: Services,
    report_id: int,
    rules: str,
    user_id: str,
    started: Callable[[int], None] | None,
) -> tuple[int, int]:
    """Store and activate the suggested rules (rescoring every lead); release on failure."""
    try:
        outcome = apply_rules(services, text=rules, applied_by=f"slack:{user_id}", started=started)
    except Exception:
        with session_scope(services.engine) as session:
            finish_apply(session=session, report_id=report_id, version=None)
        raise
    with session_scope(services.engine) as session:
        finish_apply(session=session, report_id=report_id, version=outcome.version)
    return outcome.version, outcome.rescored


def _confirmation(user_id: str, version: int, rescored: int, base: Any, active: Any) -> str:
    text = (
        f"{mrkdwn.user(user_id)} applied the suggested rules: rule set *version {version}* is now "
        f"active and {rescored} leads were rescored."
    )
    if base is not None and active is not None and base != active:
        text += (
            f" (The suggestions were computed on version {base}; version {active} was replaced.)"
        )
    return text
