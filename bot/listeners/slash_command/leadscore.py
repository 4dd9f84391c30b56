"""``/leadscore``: parse, answer, and reply only to the person who asked."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import Respond

from bot.services import Services
from bot.slash_command import answer, parse_command

log = logging.getLogger(__name__)


def answer_leadscore(services: Services) -> Callable[..., None]:
    def handle(command: dict[str, Any], respond: Respond) -> None:
        request = parse_command(command.get("text"))
        message = answer(services, command=request, user_id=str(command.get("user_id", "")))
        try:
            respond(text=message.text, blocks=message.blocks, response_type="ephemeral")
        except Exception:
            log.exception("could not answer /leadscore through its response_url")

    return handle
