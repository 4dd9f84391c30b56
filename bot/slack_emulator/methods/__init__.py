"""The Web API methods the emulator answers, by Slack method name."""

from __future__ import annotations

from bot.slack_emulator.methods import chat, conversations, files, people, views
from bot.slack_emulator.methods.common import Method, MethodError

METHODS: dict[str, Method] = {
    **chat.METHODS,
    **conversations.METHODS,
    **files.METHODS,
    **people.METHODS,
    **views.METHODS,
}

__all__ = ["METHODS", "Method", "MethodError"]
