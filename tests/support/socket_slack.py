"""Slack's side of Socket Mode on loopback: the Web API calls it needs and the WebSocket.

The Slack emulator speaks HTTP only; this plays the part of Slack for a
Socket Mode app: ``auth.test`` for the bot token, ``apps.connections.open``
for the app token (answering with this server's ``ws://`` URL), then a
WebSocket that says hello, delivers envelopes and records the app's acks.
"""

from __future__ import annotations

import json
import queue
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from websockets.exceptions import ConnectionClosed
from websockets.sync.server import ServerConnection, serve

GOOD_APP_TOKEN = "xapp-1-A0001-1-good"


class SocketSlack:
    def __init__(self) -> None:
        self.outgoing: queue.Queue[dict[str, Any]] = queue.Queue()
        self.acks: queue.Queue[dict[str, Any]] = queue.Queue()
        self.connected = threading.Event()
        self._ws = serve(self._session, "127.0.0.1", 0)
        ws_port = self._ws.socket.getsockname()[1]
        self._http = ThreadingHTTPServer(("127.0.0.1", 0), _api_handler(ws_port))
        self.api_url = f"http://127.0.0.1:{self._http.server_address[1]}/api/"

    def deliver(self, event_callback: dict[str, Any]) -> str:
        """Send an Events API payload over the socket; returns its envelope id."""
        envelope_id = str(uuid.uuid4())
        self.outgoing.put(
            {
                "envelope_id": envelope_id,
                "type": "events_api",
                "payload": event_callback,
                "accepts_response_payload": False,
                "retry_attempt": 0,
                "retry_reason": "",
            }
        )
        return envelope_id

    def _session(self, connection: ServerConnection) -> None:
        connection.send(json.dumps({"type": "hello", "num_connections": 1}))
        self.connected.set()
        while True:
            try:
                envelope = self.outgoing.get(timeout=0.05)
                connection.send(json.dumps(envelope))
            except queue.Empty:
                pass
            try:
                self.acks.put(json.loads(connection.recv(timeout=0.05)))
            except TimeoutError:
                continue
            except ConnectionClosed:
                return

    @contextmanager
    def running(self) -> Iterator[SocketSlack]:
        threads = [
            threading.Thread(target=self._ws.serve_forever, daemon=True),
            threading.Thread(target=self._http.serve_forever, daemon=True),
        ]
        for thread in threads:
            thread.start()
        try:
            yield self
        finally:
            self._http.shutdown()
            self._ws.shutdown()
            self._http.server_close()


def _api_handler(ws_port: int) -> type[BaseHTTPRequestHandler]:
    class Api(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("content-length") or 0))
            token = self.headers.get("authorization", "").removeprefix("Bearer ")
            method = self.path.removeprefix("/api/")
            if method == "auth.test" and token.startswith("xoxb-"):
                body: dict[str, Any] = {
                    "ok": True,
                    "team_id": "T0001",
                    "user_id": "UBOT",
                    "bot_id": "BBOT",
                }
            elif method == "apps.connections.open" and token == GOOD_APP_TOKEN:
                body = {"ok": True, "url": f"ws://127.0.0.1:{ws_port}/link"}
            elif method in ("auth.test", "apps.connections.open"):
                body = {"ok": False, "error": "invalid_auth"}
            else:
                body = {"ok": False, "error": "unknown_method"}
            data = json.dumps(body).encode()
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *_args: Any) -> None:
            pass

    return Api
