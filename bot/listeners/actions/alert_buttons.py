"""**Claim** and **Snooze 1 day** on a hot-lead alert.

The first claim wins (a conditional UPDATE, see ``storage.alert_claims``) and
the message is redrawn to say who took it and how fast; a later click hears
who has it, privately, and nothing changes. A snooze holds the SLA escalation
for 24 hours and says so on the message.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from slack_bolt import Respond

from bot.alerts.compose import AlertGone
from bot.alerts.redraw import redraw_alert, reload_alert
from bot.alerts.views import refusal_text
from bot.routing.claims import claim_and_own
from bot.services import Services
from bot.slack.ids import row_id
from storage.alert_claims import snooze_alert
from storage.engine import session_scope

log = logging.getLogger(__name__)
SNOOZE_FOR = timedelta(days=1)
GONE = "This alert is no longer there, so nothing changed."


def clicked(body: dict[str, Any]) -> tuple[int | None, str, str | None]:
    """The alert id (button value), who clicked, and the message clicked on."""
    action = (body.get("actions") or [{}])[0]
    value = str(action.get("value", ""))
    user_id = str((body.get("user") or {}).get("id", ""))
    message_ts = (body.get("container") or {}).get("message_ts")
    return row_id(value), user_id, message_ts


def tell(respond: Respond, text: str) -> None:
    respond(text=text, response_type="ephemeral", replace_original=False)


def act_on_alert(
    services: Services, change: Callable[[Any, int, str], bool]
) -> Callable[..., None]:
    """A lazy listener: apply ``change`` atomically, then redraw or explain the refusal."""

    def handle(body: dict[str, Any], respond: Respond) -> None:
        alert_id, user_id, message_ts = clicked(body)
        if alert_id is None:
            tell(respond, GONE)
            return
        try:
            with session_scope(services.engine) as session:
                changed = change(session, alert_id, user_id)
            if changed:
                redraw_alert(services, alert_id, clicked_ts=message_ts)
            else:
                tell(respond, refusal_text(reload_alert(services, alert_id), user_id))
        except AlertGone:
            tell(respond, GONE)

    return handle


def claim_lead(services: Services) -> Callable[..., None]:
    def change(session: Any, alert_id: int, user_id: str) -> bool:
        now = services.clock()
        return claim_and_own(services, session, alert_id=alert_id, user_id=user_id, now=now)

    return act_on_alert(services, change)


def snooze_lead(services: Services) -> Callable[..., None]:
    def change(session: Any, alert_id: int, user_id: str) -> bool:
        until = services.clock() + SNOOZE_FOR
        return snooze_alert(session=session, alert_id=alert_id, user_id=user_id, until=until)

    return act_on_alert(services, change)
