"""What listeners, endpoints, jobs and commands share, built once per process."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from slack_sdk import WebClient
from sqlalchemy import Engine

from bot.ingest import Ingestor, RuleBook
from bot.ingest.service import utc_now
from bot.settings import Settings
from bot.slack.retries import without_post_retries
from scoring.accounts import bundled_free_mail, parse_domain_list


def new_job_holder() -> str:
    """``host:pid:random``: readable in the job runs table, unique per process."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


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
    job_holder: str = field(default_factory=new_job_holder)
    """Who holds this process's job leases; one name for all its jobs, new per process."""
    digest_channel_warned: bool = False
    """The missing ``LEADSCORE_DIGEST_CHANNEL`` was logged (once per process)."""

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
    web = without_post_retries(web)
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
