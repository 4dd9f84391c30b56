"""Finding an alert that already reached Slack, so a retry never posts it twice.

Every alert is posted with message metadata naming its ``alert_key``. When an
attempt is retried after one that may have reached Slack (the process died
after ``chat.postMessage`` but before the row was marked sent, or Slack
answered 5xx after storing the message), the channel's history since the
alert was queued is searched for that key first: every page back to that
moment (``oldest``, with a minute's margin for clock skew), however busy the
channel, so the whole retry window (up to a day) is covered.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from slack_sdk import WebClient

from bot.alerts.alert_view import EVENT_TYPE

LOOK_BACK = timedelta(minutes=1)
PAGE_SIZE = 200


def slack_ts(at: datetime) -> str:
    return f"{at.timestamp():.6f}"


def find_posted(client: WebClient, *, channel: str, alert_key: str, since: datetime) -> str | None:
    """The ``ts`` of our message carrying ``alert_key`` in ``channel``, or None.

    ``include_all_metadata`` is required: without it Slack leaves metadata out.
    Errors propagate so the caller treats a failed lookup like a failed post.
    """
    cursor: str | None = None
    while True:
        page = client.conversations_history(
            channel=channel,
            oldest=slack_ts(since - LOOK_BACK),
            include_all_metadata=True,
            limit=PAGE_SIZE,
            cursor=cursor,
        )
        for message in page.get("messages") or []:
            metadata = message.get("metadata") or {}
            payload = metadata.get("event_payload") or {}
            if metadata.get("event_type") == EVENT_TYPE and payload.get("alert_key") == alert_key:
                return str(message["ts"])
        cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
        if cursor is None:
            return None
