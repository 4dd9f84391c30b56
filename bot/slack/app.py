"""Build the Bolt app around the shared services."""

from __future__ import annotations

from slack_bolt import App

from bot.listeners import register_all
from bot.services import Services
from bot.slack.errors import register_error_handler
from bot.slack.verification import QuietRequestVerification


def create_bolt_app(services: Services, *, socket_mode: bool = False) -> App:
    """The Bolt app with every listener registered.

    ``process_before_response`` makes Slack's 200 mean "handled": an event is
    ingested before Slack hears back, so a crash makes Slack retry it (and the
    event id deduplicates the retry). Slow work runs in lazy listeners after ack.
    """
    settings = services.settings
    secret = settings.slack_signing_secret or ""
    # Ours instead of Bolt's, in the same place (before authorization): 401, not 500,
    # for garbage headers, and no request body in the log.
    verification = None if socket_mode else QuietRequestVerification(secret)
    return App(
        client=services.client,
        signing_secret=secret,
        request_verification_enabled=False,
        before_authorize=verification,
        token_verification_enabled=False,
        process_before_response=True,
        raise_error_for_unhandled_request=False,
    )


def build(services: Services, *, socket_mode: bool = False) -> App:
    app = create_bolt_app(services, socket_mode=socket_mode)
    register_all(app, services)
    register_error_handler(app)
    return app
