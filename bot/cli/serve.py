"""``leadscore serve [--host --port --socket-mode]``.

Both modes serve ``/ingest``, ``/healthz`` and ``/metrics`` over HTTP and run
the background workers (the HTTP app's lifespan starts and stops them). In
HTTP mode Slack posts to ``/slack/events`` too; in Socket Mode Slack's
requests come over a WebSocket the app opens, so no public URL is needed.
"""

from __future__ import annotations

import logging

import click
import uvicorn
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.cli.common import BadInput, command, console
from bot.heap import settle_startup_heap
from bot.logs import configure_logging
from bot.rules_admin import sync_startup_rules
from bot.runtime import open_services
from bot.server import Server, create_server
from bot.settings import load_settings
from bot.slack.socket_mode import SocketModeLink, SocketModeRefused

log = logging.getLogger(__name__)
ROUTES = "/ingest, /healthz, /metrics"


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind.")
@click.option("--port", default=3000, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--socket-mode", is_flag=True, help="Connect to Slack over Socket Mode (needs SLACK_APP_TOKEN)."
)
@command
def serve(host: str, port: int, socket_mode: bool) -> None:
    """Run the Slack app, the ingest webhook and the scheduled jobs."""
    settings = load_settings()
    settings.require("SLACK_BOT_TOKEN")
    settings.require("SLACK_APP_TOKEN" if socket_mode else "SLACK_SIGNING_SECRET")
    _check_token(WebClient(settings.slack_bot_token, base_url=settings.slack_api_url, timeout=10))
    configure_logging()
    services = open_services(settings)
    sync_startup_rules(services)
    server = create_server(services, socket_mode=socket_mode)
    if not socket_mode:
        console.print(f"leadscore listening on http://{host}:{port} (/slack/events, {ROUTES})")
        _run_http(server, host, port)
        return
    link = SocketModeLink(server.bolt, settings.slack_app_token or "")
    try:
        link.open()
    except SocketModeRefused as exc:
        raise BadInput(str(exc)) from None
    server.workers.append(link)  # the lifespan closes it with the other workers
    console.print(f"leadscore connected to Slack over Socket Mode; http://{host}:{port} ({ROUTES})")
    _run_http(server, host, port)


def _run_http(server: Server, host: str, port: int) -> None:
    """Serve until SIGINT/SIGTERM; ``log_config=None`` keeps uvicorn on our logfmt handler."""
    settle_startup_heap()
    uvicorn.run(server.http, host=host, port=port, log_level="warning", log_config=None)


def _check_token(client: WebClient) -> None:
    """Refuse to start with a bot token Slack rejects, before touching the database."""
    try:
        client.auth_test()
    except SlackApiError as exc:
        error = exc.response.get("error", "unknown error")
        raise BadInput(
            f"SLACK_BOT_TOKEN was refused by Slack ({error}): copy the Bot User OAuth Token "
            "again from OAuth & Permissions"
        ) from None
    except OSError as exc:
        raise BadInput(f"cannot reach Slack at SLACK_API_URL: {exc}") from None
