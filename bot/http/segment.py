"""The Segment-spec tracking API (``/v1/batch``, ``/v1/identify`` ...) and ``/v1/webhook``.

Analytics libraries and CDPs (Segment's own, RudderStack, Jitsu) send here
as they would to Segment's HTTP API; Segment's Webhooks destination
forwards one signed message per request. Both go through the ingest path's
group commit and answer ``200 {"success": true}`` once stored.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from datetime import datetime

from starlette.requests import Request
from starlette.responses import JSONResponse

from bot.http.group_commit import GroupCommit
from bot.http.ingest import BodyTooLarge, read_limited
from bot.http.segment_body import (
    MAX_REQUEST,
    BadRequest,
    TooLarge,
    basic_auth_ok,
    decoded,
    envelopes,
    signature_ok,
    write_key_ok,
)
from bot.ingest import IngestResult, Item, NoRuleSetError
from bot.logs import redact
from bot.segment.intake import SegmentIntake

log = logging.getLogger(__name__)

ROUTES = ("identify", "track", "page", "screen", "group", "alias")
Endpoint = Callable[[Request], Awaitable[JSONResponse]]
_WHO = "HTTP Basic with the write key as user name, or the write key as the body's writeKey"


def _error(status: int, code: str, message: str) -> JSONResponse:
    """Errors as Segment's API gives them, which its libraries log by ``code`` and ``message``."""
    headers = {"WWW-Authenticate": 'Basic realm="leadscore"'} if status == 401 else None
    return JSONResponse(
        {"success": False, "code": code, "message": message}, status_code=status, headers=headers
    )


def _log_batch(source: str) -> Callable[[IngestResult, int, float], None]:
    def logged(result: IngestResult, requests: int, started: float) -> None:
        fields: dict[str, object] = {
            "source": source,
            "requests": requests,
            "events": len(result.outcomes),
            "accepted": result.accepted,
            "duplicates": result.duplicates,
            "rejected": len(result.rejected),
            "duration_ms": round((time.perf_counter() - started) * 1000, 1),
        }
        if result.rejected:
            fields["first_error"] = redact(result.rejected[0].error)[:300]
        log.info("segment batch", extra=fields)

    return logged


class SegmentEndpoints:
    """The routes' shared state: the intake, one group commit per source, the secrets."""

    def __init__(
        self,
        intake: SegmentIntake,
        *,
        write_key: str | None,
        webhook_secret: str | None,
        clock: Callable[[], datetime],
    ) -> None:
        self.write_key = write_key or None
        self.webhook_secret = webhook_secret or None
        self.clock = clock
        self.api = GroupCommit(intake, source="segment", on_committed=_log_batch("segment"))
        self.webhook = GroupCommit(
            intake, source="segment_webhook", on_committed=_log_batch("segment_webhook")
        )

    def tracking(self, route_type: str | None) -> Endpoint:
        """``/v1/batch`` (``route_type`` None) or one of the single-message routes."""

        async def endpoint(request: Request) -> JSONResponse:
            if self.write_key is None:
                return _error(404, "disabled", "set LEADSCORE_SEGMENT_WRITE_KEY to enable /v1/*")
            header = request.headers.get("authorization")
            if header and not basic_auth_ok(header, self.write_key):
                return _unauthorized()
            try:
                plain = decoded(
                    await read_limited(request, MAX_REQUEST),
                    request.headers.get("content-encoding"),
                )
            except (BodyTooLarge, TooLarge):
                return _too_large()
            except BadRequest as exc:
                if not header:  # no credentials to be read from it
                    return _unauthorized()
                return _bad_request(exc)
            if not write_key_ok(header, plain, self.write_key):
                return _unauthorized()
            return await self._store(plain, route_type, self.api, corrected=False)

        return endpoint

    async def webhook_endpoint(self, request: Request) -> JSONResponse:
        """Segment's Webhooks destination: ``X-Signature`` is the body's hex HMAC-SHA1."""
        if self.webhook_secret is None:
            return _error(404, "disabled", "set LEADSCORE_SEGMENT_WEBHOOK_SECRET to enable it")
        try:
            body = await read_limited(request, MAX_REQUEST)
        except BodyTooLarge:
            return _too_large()
        if not signature_ok(request.headers.get("x-signature"), self.webhook_secret, body):
            log.warning("segment webhook refused", extra={"status": 401})
            return _error(401, "unauthorized", "X-Signature does not match the body")
        try:
            plain = decoded(body, request.headers.get("content-encoding"))
        except TooLarge:
            return _too_large()
        except BadRequest as exc:
            return _bad_request(exc)
        return await self._store(plain, None, self.webhook, corrected=True)

    async def _store(
        self, plain: bytes, route_type: str | None, group: GroupCommit, *, corrected: bool
    ) -> JSONResponse:
        """Store the (gunzipped) body's messages; the answer Segment's libraries expect."""
        received_at = self.clock()
        try:
            items = envelopes(
                plain, received_at=received_at, route_type=route_type, corrected=corrected
            )
        except BadRequest as exc:
            return _bad_request(exc)
        try:
            result = await group.ingest(items)
        except NoRuleSetError as exc:
            return _error(503, "unavailable", str(exc))
        return _answer(items, result)


def _unauthorized() -> JSONResponse:
    return _error(401, "unauthorized", _WHO)


def _bad_request(exc: BadRequest) -> JSONResponse:
    log.warning("segment request refused", extra={"status": 400, "reason": redact(str(exc))})
    return _error(400, "invalid_request", str(exc))


def _too_large() -> JSONResponse:
    return _error(413, "payload_too_large", f"a request may be at most {MAX_REQUEST // 1024} KB")


def _answer(items: list[Item], result: IngestResult) -> JSONResponse:
    """``{"success": true}``; refused messages are listed (and kept as dead letters).

    A single-message request whose message was refused gets ``400`` (as
    Segment answers an invalid call): the sender should not retry it.
    """
    if not result.rejected:
        return JSONResponse({"success": True})
    if len(items) == 1 and items[0].position == "message":
        return _error(400, "invalid_message", result.rejected[0].error)
    rejected = [{"index": r.index, "messageId": r.id, "error": r.error} for r in result.rejected]
    return JSONResponse({"success": True, "rejected": rejected})
