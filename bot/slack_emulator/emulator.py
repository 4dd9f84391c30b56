"""``SlackEmulator``: the one object tests and ``leadscore demo`` hold.

It owns the workspace state, the call log and the fault plan, and runs the
HTTP server that answers ``WebClient(base_url=emulator.api_url)``.
"""

from __future__ import annotations

import itertools
import secrets
from types import TracebackType
from typing import Any

from bot.slack_emulator.calls import RESPONSE_URL, CallLog, RecordedCall
from bot.slack_emulator.dispatch import API_PREFIX, RESPONSE_PREFIX, Dispatcher
from bot.slack_emulator.faults import DROPPED_ANSWER, FaultPlan, make_fault
from bot.slack_emulator.server import EmulatorServer
from bot.slack_emulator.workspace import Workspace


class SlackEmulator:
    """A local stand-in for Slack's Web API that records calls and injects faults."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        bot_user_id: str = "UBOT",
        team_id: str = "T0001",
    ) -> None:
        self._host = host
        self._port = port
        self.workspace = Workspace(bot_user_id=bot_user_id, team_id=team_id)
        self._log = CallLog()
        self._faults = FaultPlan()
        self._server: EmulatorServer | None = None
        self._response_serial = itertools.count(1)

    def start(self) -> SlackEmulator:
        """Bind (a free port when ``port=0``) and serve from a daemon thread."""
        if self._server is not None:
            raise RuntimeError("SlackEmulator is already started")
        dispatcher = Dispatcher(workspace=self.workspace, calls=self._log, faults=self._faults)
        self._server = EmulatorServer((self._host, self._port), dispatcher)
        self.workspace.base_url = self.base_url
        self._server.start()
        return self

    def stop(self) -> None:
        """Stop serving and release the port; calling it twice is harmless."""
        server, self._server = self._server, None
        if server is not None:
            server.stop()

    def __enter__(self) -> SlackEmulator:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError("SlackEmulator is not started: call start() or use `with`")
        return f"http://{self._host}:{self._server.port}/"

    @property
    def api_url(self) -> str:
        """Pass as ``WebClient(base_url=...)``; the trailing slash matters to urljoin."""
        return self.base_url + API_PREFIX.lstrip("/")

    @property
    def response_url_base(self) -> str:
        return self.base_url + RESPONSE_PREFIX.lstrip("/")

    def new_response_url(self) -> str:
        """A fresh ``response_url`` for a slash command or interaction payload."""
        return f"{self.response_url_base}{next(self._response_serial)}-{secrets.token_hex(4)}"

    @property
    def calls(self) -> list[RecordedCall]:
        return self._log.calls

    def calls_to(self, method: str) -> list[RecordedCall]:
        return self._log.to(method)

    def responses(self) -> list[RecordedCall]:
        """What our app POSTed to response URLs (``respond()`` in Bolt)."""
        return self._log.to(RESPONSE_URL)

    def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[RecordedCall]:
        """For work done off the request thread (lazy listeners, the outbox, the scheduler)."""
        return self._log.wait_for(method, count, timeout)

    def fail_next(
        self,
        method: str,
        *,
        status: int = 500,
        error: str | None = None,
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next ``times`` calls to ``method`` (``"*"``: any method) with a fault."""
        fault = make_fault(status=status, error=error, retry_after=retry_after)
        self._faults.queue(method, fault, times)

    def drop_answers(self, method: str = "chat.postMessage", *, times: int = 1) -> None:
        """Do the next ``times`` calls to ``method``, then drop the connection unanswered.

        What a network failure after Slack stored a message looks like: the message
        is in the channel, the caller sees a broken connection and no ``ts``.
        """
        self._faults.queue(method, DROPPED_ANSWER, times)

    def fail_for(
        self,
        method: str,
        *,
        seconds: float,
        status: int = 429,
        retry_after: int = 1,
        error: str | None = None,
    ) -> None:
        """Answer every call to ``method`` with a fault for ``seconds`` of wall-clock time."""
        fault = make_fault(status=status, error=error, retry_after=retry_after)
        self._faults.hold(method, fault, seconds)

    def reset(self) -> None:
        """Forget calls, faults, messages, views and files; users set with ``set_user`` stay."""
        self._log.clear()
        self._faults.clear()
        self.workspace.reset()

    @property
    def messages(self) -> dict[str, list[dict[str, Any]]]:
        """Channel id -> messages now in it, oldest first (live; edited by ``chat.update``)."""
        return self.workspace.messages

    @property
    def files(self) -> dict[str, dict[str, Any]]:
        """File id -> upload metadata, with the received bytes under ``"content"``."""
        return self.workspace.files

    def uploaded_bytes(self, file_id: str) -> bytes:
        content = self.workspace.files[file_id]["content"]
        if content is None:
            raise AssertionError(f"no bytes were uploaded for {file_id}")
        return bytes(content)

    def set_user(self, user_id: str, **profile: Any) -> None:
        """Shape what ``users.info`` returns, e.g. ``tz="Europe/Paris", is_admin=True``."""
        self.workspace.set_user(user_id, profile)
