"""``app_home_opened``: publish the user's Home tab, fresh each time they open it."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.ingest.rulebook import NoRuleSetError
from bot.routing.home import my_accounts
from bot.services import Services
from bot.views.home import home_view
from storage.engine import read_scope
from storage.home import claimed_leads, unclaimed_hot_leads
from storage.rule_sets import active_version

log = logging.getLogger(__name__)


def home_for(services: Services, user_id: str) -> dict[str, Any]:
    """The Home view for ``user_id`` as of now."""
    with read_scope(services.engine) as session:
        version = active_version(session=session)
        claimed = claimed_leads(session=session, user_id=user_id)
        try:
            hot_at = services.rulebook.active(session).rule_set.thresholds.hot
        except NoRuleSetError:
            hot = []
        else:
            hot = unclaimed_hot_leads(session=session, min_score=hot_at)
    return home_view(
        accounts=my_accounts(services, user_id),
        claimed=claimed,
        hot=hot,
        version=version,
        zone=services.settings.zone,
        now=services.clock(),
    )


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
