"""The socket side: a stdlib threading HTTP server on loopback, in a daemon thread.

Standard library only so it binds and serves in milliseconds and adds no
event loop to tests; all Slack behaviour lives in ``Dispatcher``.
"""

from __future__ import annotations

import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from bot.slack_emulator.dispatch import Dispatcher, Reply, Request

logger = logging.getLogger(__name__)


class _Handler(BaseHTTPRequestHandler):
    server: EmulatorServer
    server_version = "SlackEmulator/1.0"

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def _serve(self) -> None:
        url = urlsplit(self.path)
        request = Request(
            http_method=self.command,
            path=url.path,
            query=url.query,
            headers={key.lower(): value for key, value in self.headers.items()},
            body=self._read_body(),
        )
        try:
            reply = self.server.dispatcher.handle(request)
        except Exception as error:  # a bug here must reach the test, not kill the socket
            logger.exception("Slack emulator failed on %s %s", self.command, self.path)
            reply = Reply.json(500, {"ok": False, "error": f"emulator_error: {error!r}"})
        if reply.dropped:
            self.close_connection = True
            return
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        self.wfile.write(reply.body)

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while size := int(self.rfile.readline().split(b";")[0].strip() or b"0", 16):
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            self.rfile.readline()
            return b"".join(chunks)
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("slack emulator: " + format, *args)


class EmulatorServer(ThreadingHTTPServer):
    """Serves one ``Dispatcher``; ``stop`` returns within one poll interval."""

    daemon_threads = True
    request_queue_size = 128  # the default 5 drops bursts of connections for a 1 s SYN retry
    _POLL_SECONDS = 0.05

    def __init__(self, address: tuple[str, int], dispatcher: Dispatcher) -> None:
        super().__init__(address, _Handler)
        self.dispatcher = dispatcher
        self._thread = threading.Thread(
            target=self.serve_forever,
            kwargs={"poll_interval": self._POLL_SECONDS},
            name=f"slack-emulator-{self.server_address[1]}",
            daemon=True,
        )

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self.shutdown()
        self.server_close()
        self._thread.join()
