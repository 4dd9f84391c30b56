"""The Slack emulator behaves like Slack for the real slack_sdk client."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator, Sequence
from urllib.parse import parse_qs

import httpx
import pytest
from freezegun import freeze_time
from slack_bolt import Ack, App, BoltRequest, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.signature import SignatureVerifier

from bot.slack_emulator import (
    UPLOAD_URL,
    SlackEmulator,
    block_actions_body,
    event_callback_body,
    signed_headers,
    slash_command_body,
)

ALERT_METADATA = {"event_type": "lead_alert", "event_payload": {"lead_id": 42, "cycle": 3}}
SECTION = {"type": "section", "text": {"type": "mrkdwn", "text": "*Acme* is hot"}}


@pytest.fixture
def emu() -> Iterator[SlackEmulator]:
    with SlackEmulator() as emulator:
        yield emulator


@pytest.fixture
def client(emu: SlackEmulator) -> WebClient:
    return WebClient(token="xoxb-test", base_url=emu.api_url)


def slack_error(call: object) -> SlackApiError:
    with pytest.raises(SlackApiError) as caught:
        call()  # type: ignore[operator]
    return caught.value


def test_auth_test_names_the_bot(emu: SlackEmulator, client: WebClient) -> None:
    answer = client.auth_test()
    assert (answer["user_id"], answer["bot_id"], answer["team_id"]) == ("UBOT", "BBOT", "T0001")
    assert answer["url"].startswith("https://")
    assert emu.calls_to("auth.test")[0].headers["authorization"] == "Bearer xoxb-test"


def test_an_alert_is_posted_updated_and_found_again_by_its_metadata(
    emu: SlackEmulator, client: WebClient
) -> None:
    first = client.chat_postMessage(channel="C_MISSING", text="older", blocks=[SECTION])
    alert = client.chat_postMessage(channel="C_MISSING", text="Acme", metadata=ALERT_METADATA)
    assert alert["channel"] == "C_MISSING"
    assert float(alert["ts"]) > float(first["ts"])

    client.chat_update(channel="C_MISSING", ts=alert["ts"], text="Acme (claimed)")
    history = client.conversations_history(channel="C_MISSING", oldest=first["ts"], limit=10)

    assert [m["ts"] for m in history["messages"]] == [alert["ts"]]
    assert history["messages"][0]["metadata"] == ALERT_METADATA
    assert history["messages"][0]["text"] == "Acme (claimed)"
    assert emu.messages["C_MISSING"][0]["blocks"] == [SECTION]
    assert emu.calls_to("chat.postMessage")[1].params["metadata"] == ALERT_METADATA


def test_history_is_newest_first_and_threads_stay_in_replies(client: WebClient) -> None:
    parent = client.chat_postMessage(channel="C1", text="parent")
    client.chat_postMessage(channel="C1", text="reply", thread_ts=parent["ts"])
    later = client.chat_postMessage(channel="C1", text="later")

    history = client.conversations_history(channel="C1")
    thread = client.conversations_replies(channel="C1", ts=parent["ts"])

    assert [m["text"] for m in history["messages"]] == ["later", "parent"]
    assert history["messages"][1]["reply_count"] == 1
    assert [m["text"] for m in thread["messages"]] == ["parent", "reply"]
    assert client.chat_getPermalink(channel="C1", message_ts=later["ts"])["permalink"]


def test_form_encoded_blocks_are_decoded_like_json_ones(
    emu: SlackEmulator, client: WebClient
) -> None:
    client.api_call("chat.postMessage", params={"channel": "C1", "blocks": json.dumps([SECTION])})
    call = emu.calls_to("chat.postMessage")[0]
    assert call.headers["content-type"] == "application/x-www-form-urlencoded"
    assert call.params["blocks"] == [SECTION]


def test_slack_refusals_for_unknown_messages_and_oversized_blocks(client: WebClient) -> None:
    unknown = slack_error(lambda: client.chat_update(channel="C1", ts="1.000001", text="x"))
    too_many = slack_error(
        lambda: client.chat_postMessage(channel="C1", text="x", blocks=[SECTION] * 51)
    )
    empty = slack_error(lambda: client.api_call("chat.postMessage", json={"channel": "C1"}))

    assert unknown.response["error"] == "message_not_found"
    assert too_many.response["error"] == "invalid_blocks"
    assert "no more than 50 items" in too_many.response["response_metadata"]["messages"][0]
    assert empty.response["error"] == "no_text"


def test_ephemeral_replies_are_not_in_history(emu: SlackEmulator, client: WebClient) -> None:
    answer = client.chat_postEphemeral(channel="C1", user="U1", text="only you")
    assert answer["message_ts"]
    assert emu.calls_to("chat.postEphemeral")[0].params["user"] == "U1"
    assert client.conversations_history(channel="C1")["messages"] == []


def test_home_tab_is_republished_in_place(emu: SlackEmulator, client: WebClient) -> None:
    view = {"type": "home", "blocks": [SECTION]}
    first = client.views_publish(user_id="U1", view=view)
    second = client.views_publish(user_id="U1", view=view)

    assert first["view"]["id"] == second["view"]["id"]
    assert first["view"]["hash"] != second["view"]["hash"]
    stale = slack_error(
        lambda: client.views_publish(user_id="U1", view=view, hash=first["view"]["hash"])
    )
    assert stale.response["error"] == "hash_conflict"
    assert emu.calls_to("views.publish")[0].params["view"] == view


def test_modal_is_opened_then_updated(client: WebClient) -> None:
    modal = {"type": "modal", "title": {"type": "plain_text", "text": "Rules"}, "blocks": []}
    opened = client.views_open(trigger_id="123.456", view=modal)
    updated = client.views_update(view_id=opened["view"]["id"], view={**modal, "blocks": [SECTION]})
    assert updated["view"]["blocks"] == [SECTION]


def test_users_info_defaults_and_profiles(emu: SlackEmulator, client: WebClient) -> None:
    emu.set_user(
        "U2", real_name="Ana Manager", tz="Europe/Paris", is_admin=True, email="ana@example.com"
    )

    stranger = client.users_info(user="U1")["user"]
    manager = client.users_info(user="U2")["user"]

    assert (stranger["tz"], stranger["is_admin"], stranger["tz_offset"]) == ("UTC", False, 0)
    assert stranger["name"] and stranger["real_name"]
    assert (manager["real_name"], manager["is_admin"]) == ("Ana Manager", True)
    assert manager["tz_offset"] in (3600, 7200)
    assert manager["profile"]["real_name"] == "Ana Manager"
    assert manager["profile"]["email"] == "ana@example.com"


def test_files_upload_v2_stores_the_bytes_and_shares_them(
    emu: SlackEmulator, client: WebClient
) -> None:
    csv = b"lead,score\nAcme,91\n\x00\xff"
    answer = client.files_upload_v2(
        channel="C1", content=csv, filename="scores.csv", title="Scores", initial_comment="Weekly"
    )

    file_id = answer["file"]["id"]
    assert emu.uploaded_bytes(file_id) == csv
    assert answer["file"]["title"] == "Scores"
    assert [c.method for c in emu.calls] == [
        "files.getUploadURLExternal",
        UPLOAD_URL,
        "files.completeUploadExternal",
    ]
    shared = emu.messages["C1"][0]
    assert (shared["text"], shared["files"][0]["id"]) == ("Weekly", file_id)


def test_multipart_upload_is_accepted(emu: SlackEmulator, client: WebClient) -> None:
    upload = client.files_getUploadURLExternal(filename="a.png", length=3)
    with httpx.Client() as http:
        reply = http.post(upload["upload_url"], files={"file": ("a.png", b"PNG")})
    assert reply.status_code == 200
    assert emu.uploaded_bytes(upload["file_id"]) == b"PNG"


def test_rate_limit_reaches_slack_sdk_with_retry_after(
    emu: SlackEmulator, client: WebClient
) -> None:
    emu.fail_next("chat.postMessage", status=429, retry_after=7)

    limited = slack_error(lambda: client.chat_postMessage(channel="C1", text="hot lead"))
    client.chat_postMessage(channel="C1", text="hot lead")

    assert limited.response.status_code == 429
    assert limited.response.headers["Retry-After"] == "7"
    assert limited.response["error"] == "ratelimited"
    faulted, delivered = emu.calls_to("chat.postMessage")
    assert (faulted.fault, faulted.answered_status) == ("429 ratelimited", 429)
    assert (delivered.fault, delivered.answered_status) == (None, 200)
    assert len(emu.messages["C1"]) == 1


def test_faults_are_consumed_in_order(emu: SlackEmulator, client: WebClient) -> None:
    emu.fail_next("chat.postMessage", status=500, times=2)
    emu.fail_next("chat.postMessage", status=200, error="channel_not_found")

    statuses = []
    for _ in range(3):
        error = slack_error(lambda: client.chat_postMessage(channel="C1", text="x"))
        statuses.append((error.response.status_code, error.response["error"]))

    assert statuses == [(500, "internal_error")] * 2 + [(200, "channel_not_found")]
    assert client.chat_postMessage(channel="C1", text="x")["ok"]


def test_fail_for_holds_a_fault_until_its_time_is_up(emu: SlackEmulator, client: WebClient) -> None:
    with freeze_time("2026-12-01T09:00:00Z") as clock:
        emu.fail_for("conversations.history", seconds=2, retry_after=3)
        for _ in range(2):
            limited = slack_error(lambda: client.conversations_history(channel="C1"))
            assert limited.response.headers["Retry-After"] == "3"
        clock.tick(1.9)
        assert slack_error(lambda: client.conversations_history(channel="C1"))
        clock.tick(0.2)
        assert client.conversations_history(channel="C1")["ok"]


def test_tokens_are_checked_and_unknown_methods_refused(emu: SlackEmulator) -> None:
    invalid = WebClient(token="xoxb-invalid", base_url=emu.api_url)
    assert slack_error(invalid.auth_test).response["error"] == "invalid_auth"
    with httpx.Client() as http:
        missing = http.post(emu.api_url + "auth.test")
        unknown = http.post(emu.api_url + "chat.teleport", data={"token": "xoxb-test"})
    assert missing.json() == {"ok": False, "error": "not_authed"}
    assert (unknown.status_code, unknown.json()["error"]) == (404, "unknown_method")


def test_wait_for_sees_calls_from_other_threads(emu: SlackEmulator, client: WebClient) -> None:
    worker = threading.Thread(target=lambda: client.chat_postMessage(channel="C1", text="bg"))
    worker.start()
    calls = emu.wait_for("chat.postMessage", timeout=5)
    worker.join()
    assert calls[0].params["text"] == "bg"


def test_concurrent_posts_get_unique_increasing_ts(emu: SlackEmulator) -> None:
    def post(n: int) -> None:
        own_client = WebClient(token="xoxb-test", base_url=emu.api_url)
        own_client.chat_postMessage(channel="C1", text=f"{n}")

    workers = [threading.Thread(target=post, args=(n,)) for n in range(20)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    stored = [message["ts"] for message in emu.messages["C1"]]
    assert len(set(stored)) == 20
    assert stored == sorted(stored, key=float)


def test_wait_for_timeout_says_what_did_arrive(emu: SlackEmulator, client: WebClient) -> None:
    client.chat_postMessage(channel="C1", text="x")
    with pytest.raises(AssertionError) as caught:
        emu.wait_for("chat.postMesage", timeout=0.05)
    message = str(caught.value)
    assert "expected 1 call(s) to 'chat.postMesage'" in message
    assert "chat.postMessage x1" in message
    assert "Did you mean 'chat.postMessage'?" in message


def test_response_url_posts_are_recorded(emu: SlackEmulator) -> None:
    url = emu.new_response_url()
    assert url.startswith(emu.response_url_base) and url != emu.new_response_url()
    with httpx.Client() as http:
        reply = http.post(url, json={"text": "Claimed", "replace_original": True})
    assert reply.json() == {"ok": True}
    (response,) = emu.responses()
    assert response.params == {"text": "Claimed", "replace_original": True}
    assert response.path == url.removeprefix(emu.base_url.rstrip("/"))


def test_reset_forgets_calls_faults_and_messages(emu: SlackEmulator, client: WebClient) -> None:
    client.chat_postMessage(channel="C1", text="x")
    emu.fail_next("auth.test", status=500)
    emu.reset()
    assert (emu.calls, emu.messages) == ([], {})
    assert client.auth_test()["ok"]


def test_signed_slash_command_passes_slack_verification() -> None:
    body = slash_command_body(text="top 5", user_id="U1", response_url="http://x/response/1")
    headers = signed_headers(signing_secret="s3cret", body=body)
    assert SignatureVerifier("s3cret").is_valid_request(body, headers)
    assert not SignatureVerifier("other").is_valid_request(body, headers)
    fields = parse_qs(body)
    assert (fields["command"], fields["text"], fields["user_id"]) == (
        ["/leadscore"],
        ["top 5"],
        ["U1"],
    )
    assert "command=%2Fleadscore" in body and "text=top+5" in body


def test_signed_button_click_and_event_envelope() -> None:
    click = block_actions_body(
        user_id="U1",
        action_id="claim",
        value="lead-42",
        channel_id="C1",
        message_ts="1.000001",
        response_url="http://x/response/2",
    )
    stamp = int(time.time())
    headers = signed_headers(signing_secret="s3cret", body=click, timestamp=stamp)
    assert SignatureVerifier("s3cret").is_valid(
        body=click, timestamp=str(stamp), signature=headers["X-Slack-Signature"]
    )
    payload = json.loads(parse_qs(click)["payload"][0])
    assert payload["actions"][0]["value"] == "lead-42"
    assert payload["container"]["message_ts"] == "1.000001"

    event = event_callback_body(event={"type": "app_home_opened", "user": "U1"})
    json_headers = signed_headers(
        signing_secret="s3cret", body=event, content_type="application/json"
    )
    assert SignatureVerifier("s3cret").is_valid_request(event, json_headers)
    assert json.loads(event)["event"]["type"] == "app_home_opened"


def test_a_bolt_app_answers_a_signed_slash_command_through_the_emulator(
    emu: SlackEmulator, client: WebClient
) -> None:
    app = App(client=client, signing_secret="s3cret")

    @app.command("/leadscore")
    def top_leads(ack: Ack, respond: Respond, command: dict[str, str]) -> None:
        ack()
        respond(text=f"Top leads for {command['user_id']}")

    body = slash_command_body(text="top 5", user_id="U1", response_url=emu.new_response_url())
    headers: dict[str, str | Sequence[str]] = {**signed_headers(signing_secret="s3cret", body=body)}
    reply = app.dispatch(BoltRequest(body=body, headers=headers))

    assert reply.status == 200
    assert emu.wait_for("response_url")[0].params["text"] == "Top leads for U1"
