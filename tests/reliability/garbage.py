"""Hypothesis strategies for what a careless or hostile sender puts in ``/ingest``.

Valid events are the seed; garbage is made by breaking one field at a time
(wrong type, out-of-range date, number as a string, NUL, lone surrogate,
huge string, deep nesting, extra keys), by mixing good and bad items in one
batch, and by corrupting the encoded bytes (NaN literals, raw surrogate
bytes, truncation). Ids come from a small space so redeliveries happen too.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from random import Random
from typing import Any

from hypothesis import strategies as st

FIELDS = (
    "id", "type", "occurred_at", "lead", "lead.email", "lead.name", "lead.title",
    "lead.company", "lead.company_size", "lead.industry", "lead.country", "lead.region",
    "lead.attributes", "activity", "activity.kind", "activity.url", "activity.properties",
    "deal", "deal.stage", "deal.amount",
)  # fmt: skip

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)

HUGE_SIZES = (1_001, 5_000, 70_000, 1_200_000)
nasty_text = st.one_of(
    st.text(max_size=40),
    st.text(st.characters(codec="utf-8", exclude_categories=()), max_size=20),
    st.sampled_from(
        [
            "", " ", "\x00", "a\x00b", "\ud800", "\udfff", "x\ud83dy", "\ud83d\ude00",
            "\u202eevil", "\ufeff", "🦄" * 50, "null", "NaN", "Infinity", "1e999", "-0",
            "<script>alert(1)</script>", "'; DROP TABLE leads; --", "%s%n", "\\", "\r\n",
        ]
    ),
    st.builds(lambda size, char: char * size, st.sampled_from(HUGE_SIZES), st.sampled_from("xé🦄")),
)  # fmt: skip

bad_dates = st.one_of(
    st.sampled_from(
        [
            "", "yesterday", "2026-11-24", "2026-11-24T15:04:05", "2026-02-30T00:00:00Z",
            "2026-11-24T24:00:00Z", "2026-11-24T23:59:60Z", "0001-01-01T00:00:00Z",
            "9999-12-31T23:59:59+14:00", "0001-01-01T00:00:00-14:00", "1989-12-31T23:59:59Z",
            "2200-01-01T00:00:00Z", "+275760-09-13T00:00:00Z", "2026-11-24T15:04:05+25:00",
            "2026-W48-2T00:00:00Z", "1e9", "NaN", "2026-11-24T15:04:05.123456789Z",
        ]
    ),
    st.integers(min_value=-(2**64), max_value=2**64),
    st.floats(allow_nan=False, allow_infinity=False),
    st.builds(
        lambda moment, minutes: moment.replace(
            tzinfo=timezone(timedelta(minutes=minutes))
        ).isoformat(),
        st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)),
        st.integers(min_value=-1439, max_value=1439),
    ),
)  # fmt: skip

numbers_as_strings = st.one_of(
    st.integers(min_value=-(10**12), max_value=10**12).map(str),
    st.sampled_from(["250", " 250 ", "2.5e2", "0x10", "1_000", "٣٤", "1e999", "-1", "NaN"]),
)
wrong_values = st.one_of(json_values, nasty_text, bad_dates, numbers_as_strings)

EMAILS = [f"{who}@{site}.io" for who in ("ana", "bo", "Di", " ed") for site in ("acme", "Beta")]
emails = st.sampled_from(EMAILS)
event_ids = st.integers(min_value=0, max_value=99_999).map("fz-{}".format)
good_dates = st.integers(min_value=0, max_value=2 * 365 * 86_400).map(
    lambda seconds: (
        (datetime(2025, 1, 1, tzinfo=UTC) + timedelta(seconds=seconds))
        .isoformat()
        .replace("+00:00", "Z")
    )
)
storable_text = st.text(
    st.characters(exclude_characters="\x00", exclude_categories=("Cs",)), max_size=10
)
"""Text the contract accepts; NUL and lone surrogates are what ``wrong_values`` are for."""
small_scalars = st.none() | st.booleans() | st.integers() | storable_text
keys = st.sampled_from(["plan", "source", "utm", "seats", "score"])
lead_bodies = st.fixed_dictionaries(
    {"email": emails},
    optional={
        "name": storable_text,
        "title": st.sampled_from(["VP Sales", "Intern", "Head of Ops", "CTO"]),
        "company": st.sampled_from(["Acme", "Beta", "Gamma Ltd"]),
        "company_size": st.integers(min_value=0, max_value=5_000),
        "region": st.sampled_from(["EMEA", "AMER", "APAC"]),
        "attributes": st.dictionaries(keys, small_scalars, max_size=2),
    },
)
activities = st.fixed_dictionaries(
    {"kind": st.sampled_from(["page_view", "demo_request", "email_open", "webinar_attended"])},
    optional={
        "url": st.sampled_from(["https://ex.com/pricing", "https://ex.com/blog"]),
        "properties": st.dictionaries(keys, small_scalars, max_size=2),
    },
)
deals = st.fixed_dictionaries(
    {"stage": st.sampled_from(["opportunity", "closed_won", "closed_lost"])},
    optional={"amount": st.floats(min_value=0, max_value=1e9)},
)


@st.composite
def valid_events(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from(["lead.created", "lead.updated", "activity", "deal.updated"]))
    event: dict[str, Any] = {
        "id": draw(event_ids),
        "type": kind,
        "occurred_at": draw(good_dates),
        "lead": draw(lead_bodies),
    }
    if kind == "activity":
        event["activity"] = draw(activities)
    elif kind == "deal.updated":
        event["deal"] = draw(deals)
    return event


def _with_change(event: dict[str, Any], path: str, action: str, value: Any) -> dict[str, Any]:
    """A copy of ``event`` with one field set, deleted or given an extra key."""
    changed = json.loads(json.dumps(event))
    *parents, leaf = path.split(".")
    target = changed
    for part in parents:
        if not isinstance(target.get(part), dict):
            target[part] = {}
        target = target[part]
    if action == "delete":
        target.pop(leaf, None)
    elif action == "extra":
        holder = target.get(leaf)
        if isinstance(holder, dict):
            holder[f"unexpected_{leaf}"] = value
        else:
            changed[f"unexpected_{leaf}"] = value
    else:
        target[leaf] = value
    return changed


@st.composite
def broken_events(draw: st.DrawFn) -> dict[str, Any]:
    """A valid event with one to three fields broken."""
    event = draw(valid_events())
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        path = draw(st.sampled_from(FIELDS))
        action = draw(st.sampled_from(["set", "set", "set", "delete", "extra"]))
        event = _with_change(event, path, action, draw(wrong_values))
    return event


items = st.one_of(valid_events(), broken_events(), broken_events(), json_values)


def _spread(seeds: list[Any], rnd: Random) -> list[Any]:
    """Up to 30 items from a few drawn ones: copies (redeliveries) and re-ided variants.

    Drawing every item of a large batch through Hypothesis costs more than
    the request itself; variants of a few drawn items keep batches big and
    mixed at a fraction of the cost.
    """
    batch = list(seeds)
    for _ in range(rnd.randrange(0, 25)):
        item = rnd.choice(seeds)
        if isinstance(item, dict) and isinstance(item.get("id"), str) and rnd.random() < 0.7:
            item = {**item, "id": f"{item['id']}-{rnd.randrange(10_000)}"}
        batch.append(item)
    rnd.shuffle(batch)
    return batch


@st.composite
def batch_bodies(draw: st.DrawFn) -> Any:
    """A body as a sender would shape it: a batch, one event, or a mistake in the envelope."""
    shape = draw(st.sampled_from(["batch", "batch", "batch", "single", "envelope", "extra"]))
    if shape == "single":
        return draw(st.one_of(valid_events(), broken_events()))
    if shape == "envelope":
        size = draw(st.sampled_from([0, 1_000, 1_001]))
        return {"events": draw(st.one_of(st.just([{"id": "x"}] * size), wrong_values))}
    body = {"events": _spread(draw(st.lists(items, min_size=1, max_size=6)), draw(st.randoms()))}
    if shape == "extra":
        body[draw(st.text(max_size=10))] = draw(wrong_values)
    return body


def encode(body: Any) -> bytes:
    """JSON as a sender's library would write it; lone surrogates go out as ``\\udxxx``."""
    return json.dumps(body).encode()


