"""The manager gate: one Bolt listener middleware in front of every manager-only listener.

Only managers (``LEADSCORE_MANAGER_IDS``) may change how leads are scored:
Apply on the digest, ``/leadscore calibrate``. Anyone else's request is acked
and answered with the listener's own polite ephemeral refusal, and the
listener (so its use case) never runs. Bolt's ``context.user_id`` names the
requester for commands and clicks alike.
"""

from __future__ import annotations

from collections.abc import Callable

from slack_bolt import Ack, BoltContext, BoltResponse, Respond

from bot.services import Services
from bot.settings import Settings
from bot.views.message import Message


def managers_only(
    services: Services, refusal: Callable[[Settings], Message]
) -> Callable[..., BoltResponse | None]:
    """A listener middleware: managers pass on, others hear ``refusal`` and nothing runs."""

    def gate(
        context: BoltContext, ack: Ack, respond: Respond, next: Callable[[], None]
    ) -> BoltResponse | None:
        settings = services.settings
        if settings.is_manager(context.user_id or ""):
            next()
            return None
        acked = ack()
        message = refusal(settings)
        respond(
            text=message.text,
            blocks=message.blocks or None,
            response_type="ephemeral",
            replace_original=False,
        )
        return acked

    return gate
