"""The serving process: HTTP app, Bolt app and background workers together."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

from slack_bolt import App
from starlette.applications import Starlette

from bot.background import Worker, make_workers, start_workers, stop_workers
from bot.http.app import create_http_app
from bot.services import Services
from bot.slack.app import build


@dataclass
class Server:
    services: Services
    bolt: App
    http: Starlette
    workers: list[Worker]


def create_server(services: Services, *, socket_mode: bool = False, workers: bool = True) -> Server:
    """Everything ``leadscore serve`` runs; workers start with the HTTP app's lifespan."""
    bolt = build(services, socket_mode=socket_mode)
    http = create_http_app(services, bolt, slack_events=not socket_mode)
    running = make_workers(services) if workers else []

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        start_workers(running)
        try:
            yield
        finally:
            stop_workers(running)

    http.router.lifespan_context = lifespan
    return Server(services=services, bolt=bolt, http=http, workers=running)
