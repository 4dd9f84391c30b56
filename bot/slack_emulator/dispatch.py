"""Turns one HTTP request into Slack's answer, and records it.

Kept apart from the socket code so the routing, auth and fault rules read as
a plain function of the request. Order matters: an injected fault answers
first (as a rate limit or outage would, whatever the request), then unknown
methods, then authentication, then the method itself.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

from bot.slack_emulator.calls import RESPONSE_URL, UPLOAD_URL, CallLog, RecordedCall
from bot.slack_emulator.decoding import DecodeError, decode_params, media_type, multipart_parts
from bot.slack_emulator.faults import Fault, FaultPlan
from bot.slack_emulator.methods import METHODS, MethodError
from bot.slack_emulator.workspace import Workspace

API_PREFIX = "/api/"
UPLOAD_PREFIX = "/upload/"
RESPONSE_PREFIX = "/response/"
INVALID_TOKEN = "xoxb-invalid"
_TOKEN_PREFIXES = ("xoxb-", "xoxp-")


@dataclass(frozen=True)
class Request:
    """An HTTP request, transport details removed; header names are lower-case."""

    http_method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Reply:
    status: int
    body: bytes
    content_type: str = "application/json; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    payload: dict[str, Any] | None = None
    dropped: bool = False
    """Close the connection instead of sending this reply (the answer is lost on the way)."""

    @classmethod
    def json(cls, status: int, payload: dict[str, Any], **headers: str) -> Reply:
        body = json.dumps(payload).encode("utf-8")
        return cls(status=status, body=body, headers=dict(headers), payload=payload)

    @classmethod
    def text(cls, status: int, text: str) -> Reply:
        return cls(status=status, body=text.encode("utf-8"), content_type="text/plain")


def auth_error(headers: dict[str, str], params: dict[str, Any]) -> str | None:
    """Slack's answer to a missing or bad token (HTTP 200), or ``None`` when authorised."""
    authorization = headers.get("authorization", "")
    token = authorization.removeprefix("Bearer ").strip() or str(params.get("token") or "")
    if not token:
        return "not_authed"
    if token == INVALID_TOKEN or not token.startswith(_TOKEN_PREFIXES):
        return "invalid_auth"
    return None


class Dispatcher:
    """Routes ``/api/<method>``, upload URLs and response URLs; records every request."""

    def __init__(self, *, workspace: Workspace, calls: CallLog, faults: FaultPlan) -> None:
        self._ws = workspace
        self._calls = calls
        self._faults = faults

    def handle(self, request: Request) -> Reply:
        received = time.monotonic()
        path = request.path
        if path.startswith(API_PREFIX):
            method = path.removeprefix(API_PREFIX)
        elif path.startswith(UPLOAD_PREFIX):
            method = UPLOAD_URL
        elif path.startswith(RESPONSE_PREFIX):
            method = RESPONSE_URL
        else:
            method = path
        params: dict[str, Any] = {}
        fault = None
        try:
            params = self._params(method, request)
            fault = self._faults.take(method)
            if fault is not None and fault.drop_answer:
                reply = self._answer(method, request, params)
                reply.dropped = True
            else:
                reply = fault_reply(fault) if fault else self._answer(method, request, params)
        except DecodeError as error:
            reply = Reply.json(200, {"ok": False, "error": error.error})
        call = RecordedCall(
            method=method,
            params=params,
            headers=request.headers,
            at=received,
            answered_status=reply.status,
            fault=fault.label if fault else None,
            path=path,
            response=reply.payload,
        )
        self._calls.record(call)
        return reply

    def _params(self, method: str, request: Request) -> dict[str, Any]:
        if method == UPLOAD_URL:
            return {"file_id": request.path.removeprefix(UPLOAD_PREFIX), **_upload(request)}
        content_type = request.headers.get("content-type", "")
        return decode_params(body=request.body, content_type=content_type, query=request.query)

    def _answer(self, method: str, request: Request, params: dict[str, Any]) -> Reply:
        if method == UPLOAD_URL:
            return self._store_upload(params)
        if method == RESPONSE_URL:
            return Reply.json(200, {"ok": True})
        handler = METHODS.get(method)
        if handler is None:
            payload = {"ok": False, "error": "unknown_method", "req_method": method}
            return Reply.json(404, payload)
        error = auth_error(request.headers, params)
        if error:
            return Reply.json(200, {"ok": False, "error": error})
        with self._ws.lock:
            try:
                payload = {"ok": True, **handler(self._ws, params)}
            except MethodError as failure:
                payload = failure.payload
        return Reply.json(200, payload)

    def _store_upload(self, params: dict[str, Any]) -> Reply:
        with self._ws.lock:
            stored = self._ws.files.get(params["file_id"])
            if stored is None:
                return Reply.text(404, "file_not_found")
            stored["content"] = params["content"]
        return Reply.text(200, f"OK - {len(params['content'])}")


def fault_reply(fault: Fault) -> Reply:
    return Reply.json(fault.status, fault.body(), **fault.headers())


def _upload(request: Request) -> dict[str, Any]:
    """Raw bytes, or the file part of a multipart body.

    slack_sdk POSTs raw bytes with urllib's default ``Content-Type:
    application/x-www-form-urlencoded``, so only multipart is treated specially.
    """
    content_type = request.headers.get("content-type", "")
    if media_type(content_type) == "multipart/form-data":
        parts = multipart_parts(request.body, content_type)
        part = next((p for p in parts if p.filename is not None), parts[0] if parts else None)
        if part is None:
            raise DecodeError("invalid_form_data")
        return {"content": part.data, "filename": part.filename}
    return {"content": request.body}
