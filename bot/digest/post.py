"""Post the weekly calibration digest: once per ISO week, summary first, chart in its thread.

Idempotent on its own, not only under the scheduler's lease: the report row
of a week records the posted message, so a second call for the same week
(another replica, a retry after a crash) posts nothing. The message ts is
stored right after the summary is posted, before the chart is uploaded, so
a failed upload never causes the summary to be posted twice.
"""

from __future__ import annotations

import logging
from datetime import datetime

from slack_sdk.errors import SlackApiError

from bot.digest.backtest import backtest
from bot.digest.calibration_run import Calibration, run_calibration, save_calibration
from bot.digest.chart import calibration_chart
from bot.digest.report_view import MAX_BLOCKS, report_blocks
from bot.digest.speed_to_lead import load_speed_to_lead, speed_to_lead_blocks
from bot.digest.wording import summary_text
from bot.services import Services
from storage.calibration import mark_posted, report_for_period
from storage.engine import session_scope

log = logging.getLogger(__name__)

WINDOW_DAYS = 90


def _existing(services: Services, period: str) -> tuple[int | None, bool]:
    with session_scope(services.engine) as session:
        row = report_for_period(session=session, period=period)
        if row is None:
            return None, False
        return row.id, row.message_ts is not None


def _upload_chart(services: Services, run: Calibration, channel: str, ts: str, period: str) -> None:
    """The chart in the summary's thread; a failure is logged, the summary stands."""
    try:
        png = calibration_chart(backtest(run))
    except Exception:  # a chart bug must not undo a digest already posted
        log.exception("digest %s: the chart could not be drawn", period)
        return
    try:
        services.client.files_upload_v2(
            channel=channel,
            thread_ts=ts,
            content=png,
            filename=f"calibration-{period}.png",
            title=f"Calibration {period}: conversion by band, current vs suggested rules",
            alt_txt="Bar chart of conversion by score band and by fifth of score, "
            "current rules vs suggested rules, on held-out deals",
        )
    except SlackApiError as exc:
        log.warning("digest %s: chart upload failed: %s", period, exc.response.get("error"))


def post_weekly_digest(services: Services, *, period: str, now: datetime) -> int | None:
    """Post the digest for ISO week ``period`` (e.g. ``2026-W48``); the report id, or None.

    Returns the id of the week's report; when it was already posted, that id
    without posting again. None when ``LEADSCORE_DIGEST_CHANNEL`` is unset
    (logged once per process). Slack errors on the summary propagate, so the
    scheduler can record the failure and try again.
    """
    channel = services.settings.digest_channel
    if not channel:
        if not services.digest_channel_warned:
            services.digest_channel_warned = True
            log.warning("LEADSCORE_DIGEST_CHANNEL is not set: the weekly digest is not posted")
        return None
    report_id, posted = _existing(services, period)
    if posted:
        log.info("digest %s already posted (report %s)", period, report_id)
        return report_id
    run = run_calibration(services, days=WINDOW_DAYS, now=now)
    report_id = save_calibration(services, run, period=period, channel=channel, report_id=report_id)
    title = f"Weekly calibration digest {period}"
    speed = speed_to_lead_blocks(
        load_speed_to_lead(services, days=WINDOW_DAYS, now=now), days=WINDOW_DAYS
    )
    calibration = report_blocks(
        run, title=title, report_id=report_id, max_blocks=MAX_BLOCKS - len(speed)
    )
    response = services.client.chat_postMessage(
        channel=channel,
        text=summary_text(run.report, title=title),
        blocks=[*calibration, *speed],
        unfurl_links=False,
    )
    ts = str(response["ts"])
    posted_channel = str(response.get("channel") or channel)
    with session_scope(services.engine) as session:
        mark_posted(session=session, report_id=report_id, channel=posted_channel, message_ts=ts)
    if run.report.enough_data:
        _upload_chart(services, run, posted_channel, ts, period)
    log.info("digest %s posted to %s (report %s)", period, posted_channel, report_id)
    return report_id
