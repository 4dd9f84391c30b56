"""What listeners, endpoints, jobs and commands share, built once per process."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from slack_sdk import WebClient
from sqlalchemy import Engine

from bot.ingest import Ingestor, RuleBook
from bot.ingest.service import utc_now
from bot.settings import Settings
from scoring.accounts import bundled_free_mail, parse_domain_list


@dataclass
class Services:
    """The process-wide collaborators, injected so tests can swap the clock or client."""

    settings: Settings
    engine: Engine
    client: WebClient
    ingestor: Ingestor
    rulebook: RuleBook
    clock: Callable[[], datetime] = utc_now
    alert_listeners: list[Callable[[list[int]], None]] = field(default_factory=list)
    extras: dict[str, Any] = field(default_factory=dict)

    def alerts_queued(self, alert_ids: list[int]) -> None:
        """Called after a commit that queued alerts, so the outbox sender wakes at once."""
        for listener in list(self.alert_listeners):
            listener(alert_ids)


def free_mail_domains(settings: Settings) -> frozenset[str]:
    """LEADSCORE_FREE_MAIL_FILE when set (it replaces the bundled list), else the bundled list."""
    if settings.free_mail_file is None:
        return bundled_free_mail()
    return parse_domain_list(settings.free_mail_file.read_text(encoding="utf-8"))


def build_services(
    settings: Settings,
    *,
    engine: Engine,
    client: WebClient | None = None,
    clock: Callable[[], datetime] = utc_now,
) -> Services:
    """Wire the default collaborators for a settings object."""
    rulebook = RuleBook()
    web = client or WebClient(
        token=settings.slack_bot_token, base_url=settings.slack_api_url, timeout=10
    )
    ingestor = Ingestor(
        engine=engine,
        rulebook=rulebook,
        clock=lambda: clock(),
        free_mail=free_mail_domains(settings),
        timezone=settings.timezone,
    )
    services = Services(
        settings=settings,
        engine=engine,
        client=web,
        ingestor=ingestor,
        rulebook=rulebook,
        clock=clock,
    )
    ingestor.on_alerts = services.alerts_queued
    return services
