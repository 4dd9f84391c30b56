"""Segment-spec messages read as the Spec describes them, as contract events."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.segment.messages import (
    EVENT_ID_PREFIX,
    PLACEHOLDER_EMAIL,
    Envelope,
    snake_case,
    translate,
)
from bot.segment.timing import occurred_at

RECEIVED = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


def _translate(message: dict[str, Any], **envelope: Any) -> Any:
    return translate(Envelope(message, RECEIVED, **envelope))


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("Demo Requested", "demo_requested"),
        ("demoRequested", "demo_requested"),
        ("Order Completed!", "order_completed"),
        ("  trial-signup  ", "trial_signup"),
        ("Webinar: Attended", "webinar_attended"),
        ("Démo vue", "démo_vue"),
    ],
)
def test_event_names_become_snake_case(name: str, kind: str) -> None:
    assert snake_case(name) == kind


def when_received(seconds_before: float) -> datetime:
    return RECEIVED - timedelta(seconds=seconds_before)


def test_sent_at_corrects_the_device_clock() -> None:
    """receivedAt - (sentAt - timestamp): a device 5 hours fast, a message 30 s old."""
    message = {"timestamp": "2026-12-04T17:00:00Z"}
    sent_at = datetime(2026, 12, 4, 17, 0, 30, tzinfo=UTC)
    assert occurred_at(message, received_at=RECEIVED, sent_at=sent_at) == when_received(30)
    when = occurred_at({**message, "sentAt": "2026-12-04T17:00:30Z"}, received_at=RECEIVED)
    assert when == RECEIVED - timedelta(seconds=30)


def test_a_stamp_without_sent_at_is_taken_as_sent() -> None:
    assert occurred_at({"timestamp": "2026-11-01T08:00:00+02:00"}, received_at=RECEIVED) == (
        datetime(2026, 11, 1, 6, 0, tzinfo=UTC)
    )
    assert occurred_at({}, received_at=RECEIVED) == RECEIVED


def test_a_stamp_already_corrected_upstream_is_kept() -> None:
    message = {
        "timestamp": "2026-12-01T00:00:00Z",
        "originalTimestamp": "2026-12-09T00:00:00Z",
        "sentAt": "2026-12-09T00:00:01Z",
    }
    assert occurred_at(message, received_at=RECEIVED) == datetime(2026, 12, 1, tzinfo=UTC)
    webhook = occurred_at(
        {"timestamp": "2026-12-01T00:00:00Z"},
        received_at=RECEIVED,
        sent_at=datetime(2030, 1, 1, tzinfo=UTC),
        corrected=True,
    )
    assert webhook == datetime(2026, 12, 1, tzinfo=UTC)


def test_identify_traits_map_to_lead_fields_and_attributes() -> None:
    translated = _translate(
        {
            "type": "identify",
            "userId": "42",
            "messageId": "abc",
            "traits": {
                "email": " Ana@Acme.IO ",
                "name": "Ana Ruiz",
                "title": "CTO",
                "company": "Acme",
                "address": {"country": "DE", "city": "Berlin"},
                "tags": ["a", "b"],
                "age": None,
            },
        }
    )
    assert translated.email == "ana@acme.io"
    assert translated.user == "u:42" and translated.anonymous is None
    assert translated.event_id == EVENT_ID_PREFIX + "abc"
    assert translated.event["type"] == "lead.updated"
    assert translated.event["lead"] == {
        "email": "ana@acme.io",
        "name": "Ana Ruiz",
        "title": "CTO",
        "company": "Acme",
        "country": "DE",
        "attributes": {"address.city": "Berlin", "tags": '["a", "b"]'},
    }


def test_an_employee_count_that_is_not_a_number_stays_a_trait() -> None:
    traits = {"company": {"name": "Acme", "employee_count": "about 50"}}
    lead = _translate({"type": "identify", "userId": "1", "traits": traits}).event["lead"]
    assert lead == {
        "email": PLACEHOLDER_EMAIL,  # not said: the identity store knows it, or it waits
        "company": "Acme",
        "attributes": {"company.employee_count": "about 50"},
    }


def test_page_takes_its_url_from_properties_or_context() -> None:
    from_context = _translate(
        {
            "type": "page",
            "anonymousId": "a",
            "name": "Pricing",
            "context": {"page": {"url": "https://ex.com/pricing"}},
        }
    ).event["activity"]
    assert from_context == {
        "kind": "page_view",
        "url": "https://ex.com/pricing",
        "properties": {"name": "Pricing"},
    }
    from_properties = _translate(
        {
            "type": "track",
            "userId": "1",
            "event": "Clicked",
            "properties": {"url": "https://ex.com/a", "button": "buy"},
            "context": {"page": {"url": "https://ex.com/b"}},
        }
    ).event["activity"]
    assert from_properties == {
        "kind": "clicked",
        "url": "https://ex.com/a",  # taken out of the properties, not stored twice
        "properties": {"button": "buy"},
    }


def test_the_route_names_the_type_and_context_traits_give_the_email() -> None:
    translated = _translate(
        {"userId": "7", "event": "Trial Signup", "context": {"traits": {"email": "bo@beta.io"}}},
        route_type="track",
    )
    assert translated.email == "bo@beta.io"
    assert translated.event["activity"]["kind"] == "trial_signup"


def test_a_user_id_that_is_an_address_is_the_email() -> None:
    translated = _translate({"type": "track", "userId": "Cy@Gamma.io", "event": "x"})
    assert translated.email == "cy@gamma.io"
    assert _translate({"type": "track", "userId": "@handle", "event": "x"}).email is None


def test_a_message_without_message_id_gets_a_stable_one() -> None:
    message = {"type": "track", "userId": "7", "event": "x", "timestamp": "2026-12-01T00:00:00Z"}
    assert _translate(message).event_id == _translate(dict(message)).event_id
    assert _translate(message).event_id.startswith(EVENT_ID_PREFIX)


@pytest.mark.parametrize(
    ("message", "error"),
    [
        ({"type": "track", "event": "x"}, "userId or an anonymousId"),
        ({"type": "track", "userId": "1"}, "event name"),
        ({"type": "launch", "userId": "1"}, "type: must be one of"),
        ({"type": "group", "userId": "1"}, "groupId"),
        ({"type": "alias", "userId": "1"}, "previousId"),
        ({"type": "identify", "userId": "1", "traits": {"email": "nope"}}, "traits.email"),
        ({"type": "track", "userId": "1", "event": "x", "timestamp": "yesterday"}, "timestamp"),
        ({"type": "track", "userId": {"id": 1}, "event": "x"}, "userId"),
    ],
)
def test_messages_the_spec_does_not_allow_are_refused_with_the_field(
    message: dict[str, Any], error: str
) -> None:
    with pytest.raises(ValueError, match=error):
        _translate(message)
