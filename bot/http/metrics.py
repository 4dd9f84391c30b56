"""``GET /metrics``: Prometheus text format, for dashboards and alerting on the outbox."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from bot.metrics import CONTENT_TYPE, app_registry, render


def metrics_endpoint(engine: Engine) -> Any:
    """Counters of this process and the outbox depth of ``engine``'s database."""
    registry = app_registry(engine)

    async def endpoint(_request: Request) -> Response:
        body = await run_in_threadpool(render, registry)
        return Response(body, media_type=CONTENT_TYPE)

    return endpoint