RAW_SURROGATE = "\ud800".encode("utf-8", "surrogatepass")
CORRUPTIONS = (
    "nan", "infinity", "minus_infinity", "huge_exponent", "huge_integer", "raw_surrogate",
    "invalid_utf8", "nul_byte", "truncate", "bom", "utf16", "trailing_garbage", "duplicate_keys",
)  # fmt: skip


def corrupt(raw: bytes, how: str, at: int) -> bytes:
    """Break the encoded body in one of the ways bytes get broken in transit or by bad encoders."""
    colon = raw.find(b":", at % max(len(raw), 1))
    if colon < 0:
        colon = raw.find(b":")
    cut = colon + 1 if colon >= 0 else len(raw) // 2
    literal = {
        "nan": b"NaN",
        "infinity": b"Infinity",
        "minus_infinity": b"-Infinity",
        "huge_exponent": b"1e999",
        "huge_integer": b"9" * 5_000,
    }.get(how)
    if literal is not None:
        return raw[:cut] + literal + b', "was":' + raw[cut:]
    if how == "raw_surrogate":
        quote = raw.find(b'"', at % max(len(raw), 1))
        quote = quote if quote >= 0 else raw.find(b'"')
        return raw[: quote + 1] + RAW_SURROGATE + raw[quote + 1 :]
    if how == "invalid_utf8":
        return raw[:cut] + b'"\xff\xfe"' + b', "was":' + raw[cut:]
    if how == "nul_byte":
        return raw[: at % max(len(raw), 1)] + b"\x00" + raw[at % max(len(raw), 1) :]
    if how == "truncate":
        return raw[: at % max(len(raw), 1)]
    if how == "bom":
        return b"\xef\xbb\xbf" + raw
    if how == "utf16":
        return raw.decode("utf-8", "surrogatepass").encode("utf-16", "surrogatepass")
    if how == "trailing_garbage":
        return raw + b" }{"
    if how == "duplicate_keys":
        return raw.replace(b'"id":', b'"id": "first", "id":', 1)
    raise ValueError(how)
