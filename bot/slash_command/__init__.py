"""``/leadscore``: parse what was typed, answer it as a Block Kit message.

Kept apart from Bolt so the answers can be exercised (and reused by the demo)
without a Slack request; the listener only acks and posts the answer.
"""

from __future__ import annotations

from bot.slash_command.answer import answer
from bot.slash_command.lead import load_card
from bot.slash_command.parse import Command, parse_command

__all__ = ["Command", "answer", "load_card", "parse_command"]
