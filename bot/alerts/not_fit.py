"""The "Not a fit" question: a short list of reasons calibration can count.

The reasons are fixed strings so the weekly digest can group dismissals
("too small" 12 times this month says the size rule is too generous); "other"
takes a free note.
"""

from __future__ import annotations

import json
from typing import Any

from bot.slack.ids import row_id
from bot.views.mrkdwn import plain

MODAL_CALLBACK = "alert_not_fit_reason"
REASON_BLOCK = "reason"
NOTE_BLOCK = "note"
REASONS = ("wrong persona", "too small", "competitor", "student", "other")
MAX_NOTE = 150


def not_fit_modal(*, alert_id: int, lead_name: str) -> dict[str, Any]:
    """Asks why; ``private_metadata`` carries the alert id to the submission."""
    options = [
        {"text": {"type": "plain_text", "text": reason.capitalize()}, "value": reason}
        for reason in REASONS
    ]
    return {
        "type": "modal",
        "callback_id": MODAL_CALLBACK,
        "private_metadata": json.dumps({"alert_id": alert_id}),
        "title": {"type": "plain_text", "text": "Not a fit"},
        "submit": {"type": "plain_text", "text": "Save"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            {
                "type": "section",
                # plain_text: the lead's name is shown exactly as stored, never parsed.
                "text": {
                    "type": "plain_text",
                    "text": f"Why is {plain(lead_name, 2000)} not a fit? "
                    "Your answer tunes the scoring.",
                },
            },
            {
                "type": "input",
                "block_id": REASON_BLOCK,
                "label": {"type": "plain_text", "text": "Reason"},
                "element": {"type": "radio_buttons", "action_id": REASON_BLOCK, "options": options},
            },
            {
                "type": "input",
                "block_id": NOTE_BLOCK,
                "optional": True,
                "label": {"type": "plain_text", "text": "Note"},
                "element": {
                    "type": "plain_text_input",
                    "action_id": NOTE_BLOCK,
                    "max_length": MAX_NOTE,
                },
            },
        ],
    }


def submitted_alert_id(view: dict[str, Any]) -> int | None:
    try:
        return row_id(json.loads(view.get("private_metadata") or "{}")["alert_id"])
    except (ValueError, KeyError, TypeError):
        return None


def submitted_reason(view: dict[str, Any]) -> str:
    """ "too small", or "other: <note>" when a note was given."""
    values = (view.get("state") or {}).get("values") or {}
    chosen = (values.get(REASON_BLOCK, {}).get(REASON_BLOCK) or {}).get("selected_option") or {}
    reason = chosen.get("value") if chosen.get("value") in REASONS else "other"
    note = ((values.get(NOTE_BLOCK, {}).get(NOTE_BLOCK) or {}).get("value") or "").strip()
    return f"{reason}: {note[:MAX_NOTE]}" if note else str(reason)
