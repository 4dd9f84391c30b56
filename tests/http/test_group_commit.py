"""Requests arriving while a batch is stored go in together, each answered as if alone."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence
from typing import Any

from bot.http.group_commit import GroupCommit
from bot.ingest import Ingestor, IngestResult, Item
from bot.services import Services
from storage.engine import session_scope
from storage.events import count_events
from tests.support.events import activity


class HeldIngestor(Ingestor):
    """The real ingest path, whose first batch waits for the test; records every batch."""

    def __init__(self, real: Ingestor, *, poison: str | None = None) -> None:
        super().__init__(engine=real.engine, rulebook=real.rulebook, clock=real.clock)
        self.started = threading.Event()
        self.release = threading.Event()
        self.batches: list[int] = []
        self.poison = poison

    def ingest(self, items: Sequence[Item], **kwargs: Any) -> IngestResult:
        self.batches.append(len(items))
        if len(self.batches) == 1:
            self.started.set()
            assert self.release.wait(10)
        if any(isinstance(i.data, dict) and i.data.get("id") == self.poison for i in items):
            raise RuntimeError("the database refused this request's data")
        return super().ingest(items, **kwargs)


def one(event: Any) -> list[Item]:
    return [Item(position="event", data=event, index=0)]


async def _send_while_first_is_held(
    group: GroupCommit, held: HeldIngestor, first: list[Item], rest: list[list[Item]]
) -> list[IngestResult | BaseException]:
    first_answer = asyncio.ensure_future(group.ingest(first))
    await asyncio.to_thread(held.started.wait, 10)
    answers = [asyncio.ensure_future(group.ingest(items)) for items in rest]
    await asyncio.sleep(0)  # every request is queued before the first batch is let go
    held.release.set()
    return await asyncio.gather(first_answer, *answers, return_exceptions=True)


def test_queued_requests_share_one_transaction_and_get_their_own_answers(
    services: Services,
) -> None:
    held = HeldIngestor(services.ingestor)
    group = GroupCommit(held, source="webhook")
    first = one(activity("ana@acme.io", "demo_request", event_id="e-1"))
    rest = [
        one(activity("bo@beta.io", "page_view", event_id="e-1")),  # same id as the first
        one({"id": "bad", "type": "activity", "lead": {"email": "x@y.io"}}),
        [
            Item(position="events[0]", data=activity("cy@gamma.io", "demo_request"), index=0),
            Item(position="events[1]", data="not an object", index=1),
        ],
        one(activity("di@delta.io", "page_view", event_id="e-4")),
    ]
    answers = asyncio.run(_send_while_first_is_held(group, held, first, rest))

    assert held.batches == [1, 5], "the four queued requests were stored in one batch"
    ana, bo, bad, pair, di = answers
    assert isinstance(ana, IngestResult) and (ana.accepted, ana.duplicates) == (1, 0)
    assert isinstance(bo, IngestResult) and (bo.accepted, bo.duplicates) == (0, 1)
    assert isinstance(bad, IngestResult) and bad.accepted == 0
    assert [(r.index, r.id) for r in bad.rejected] == [(0, "bad")]
    assert isinstance(pair, IngestResult) and pair.accepted == 1
    assert [r.index for r in pair.rejected] == [1]
    assert isinstance(di, IngestResult) and di.accepted == 1 and not di.rejected
    with session_scope(services.engine) as session:
        assert count_events(session=session) == 3


def test_a_request_that_breaks_its_batch_fails_alone(services: Services) -> None:
    held = HeldIngestor(services.ingestor, poison="poison")
    group = GroupCommit(held, source="webhook")
    first = one(activity("ana@acme.io", "demo_request", event_id="e-1"))
    rest = [
        one(activity("bo@beta.io", "page_view", event_id="e-2")),
        one(activity("cy@gamma.io", "page_view", event_id="poison")),
        one(activity("di@delta.io", "page_view", event_id="e-3")),
    ]
    answers = asyncio.run(_send_while_first_is_held(group, held, first, rest))

    assert held.batches == [1, 3, 1, 1, 1], "the failed batch was retried request by request"
    assert [type(a).__name__ for a in answers] == [
        "IngestResult", "IngestResult", "RuntimeError", "IngestResult",
    ]  # fmt: skip
    with session_scope(services.engine) as session:
        assert count_events(session=session) == 3


def test_a_batch_holds_at_most_the_event_limit(services: Services) -> None:
    held = HeldIngestor(services.ingestor)
    group = GroupCommit(held, source="webhook", max_events=2)
    first = one(activity("ana@acme.io", "demo_request"))
    rest = [one(activity(f"l{i}@acme.io", "page_view")) for i in range(5)]
    answers = asyncio.run(_send_while_first_is_held(group, held, first, rest))

    assert held.batches == [1, 2, 2, 1]
    assert all(isinstance(a, IngestResult) and a.accepted == 1 for a in answers)


async def _steady_senders(group: GroupCommit, emails: list[str], late: list[str]) -> None:
    """A first group of senders, then one of them again, then the others a moment later."""
    await asyncio.gather(*(group.ingest(one(activity(e, "page_view"))) for e in emails))
    again = asyncio.ensure_future(group.ingest(one(activity(emails[0], "page_view"))))
    await asyncio.sleep(0.05)
    rest = [group.ingest(one(activity(e, "page_view"))) for e in late]
    await asyncio.gather(again, *rest)


def test_a_group_waits_for_the_senders_the_last_group_answered(services: Services) -> None:
    held = HeldIngestor(services.ingestor)
    held.release.set()
    group = GroupCommit(held, source="webhook", sibling_wait=5.0)
    asyncio.run(_steady_senders(group, ["a@x.io", "b@x.io", "c@x.io"], ["b@x.io", "c@x.io"]))
    assert held.batches == [3, 3], "the lone request waited for its two siblings"


def test_the_wait_for_siblings_is_short_when_they_do_not_come(services: Services) -> None:
    held = HeldIngestor(services.ingestor)
    held.release.set()
    group = GroupCommit(held, source="webhook", sibling_wait=0.01)
    asyncio.run(_steady_senders(group, ["a@x.io", "b@x.io", "c@x.io"], ["b@x.io", "c@x.io"]))
    assert held.batches == [3, 1, 2], "the lone request went alone once the short wait ended"
