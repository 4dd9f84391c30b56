"""Slack stores the post, the answer is lost on the way: still exactly one message.

The emulator carries out ``chat.postMessage`` and then closes the connection
without answering, as a network failure after Slack's side committed looks.
Nothing may re-send that post blindly (slack_sdk's connection-error retry
would); the outbox retries, finds the message by its metadata and records it,
even after hundreds of other messages have buried it in a busy channel.
"""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta

import pytest
from freezegun import freeze_time
from slack_sdk import WebClient

from bot.alerts import DeliveryStats, deliver_due
from bot.services import Services
from bot.slack.retries import without_post_retries
from bot.slack_emulator import SlackEmulator
from tests.alerts.conftest import all_alerts, ingest
from tests.reliability.figures import record
from tests.support.events import hot_lead

T0 = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
ALERTS = 40
CHATTER = 650


def _hot_leads(count: int) -> list[dict[str, object]]:
    return [hot_lead(f"lead{i}@acme{i}.io", region="EMEA") for i in range(count)]


def test_forty_lost_answers_give_forty_messages(
    services: Services, emulator: SlackEmulator
) -> None:
    with freeze_time(T0) as clock:
        ids = ingest(services, *_hot_leads(ALERTS))
        assert len(ids) == ALERTS
        emulator.drop_answers("chat.postMessage", times=ALERTS)

        first = deliver_due(services, limit=ALERTS)
        assert first == DeliveryStats(retried=ALERTS)
        assert len(emulator.calls_to("chat.postMessage")) == ALERTS, "no transport re-send"

        clock.tick(timedelta(minutes=10))
        second = deliver_due(services, limit=ALERTS)

    assert second == DeliveryStats(recovered=ALERTS)
    in_channel = len(emulator.messages["C0EMEA"])
    record(
        "lost answers: Slack stored the post, the answer was dropped",
        alerts=ALERTS,
        posts_sent=len(emulator.calls_to("chat.postMessage")),
        messages_in_channel=in_channel,
        recovered_by_lookup=second.recovered,
    )
    assert in_channel == ALERTS, "each alert once in the channel"
    assert {alert.status for alert in all_alerts(services)} == {"sent"}
    assert {alert.message_ts for alert in all_alerts(services)} == {
        message["ts"] for message in emulator.messages["C0EMEA"]
    }


@pytest.mark.slow
def test_a_lost_answer_in_a_busy_channel_is_found_not_reposted(
    services: Services, emulator: SlackEmulator
) -> None:
    with freeze_time(T0) as clock:
        (alert_id,) = ingest(services, hot_lead("ana@acme.io", region="EMEA"))
        emulator.drop_answers("chat.postMessage")
        assert deliver_due(services) == DeliveryStats(retried=1)

        workspace = emulator.workspace
        for n in range(CHATTER):
            workspace.add_message(
                "C0EMEA",
                {
                    "type": "message",
                    "user": "U0TALK",
                    "text": f"chatter {n}",
                    "ts": workspace.next_ts(),
                },
            )
        clock.tick(timedelta(minutes=10))
        assert deliver_due(services) == DeliveryStats(recovered=1)

    ours = [m for m in emulator.messages["C0EMEA"] if m.get("metadata")]
    assert len(ours) == 1
    assert len(emulator.calls_to("chat.postMessage")) == 1, "the lost post was never repeated"
    pages = emulator.calls_to("conversations.history")
    record(
        "lost answer in a busy channel",
        other_messages_since=CHATTER,
        history_pages_read=len(pages),
        our_messages=len(ours),
    )
    assert len(pages) >= CHATTER // 200, "paged back past the chatter"
    assert all(call.params.get("oldest") for call in pages)
    (alert,) = all_alerts(services)
    assert (alert.id, alert.status) == (alert_id, "sent")


def test_slack_sdks_default_retry_would_post_twice_ours_once(emulator: SlackEmulator) -> None:
    """The baseline: slack_sdk re-sends a post whose connection broke; our client does not."""
    plain = WebClient(token="xoxb-test", base_url=emulator.api_url, timeout=5)
    ours = without_post_retries(WebClient(token="xoxb-test", base_url=emulator.api_url, timeout=5))
    sent: dict[str, int] = {}
    for name, client in (("slack_sdk default", plain), ("leadscore", ours)):
        channel = f"C{name[:4].upper().replace(' ', '')}"
        emulator.drop_answers("chat.postMessage")
        with contextlib.suppress(Exception):
            client.chat_postMessage(channel=channel, text="hot lead")
        sent[name] = len(emulator.messages.get(channel, []))
        assert ours.conversations_history(channel=channel)["ok"], "reads still work"
    record("one post whose answer was lost", messages_in_channel=sent)
    assert sent == {"slack_sdk default": 2, "leadscore": 1}
