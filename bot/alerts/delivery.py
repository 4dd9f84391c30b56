"""Posting due alerts from the outbox: each one exactly once, whatever fails.

Each claim takes one alert: claim the row (a lease, see ``storage.outbox``), look it
up in the channel if an earlier attempt may have reached Slack, post it with
its ``alert_key`` in the message metadata, then mark it sent. A crash between
the post and the mark leaves the row claimed; when the lease runs out the
next attempt finds the message by its key (``recovery``) and records its ts
instead of posting again. Failures never sleep in the calling thread: 429
reschedules the row at ``Retry-After``, 5xx and network errors back off, and
permanent errors mark it failed, logged once.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import timedelta

from slack_sdk.errors import SlackApiError

from bot.alerts.alert_view import AlertMessage
from bot.alerts.drawing import compose_alert
from bot.alerts.recovery import find_posted
from bot.alerts.retry import GiveUp, next_step
from bot.metrics import record_alert_failed, record_alert_sent
from bot.services import Services
from storage.engine import session_scope
from storage.models import Alert
from storage.outbox import claim_due, mark_failed, mark_sent, schedule_retry

log = logging.getLogger(__name__)
LEASE = timedelta(seconds=60)
"""How long a claimed alert is left to its claimer; after a crash, how long it waits."""
POST_BY = LEASE / 2
"""An attempt whose look-up ran past this does not post: the lease must outlive the post
(10 s client timeout), or another replica could take the row and post it too."""


class SlowAttempt(TimeoutError):
    """The look-up took so long that posting now could outlive the lease."""


@dataclass
class DeliveryStats:
    """What one ``deliver_due`` pass did."""

    sent: int = 0
    recovered: int = 0
    retried: int = 0
    failed: int = 0

    @property
    def handled(self) -> int:
        return self.sent + self.recovered + self.retried + self.failed


def deliver_due(services: Services, *, limit: int = 500) -> DeliveryStats:
    """Post every alert that is due now (up to ``limit``); safe to run on every replica."""
    stats = DeliveryStats()
    while stats.handled < limit:
        started = time.monotonic()
        taken = _take_next(services)
        if taken is None:
            break
        deliver_one(services, *taken, started=started, stats=stats)
    return stats


def _take_next(services: Services) -> tuple[Alert, AlertMessage | Exception] | None:
    """Claim the next due alert and draw it, in one short transaction."""
    now = services.clock()
    with session_scope(services.engine) as session:
        claimed = claim_due(session=session, now=now, lease=LEASE)
        if not claimed:
            return None
        try:
            return claimed[0], compose_alert(session, services, claimed[0], now)
        except Exception as error:  # e.g. the lead vanished: a failed attempt, not a crash
            return claimed[0], error


def deliver_one(
    services: Services,
    alert: Alert,
    message: AlertMessage | Exception,
    *,
    started: float,
    stats: DeliveryStats,
) -> None:
    """One attempt at one claimed alert: find it or post it, then record the outcome."""
    assert alert.id is not None
    try:
        if isinstance(message, Exception):
            raise message
        ts = _already_posted(services, alert)
        if ts is not None:
            stats.recovered += 1
            log.info("alert already in Slack, not posted again", extra=_fields(alert, ts=ts))
        else:
            if time.monotonic() - started > POST_BY.total_seconds():
                raise SlowAttempt(f"look-up took over {POST_BY.total_seconds():.0f} s")
            ts = _post(services, alert, message)
            stats.sent += 1
    except Exception as error:
        record_alert_failed()
        _record_failure(services, alert, error, stats)
        return
    record_alert_sent()
    with session_scope(services.engine) as session:
        mark_sent(session=session, alert_id=alert.id, message_ts=ts, now=services.clock())


def _already_posted(services: Services, alert: Alert) -> str | None:
    if alert.attempts <= 1:
        return None
    return find_posted(
        services.client, channel=alert.channel, alert_key=alert.alert_key, since=alert.created_at
    )


def _post(services: Services, alert: Alert, message: AlertMessage) -> str:
    response = services.client.chat_postMessage(
        channel=alert.channel,
        text=message.text,
        blocks=message.blocks,
        metadata=message.metadata,
        unfurl_links=False,
        unfurl_media=False,
    )
    return str(response["ts"])


def _record_failure(
    services: Services, alert: Alert, error: Exception, stats: DeliveryStats
) -> None:
    assert alert.id is not None
    now = services.clock()
    step = next_step(error, attempt=alert.attempts, now=now, created_at=alert.created_at)
    with session_scope(services.engine) as session:
        if isinstance(step, GiveUp):
            mark_failed(session=session, alert_id=alert.id, error=step.error)
        else:
            schedule_retry(session=session, alert_id=alert.id, at=step.at, error=step.error)
    if isinstance(step, GiveUp):
        stats.failed += 1
        log.warning(
            "alert failed for good; managers see it in /leadscore help",
            extra=_fields(alert, error=step.error),
        )
        return
    stats.retried += 1
    unexpected = not isinstance(error, SlackApiError | OSError)
    quiet = step.rate_limited or alert.attempts > 1
    log.log(
        logging.ERROR if unexpected else logging.INFO if quiet else logging.WARNING,
        "alert not posted yet, will retry",
        extra=_fields(alert, error=step.error, retry_at=step.at.isoformat()),
        exc_info=unexpected,
    )


def _fields(alert: Alert, **extra: object) -> dict[str, object]:
    return {
        "alert": alert.alert_key,
        "channel": alert.channel,
        "attempt": alert.attempts,
        **extra,
    }
