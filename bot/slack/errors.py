"""What happens when a listener fails: one log line with the traceback, and a polite answer.

Bolt calls this for an error raised before the response to Slack (the
``message_metadata_posted`` ingestion, any ack). The response stays a 500,
so Slack retries an event (its id makes the retry count once). A person who
typed a command or clicked a button is told privately that it failed and
can be tried again, rather than seeing nothing or Slack's "dispatch_failed".
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App, Respond

log = logging.getLogger(__name__)

SORRY = (
    "Sorry, that did not work: something went wrong on our side and it has been logged. "
    "Please try again in a minute."
)


def answer_listener_error(error: Exception, body: dict[str, Any], respond: Respond) -> None:
    """Log the failure (type and traceback; the text may hold lead data) and tell the user."""
    kind = body.get("type") or ("slash_command" if body.get("command") else "request")
    log.error("listener failed (%s): %s", kind, type(error).__name__, exc_info=error)
    if not (body.get("response_url") or body.get("response_urls")):
        return
    try:
        respond(text=SORRY, response_type="ephemeral", replace_original=False)
    except Exception:
        log.warning("could not tell the user that their request failed", exc_info=True)


def register_error_handler(app: App) -> None:
    app.error(answer_listener_error)
