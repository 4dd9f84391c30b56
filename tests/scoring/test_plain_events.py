"""The fast path for plainly valid events agrees with the reference validator on every input.

``plain_event`` may only say "valid, and here it is" or "not sure"; every
event it accepts must come out exactly as the pydantic models would make it
(same values, same types, same UTC moment), and anything they would coerce
or refuse must be left to them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from scoring.event_rules import EventModel
from scoring.events import Event, from_model, parse_event, plain_event
from tests.reliability.garbage import broken_events, json_values, valid_events
from tests.support.hypothesis_profiles import examples


def _stamp(moment: datetime, fraction: str, sep: str, zone: str) -> str:
    return moment.strftime(f"%Y-%m-%d{sep}%H:%M:%S") + fraction + zone


odd_stamps = st.builds(
    _stamp,
    st.datetimes(min_value=datetime(1989, 12, 31), max_value=datetime(2200, 1, 1, 23)),
    st.sampled_from(["", ".5", ".123456", ".1234567", ".999999999", "."]),
    st.sampled_from(["T", "t", " ", "_"]),
    st.sampled_from(["Z", "z", "+00:00", "-00:00", "+05:30", "-23:59", "+24:00", "+0100", ""]),
)
"""Timestamps near the edges both parsers might read differently."""


@st.composite
def restamped(draw: st.DrawFn) -> dict[str, Any]:
    event = draw(valid_events())
    return {**event, "occurred_at": draw(odd_stamps)}


def reference(data: Any) -> Event | None:
    try:
        return from_model(EventModel.model_validate(data))
    except ValidationError:
        return None


@pytest.mark.slow
@settings(max_examples=examples(1_500), suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(valid_events(), broken_events(), restamped(), json_values))
def test_an_event_the_fast_path_accepts_is_exactly_what_the_reference_makes(data: Any) -> None:
    fast = plain_event(data) if isinstance(data, dict) else None
    if fast is None:
        return
    expected = reference(data)
    assert expected is not None, f"fast path accepted what the reference refuses: {data!r}"
    assert fast == expected
    assert msgspec.json.encode(fast) == msgspec.json.encode(expected)  # types too: 5 vs 5.0
    assert fast.occurred_at.tzinfo is UTC


CRM_EVENTS = [
    {
        "id": "hs-1",
        "type": "lead.created",
        "occurred_at": "2026-11-24T15:04:05Z",
        "lead": {
            "email": "Ana.Lopez@Acme.io",
            "name": "Ana López",
            "title": "VP Sales",
            "company_size": 250,
            "attributes": {"source": "webinar", "seats": 12},
        },
        "extra": "ignored",
    },
    {
        "id": "hs-2",
        "type": "activity",
        "occurred_at": "2026-11-24T16:04:05.250+01:00",
        "lead": {"email": "ana.lopez@acme.io"},
        "activity": {"kind": "page_view", "url": "https://acme.io/pricing", "properties": {}},
    },
    {
        "id": "hs-3",
        "type": "deal.updated",
        "occurred_at": "2026-11-25T09:00:00Z",
        "lead": {"email": "ana.lopez@acme.io"},
        "deal": {"stage": "closed_won", "amount": 12000},
    },
]


@pytest.mark.parametrize("data", CRM_EVENTS, ids=lambda d: d["type"])
def test_everyday_events_take_the_fast_path_and_match_the_reference(data: dict[str, Any]) -> None:
    fast = plain_event(data)
    assert fast is not None
    assert msgspec.json.encode(fast) == msgspec.json.encode(reference(data))


def test_the_fast_path_normalises_the_email_and_the_moment() -> None:
    event = plain_event(CRM_EVENTS[1] | {"lead": {"email": "Ana.Lopez@ACME.io"}})
    assert event is not None
    assert event.lead.email == "ana.lopez@acme.io"
    assert event.occurred_at == datetime(2026, 11, 24, 15, 4, 5, 250_000, tzinfo=UTC)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"lead": {"email": "not-an-address"}}, "lead.email: is not an email address"),
        ({"occurred_at": "2026-11-24T15:04:05"}, "occurred_at: needs a UTC offset"),
        ({"occurred_at": "1989-12-31T23:59:59Z"}, "occurred_at: is out of range"),
        ({"type": "activity", "activity": None}, "an activity event needs an 'activity' object"),
        ({"lead": {"email": "a@b.io", "company_size": -1}}, "lead.company_size: Input should"),
        (
            {"type": "deal.updated", "deal": {"stage": "closed_won", "amount": float("inf")}},
            "deal.amount: Input should be a finite number",
        ),
    ],
)
def test_what_the_fast_path_leaves_is_refused_with_the_reference_message(
    change: dict[str, Any], message: str
) -> None:
    data = CRM_EVENTS[0] | change
    assert plain_event(data) is None
    with pytest.raises(ValueError, match=message):
        parse_event(data)


def test_what_pydantic_would_coerce_is_still_accepted() -> None:
    data = CRM_EVENTS[0] | {"lead": {"email": " Ana@Acme.io ", "company_size": "250"}}
    assert plain_event(data) is None
    event = parse_event(data)
    assert (event.lead.email, event.lead.company_size) == ("ana@acme.io", 250)


def test_an_imported_row_with_a_parsed_timestamp_takes_the_fast_path() -> None:
    data = CRM_EVENTS[0] | {"occurred_at": datetime(2026, 11, 24, 15, 4, 5, tzinfo=UTC)}
    fast = plain_event(data)
    assert fast is not None
    assert msgspec.json.encode(fast) == msgspec.json.encode(reference(data))
