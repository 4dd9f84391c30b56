"""A manager clicks **Apply suggestions**: the suggested rules become the new version.

Only managers may change the rules; anyone else gets a polite ephemeral
refusal and nothing changes. A report is applied at most once: the click
first claims the report with a conditional UPDATE, so a double click or two
managers at once produce one version, and later clicks hear which version
it became.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, Respond
from slack_sdk import WebClient

from bot.rules_admin import apply_rules
from bot.services import Services
from bot.slack.ids import row_id
from bot.views import mrkdwn
from scoring.rule_file import RuleSetError
from storage.calibration import claim_apply, finish_apply, get_report
from storage.engine import session_scope
from storage.rule_sets import active_version

log = logging.getLogger(__name__)

NOT_A_MANAGER = (
    "Sorry, only sales managers can apply calibration suggestions. "
    "Nothing was changed; ask a manager to have a look."
)


def acknowledge(ack: Ack) -> None:
    ack()


def _tell(respond: Respond, text: str) -> None:
    respond(text=text, response_type="ephemeral", replace_original=False)


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


def _apply(services: Services, report_id: int, rules: str, user_id: str) -> tuple[int, int]:
    """Store and activate the suggested rules (rescoring every lead); release on failure."""
    try:
        outcome = apply_rules(services, text=rules, applied_by=f"slack:{user_id}")
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


def apply_suggestions(services: Services) -> Callable[..., None]:
    def handle(body: dict[str, Any], respond: Respond, client: WebClient) -> None:
        user_id = body["user"]["id"]
        if not services.settings.is_manager(user_id):
            _tell(respond, NOT_A_MANAGER)
            return
        value = str(body["actions"][0].get("value", ""))
        report_id = row_id(value)
        row, active = _state(services, report_id) if report_id else (None, None)
        if row is None or not row.suggested_rules:
            _tell(respond, "This report has nothing to apply any more.")
            return
        with session_scope(services.engine) as session:
            claimed = claim_apply(
                session=session,
                report_id=row.id,
                applied_by=f"slack:{user_id}",
                now=services.clock(),
            )
        if not claimed:
            _tell(respond, _already(_state(services, row.id)[0]))
            return
        try:
            version, rescored = _apply(services, row.id, row.suggested_rules, user_id)
        except RuleSetError as exc:
            log.error("report %s: suggested rules are invalid: %s", row.id, exc.errors)
            _tell(respond, "The suggested rules could not be applied; nothing was changed.")
            return
        text = _confirmation(user_id, version, rescored, row.report.get("rule_set_version"), active)
        container = body.get("container") or {}
        message_ts = container.get("message_ts")
        if message_ts and not container.get("is_ephemeral"):
            channel = container.get("channel_id") or body["channel"]["id"]
            client.chat_postMessage(channel=channel, thread_ts=message_ts, text=text)
        else:
            _tell(respond, text)

    return handle
