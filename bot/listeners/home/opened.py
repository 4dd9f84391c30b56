"""``app_home_opened``: publish the user's Home tab, fresh each time they open it.

What the tab shows is built by ``bot.routing.home.home_for``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.routing.home import home_for
from bot.services import Services

log = logging.getLogger(__name__)


def publish_home(services: Services) -> Callable[..., None]:
    def handle(event: dict[str, Any], client: WebClient) -> None:
        if event.get("tab", "home") != "home" or not event.get("user"):
            return
        user_id = str(event["user"])
        try:
            client.views_publish(user_id=user_id, view=home_for(services, user_id))
        except SlackApiError as error:
            log.warning("App Home for %s not published: %s", user_id, error.response.get("error"))
        except Exception:
            log.exception("App Home for %s failed", user_id)

    return handle
