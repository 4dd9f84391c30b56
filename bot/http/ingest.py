"""``POST /ingest``: signed batches of events from a CRM or marketing tool."""

from __future__ import annotations

import json
import logging
import time
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from bot.http.group_commit import GroupCommit
from bot.http.signature import check
from bot.ingest import Ingestor, IngestResult, Item, NoRuleSetError
from bot.logs import redact

log = logging.getLogger(__name__)

MAX_BODY = 5 * 1024 * 1024
MAX_EVENTS = 1_000


class BodyTooLarge(Exception):
    pass


async def read_limited(request: Request, limit: int = MAX_BODY) -> bytes:
    """Read the body, refusing early (by header or while streaming) past ``limit``."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge
    chunks = bytearray()
    async for chunk in request.stream():
        chunks += chunk
        if len(chunks) > limit:
            raise BodyTooLarge
    return bytes(chunks)


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def parse_body(body: bytes) -> list[Item]:
    """Turn the body into items; raises ValueError with a message for a 400."""
    try:
        data = json.loads(body, parse_constant=_refuse_constant)
    except (ValueError, RecursionError) as exc:
        raise ValueError(f"body is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise ValueError('body must be a JSON object: {"events": [...]} or one event')
    if "events" not in data:
        return [Item(position="event", data=data, index=0)]
    events = data["events"]
    if not isinstance(events, list) or not 1 <= len(events) <= MAX_EVENTS:
        raise ValueError(f'"events" must be a list of 1 to {MAX_EVENTS:,} events')
    return [Item(position=f"events[{i}]", data=e, index=i) for i, e in enumerate(events)]


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def _log_batch(result: IngestResult, requests: int, started: float) -> None:
    """One line per stored batch: counts and timing, and the first reason if any were refused.

    A batch is one transaction, which may hold several concurrent requests
    (``bot.http.group_commit``).

    Reasons can quote the sender's input (an attribute key, say), so they are
    redacted here rather than trusting the handler's filter.
    """
    fields: dict[str, object] = {
        "source": "webhook",
        "requests": requests,
        "events": len(result.outcomes),
        "accepted": result.accepted,
        "duplicates": result.duplicates,
        "rejected": len(result.rejected),
        "alerts": len(result.alert_ids),
        "duration_ms": round((time.perf_counter() - started) * 1000, 1),
    }
    if result.rejected:
        first = result.rejected[0]
        fields["first_rejected"] = first.position
        fields["first_error"] = redact(first.error)[:300]
    log.info("ingest batch", extra=fields)


def ingest_endpoint(ingestor: Ingestor, secret: str | None) -> Any:
    """Build the Starlette endpoint bound to an ingestor and the shared secret."""
    group = GroupCommit(ingestor, source="webhook", on_committed=_log_batch)

    async def endpoint(request: Request) -> JSONResponse:
        if not secret:
            return _error(404, "ingest is disabled: set LEADSCORE_INGEST_SECRET")
        try:
            body = await read_limited(request)
        except BodyTooLarge:
            return _error(413, f"body is larger than {MAX_BODY // (1024 * 1024)} MiB")
        problem = check(
            secret=secret,
            timestamp=request.headers.get("x-leadscore-timestamp"),
            signature=request.headers.get("x-leadscore-signature"),
            body=body,
            now=time.time(),
        )
        if problem:
            log.warning("ingest refused", extra={"status": 401, "reason": problem})
            return _error(401, problem)
        try:
            items = parse_body(body)
        except ValueError as exc:
            log.warning("ingest refused", extra={"status": 400, "reason": redact(str(exc))})
            return _error(400, str(exc))
        try:
            result = await group.ingest(items)
        except NoRuleSetError as exc:
            return _error(503, str(exc))
        return JSONResponse(
            {
                "accepted": result.accepted,
                "duplicates": result.duplicates,
                "rejected": [
                    {"index": r.index, "id": r.id, "error": r.error} for r in result.rejected
                ],
            }
        )

    return endpoint
