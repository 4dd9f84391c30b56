"""Which Slack calls the HTTP transport may send twice, and which it never may.

slack_sdk's ``WebClient`` re-sends a request once when the connection breaks
(``ConnectionErrorRetryHandler``). For ``chat.postMessage`` that is a duplicate
whenever Slack stored the message and only the answer was lost. Posts are
therefore never re-sent by the transport: the alert outbox retries them, after
looking the alert up by its metadata (``bot.alerts.recovery``). Reads and edits
(``conversations.history``, ``chat.update``) are safe to repeat and keep the retry.
"""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler
from slack_sdk.http_retry.handler import RetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

NEVER_RESENT = ("chat.postMessage", "chat.postEphemeral", "chat.scheduleMessage", "files.upload")
"""Methods whose repetition makes a second message: their retries belong to the outbox."""


def never_resent(url: str) -> bool:
    method = url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]
    return method in NEVER_RESENT


class IdempotentConnectionRetry(ConnectionErrorRetryHandler):
    """slack_sdk's connection-error retry, except for methods that post a message."""

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if never_resent(request.url):
            return False
        return super()._can_retry(state=state, request=request, response=response, error=error)


def without_post_retries(client: WebClient) -> WebClient:
    """``client`` with every connection-error retry handler replaced by the safe one."""
    handlers: list[RetryHandler] = [
        IdempotentConnectionRetry() if type(handler) is ConnectionErrorRetryHandler else handler
        for handler in client.retry_handlers
    ]
    client.retry_handlers = handlers
    return client
