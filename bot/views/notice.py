"""One-paragraph answers: refusals, "not available yet", apologies."""

from __future__ import annotations

from bot.views.limits import section
from bot.views.message import Message


def notice_message(text: str, *, fallback: str | None = None) -> Message:
    """``text`` in mrkdwn; ``fallback`` is the plain notification text (defaults to it)."""
    return Message(text=fallback or text, blocks=[section(text)])
