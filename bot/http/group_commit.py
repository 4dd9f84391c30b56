"""Group commit: requests that arrive while a batch is being stored go in together.

A single-event request alone costs a whole transaction (lock, read, write,
commit) for one row; a CRM that sends events one by one from several
workers would then be limited by commits, not by work. Requests that arrive
while a transaction runs wait for it (they would have waited for the write
lock anyway) and are then stored in one transaction, each getting the
answer it would have had alone. A request is never split, so its events stay
all-in or all-out; if a combined transaction fails, each of its requests is
retried on its own, so one request's problem never fails its neighbours.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from typing import Protocol

from bot.ingest import IngestResult, Item, NoRuleSetError

log = logging.getLogger(__name__)

MAX_GROUP_EVENTS = 2_000
"""Events stored in one transaction at most (a request larger than this goes alone)."""
SIBLING_WAIT = 0.002
"""Seconds a group waits at most for the senders the previous group just answered."""


@dataclass
class _Waiting:
    items: Sequence[Item]
    answer: asyncio.Future[IngestResult]


class BatchStore(Protocol):
    """What stores one transaction's items: the ``Ingestor``, or the Segment intake."""

    def ingest(self, items: Sequence[Item], *, source: str) -> IngestResult: ...


Committed = Callable[[IngestResult, int, float], None]
"""Told of each stored group: its result, how many requests, when it started."""


class GroupCommit:
    """Stores concurrent requests' events in shared transactions, answering each request."""

    def __init__(
        self,
        ingestor: BatchStore,
        *,
        source: str,
        on_committed: Committed | None = None,
        max_events: int = MAX_GROUP_EVENTS,
        sibling_wait: float = SIBLING_WAIT,
    ) -> None:
        self.ingestor = ingestor
        self.source = source
        self.on_committed = on_committed
        self.max_events = max_events
        self.sibling_wait = sibling_wait
        self._queue: deque[_Waiting] = deque()
        self._drainer: asyncio.Task[None] | None = None
        self._last_group = 0
        self._siblings: asyncio.Event | None = None
        # Groups are stored one after another, so one thread of our own does;
        # it is also cheaper to hand work to than the shared request pool.
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ingest-writer")

    async def ingest(self, items: Sequence[Item]) -> IngestResult:
        """Store the items (with whatever else is waiting); their result alone."""
        loop = asyncio.get_running_loop()
        waiting = _Waiting(items, loop.create_future())
        self._queue.append(waiting)
        if self._siblings is not None and len(self._queue) >= self._last_group:
            self._siblings.set()
        if self._drainer is None:
            self._drainer = loop.create_task(self._drain())
        return await waiting.answer

    async def _drain(self) -> None:
        try:
            while self._queue:
                await self._await_siblings()
                group = self._take()
                self._last_group = len(group)
                await self._commit(group)
        finally:
            self._drainer = None
            while self._queue:  # only when cancelled (the server is stopping)
                _answer(self._queue.popleft(), error=RuntimeError("the server is stopping"))

    async def _await_siblings(self) -> None:
        """Wait briefly for as many requests as the last group had, if fewer are queued.

        Senders answered a moment ago are usually about to send again: with a
        few steady senders, groups would otherwise alternate between one
        request and the rest (PostgreSQL's ``commit_delay`` and
        ``commit_siblings`` do the same for commits). The wait ends as soon as
        they are here, and never happens for a lone sender.
        """
        if len(self._queue) >= self._last_group or self.sibling_wait <= 0:
            return
        self._siblings = asyncio.Event()
        try:
            await asyncio.wait_for(self._siblings.wait(), self.sibling_wait)
        except TimeoutError:
            pass
        finally:
            self._siblings = None

    def _take(self) -> list[_Waiting]:
        group = [self._queue.popleft()]
        size = len(group[0].items)
        while self._queue and size + len(self._queue[0].items) <= self.max_events:
            size += len(self._queue[0].items)
            group.append(self._queue.popleft())
        return group

    async def _commit(self, group: list[_Waiting]) -> None:
        started = time.perf_counter()
        items = [item for waiting in group for item in waiting.items]
        try:
            result = await asyncio.get_running_loop().run_in_executor(
                self._writer, partial(self.ingestor.ingest, items, source=self.source)
            )
        except NoRuleSetError as exc:
            for waiting in group:
                _answer(waiting, error=exc)
            return
        except Exception as exc:
            if len(group) == 1:
                _answer(group[0], error=exc)
                return
            log.warning(
                "a grouped ingest failed; storing its requests one by one",
                extra={"requests": len(group), "error": type(exc).__name__},
            )
            for waiting in group:
                await self._commit([waiting])
            return
        if self.on_committed is not None:
            self.on_committed(result, len(group), started)
        parts = result.split([len(waiting.items) for waiting in group])
        for waiting, part in zip(group, parts, strict=True):
            _answer(waiting, result=part)


def _answer(
    waiting: _Waiting, *, result: IngestResult | None = None, error: BaseException | None = None
) -> None:
    """Resolve a waiting request, unless its client went away (its future was cancelled)."""
    if waiting.answer.done():
        return
    if error is not None:
        waiting.answer.set_exception(error)
    else:
        waiting.answer.set_result(result)  # type: ignore[arg-type]
