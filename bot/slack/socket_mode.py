"""The Socket Mode connection, for workspaces where Slack cannot reach a public URL.

It is opened before the HTTP server starts, so a refused app token stops
start-up with one line, and it is then handed to the server as one more
worker so the HTTP app's lifespan closes it on SIGTERM together with the rest
(uvicorn re-raises the signal after shutdown, so code after ``uvicorn.run``
would never run).
"""

from __future__ import annotations

import logging

from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_sdk.errors import SlackApiError

log = logging.getLogger(__name__)


class SocketModeRefused(Exception):
    """Slack (or the network) refused the connection; the message is one line."""


class SocketModeLink:
    """A Bolt app's Socket Mode connection with the ``Worker`` protocol."""

    def __init__(self, bolt: App, app_token: str) -> None:
        self._log = logging.getLogger("bot.socket_mode.client")
        self.handler = SocketModeHandler(bolt, app_token, logger=self._log)

    def open(self) -> None:
        """Connect now; slack_sdk's own multi-line error log is silenced meanwhile."""
        self._log.disabled = True
        try:
            self.handler.connect()
        except SlackApiError as exc:
            self.handler.close()
            error = exc.response.get("error", "unknown error")
            raise SocketModeRefused(
                f"Slack refused the Socket Mode connection ({error}): check that "
                "SLACK_APP_TOKEN is an app-level token with connections:write and that "
                "Socket Mode is enabled for the app"
            ) from None
        except OSError as exc:
            self.handler.close()
            raise SocketModeRefused(f"cannot open the Socket Mode connection: {exc}") from None
        finally:
            self._log.disabled = False
        log.info("socket mode connected", extra={"session": self.handler.client.session_id()})

    def start(self) -> None:
        """Already connected by ``open``; nothing to do when the workers start."""

    def stop(self) -> None:
        self.handler.close()
        log.info("socket mode closed")
