"""``leadscore serve [--host --port --socket-mode]``."""

from __future__ import annotations

import logging

import click
import uvicorn
from slack_sdk.errors import SlackApiError

from bot.cli.common import BadInput, command, console
from bot.logs import configure_logging
from bot.rules_admin import sync_startup_rules
from bot.runtime import open_services
from bot.server import create_server
from bot.settings import load_settings

log = logging.getLogger(__name__)


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind.")
@click.option("--port", default=3000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--socket-mode", is_flag=True, help="Connect to Slack over Socket Mode.")
@command
def serve(host: str, port: int, socket_mode: bool) -> None:
    """Run the Slack app, the ingest webhook and the scheduled jobs."""
    settings = load_settings()
    settings.require("SLACK_BOT_TOKEN")
    settings.require("SLACK_APP_TOKEN" if socket_mode else "SLACK_SIGNING_SECRET")
    configure_logging()
    services = open_services(settings)
    sync_startup_rules(services)
    _check_token(services.client)
    server = create_server(services, socket_mode=socket_mode)
    if socket_mode:
        _run_socket_mode(server, settings.slack_app_token or "")
        return
    console.print(f"leadscore listening on http://{host}:{port} (/slack/events, /ingest)")
    uvicorn.run(server.http, host=host, port=port, log_level="warning")


def _check_token(client: object) -> None:
    try:
        client.auth_test()  # type: ignore[attr-defined]
    except SlackApiError as exc:
        error = exc.response.get("error", "unknown error")
        raise BadInput(
            f"SLACK_BOT_TOKEN was refused by Slack ({error}): copy the Bot User OAuth Token "
            "again from OAuth & Permissions"
        ) from None
    except OSError as exc:
        raise BadInput(f"cannot reach Slack at SLACK_API_URL: {exc}") from None


def _run_socket_mode(server: object, app_token: str) -> None:
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    from bot.background import start_workers, stop_workers

    workers = server.workers  # type: ignore[attr-defined]
    start_workers(workers)
    try:
        SocketModeHandler(server.bolt, app_token).start()  # type: ignore[attr-defined]
    finally:
        stop_workers(workers)
