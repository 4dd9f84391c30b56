"""Segment messages into the ingest path, with anonymous history kept until it has a lead.

One transaction per batch, as for ``/ingest``: dead letters, identities,
pending events and the events that go in (including pending ones an
identify just released, which are late events stored at their own times)
commit together, so ``200`` means all of it is stored and a resend counts
once whichever replica gets it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from msgspec import structs
from sqlmodel import Session

from bot.ingest import Ingestor, IngestResult, Item, Rejection
from bot.ingest.results import ACCEPTED, DUPLICATE, REJECTED
from bot.ingest.transaction import in_transaction
from bot.metrics import record_ingest
from bot.segment.identities import resolve
from bot.segment.messages import Envelope, Translated, translate
from scoring.events import Event, parse_event
from storage.events import keep_dead_letters, storable
from storage.segment import (
    claim_linked_anonymous,
    keep_pending,
    lock_identities,
    save_identities,
    take_pending,
)


class SegmentIntake:
    """Stores batches of Segment messages; the ``ingest`` a ``GroupCommit`` calls."""

    def __init__(self, ingestor: Ingestor) -> None:
        self.ingestor = ingestor

    def ingest(self, items: Sequence[Item], *, source: str) -> IngestResult:
        """Store the messages (``Item.data`` is an ``Envelope``); each one's outcome."""
        result = IngestResult(outcomes=[REJECTED] * len(items))
        valid: list[tuple[int, Translated, Event | None]] = []
        dead: list[dict[str, Any]] = []
        seen: set[str] = set()
        for position, item in enumerate(items):
            try:
                translated = translate(item.data)
                event = _validated(translated)
            except ValueError as exc:
                letter = _dead_letter(item, str(exc))
                rejection = Rejection(item.index, item.position, letter["event_id"], str(exc))
                result.rejected.append(rejection)
                dead.append(letter)
                continue
            if translated.event_id in seen:
                result.outcomes[position] = DUPLICATE
                continue
            seen.add(translated.event_id)
            valid.append((position, translated, event))
        now = self.ingestor.clock()

        def store(session: Session) -> IngestResult:
            stored = replace(result, outcomes=list(result.outcomes), alert_ids=[])
            keep_dead_letters(session=session, rows=dead, now=now, source=source)
            self._store(session, valid, source, now, stored)
            return stored

        done = in_transaction(self.ingestor.engine, store, what=f"{source} batch")
        record_ingest(source, done)
        if done.alert_ids and self.ingestor.on_alerts is not None:
            self.ingestor.on_alerts(done.alert_ids)
        return done

    def _store(
        self,
        session: Session,
        valid: list[tuple[int, Translated, Event | None]],
        source: str,
        now: datetime,
        result: IngestResult,
    ) -> None:
        messages = [translated for _, translated, _ in valid]
        keys = [key for m in messages for key in (m.user, m.anonymous) if key is not None]
        known = lock_identities(session=session, keys=keys, now=now)
        resolution = resolve(messages, known)
        save_identities(session=session, changed=resolution.changed, now=now)
        released = resolution.released_keys()
        released.update(
            claim_linked_anonymous(session=session, users=resolution.new_user_emails(), now=now)
        )
        ready: dict[str, Event] = {}
        waiting: list[dict[str, Any]] = []
        for (position, translated, event), email, key in zip(
            valid, resolution.emails, resolution.waiting, strict=True
        ):
            if event is None:  # alias: nothing to store but the link
                result.outcomes[position] = ACCEPTED
            elif email == event.lead.email:
                ready[event.id] = event
            elif email is not None:
                ready[event.id] = structs.replace(
                    event, lead=structs.replace(event.lead, email=email)
                )
            else:
                assert translated.event is not None and key is not None
                stored = {**translated.event, "occurred_at": event.occurred_at.isoformat()}
                waiting.append({"event_id": event.id, "identity": key, "event": stored})
        pending = keep_pending(session=session, rows=waiting, now=now)
        for key, stored in take_pending(session=session, identities=released):
            event = parse_event({**stored, "lead": {**stored["lead"], "email": released[key]}})
            ready.setdefault(event.id, event)
        fresh, alert_ids = self.ingestor.store_events(
            session, list(ready.values()), source=source, now=now
        )
        result.alert_ids.extend(alert_ids)
        for position, _, event in valid:
            if event is None:
                continue
            if event.id in ready:
                result.outcomes[position] = ACCEPTED if event.id in fresh else DUPLICATE
            else:
                result.outcomes[position] = ACCEPTED if event.id in pending else DUPLICATE


def _validated(translated: Translated) -> Event | None:
    """The event as the ingest path will see it (the email a stand-in if not known yet)."""
    return None if translated.event is None else parse_event(translated.event)


def _dead_letter(item: Item, error: str) -> dict[str, Any]:
    message = item.data.message if isinstance(item.data, Envelope) else item.data
    message_id = message.get("messageId") if isinstance(message, dict) else None
    try:
        payload = json.dumps(message, ensure_ascii=False, default=str)
    except (TypeError, ValueError, RecursionError):
        payload = repr(message)
    return {
        "event_id": storable(str(message_id)[:200]) if message_id is not None else None,
        "position": item.position,
        "payload": payload,
        "error": error,
    }
