"""The Starlette app: Bolt at /slack/events beside our own endpoints."""

from __future__ import annotations

from slack_bolt import App
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.http.health import health_endpoint
from bot.http.ingest import BodyTooLarge, ingest_endpoint, read_limited
from bot.http.metrics import metrics_endpoint
from bot.http.segment import ROUTES, SegmentEndpoints
from bot.segment.intake import SegmentIntake
from bot.services import Services


def slack_endpoint(bolt: App) -> object:
    """Bolt's dispatch runs in a worker thread so a listener never blocks the event loop."""

    async def endpoint(request: Request) -> Response:
        try:
            body = await read_limited(request)
        except BodyTooLarge:
            return Response("payload too large", status_code=413)
        bolt_response = await run_in_threadpool(bolt.dispatch, to_bolt_request(request, body))
        return to_starlette_response(bolt_response)

    return endpoint


def segment_routes(services: Services) -> list[Route]:
    """The Segment-spec tracking API and the Webhooks destination's endpoint."""
    segment = SegmentEndpoints(
        SegmentIntake(services.ingestor),
        write_key=services.settings.segment_write_key,
        webhook_secret=services.settings.segment_webhook_secret,
        clock=services.clock,
    )
    routes = [Route("/v1/batch", segment.tracking(None), methods=["POST"])]
    routes += [Route(f"/v1/{kind}", segment.tracking(kind), methods=["POST"]) for kind in ROUTES]
    routes.append(Route("/v1/webhook", segment.webhook_endpoint, methods=["POST"]))
    return routes


def create_http_app(services: Services, bolt: App, *, slack_events: bool = True) -> Starlette:
    """All routes of ``leadscore serve``.

    In Socket Mode Slack's requests arrive over the socket and the Bolt app
    does not verify signatures, so ``/slack/events`` is not mounted at all.
    """
    routes = [
        Route(
            "/ingest",
            ingest_endpoint(services.ingestor, services.settings.ingest_secret),
            methods=["POST"],
        ),
        Route("/healthz", health_endpoint(services.engine), methods=["GET"]),
        Route("/metrics", metrics_endpoint(services.engine), methods=["GET"]),
    ]
    routes.extend(segment_routes(services))
    if slack_events:
        endpoint = slack_endpoint(bolt)
        routes.append(Route("/slack/events", endpoint, methods=["POST"]))  # type: ignore[arg-type]
    return Starlette(routes=routes)
