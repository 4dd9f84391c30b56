"""The one ingest path shared by the webhook, Slack metadata and CSV import.

A batch is validated, deduplicated, stored and rescored in one transaction,
together with any alert it triggers (the outbox), so that "accepted" means
durably stored and a crash leaves a batch either fully in or fully out.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from bot.ingest.account_heat import intent_accounts, queue_account_alerts
from bot.ingest.accounts import settle_accounts
from bot.ingest.deals import apply_deal, refreeze_late
from bot.ingest.heat import rescore, settle_without_alert, turned_hot
from bot.ingest.profile import merge_profile
from bot.ingest.queueing import queue_alerts
from bot.ingest.results import ACCEPTED, DUPLICATE, REJECTED, IngestResult, Item, Rejection
from bot.ingest.rulebook import ActiveRules, RuleBook
from bot.ingest.tallies import tally_batch
from bot.ingest.transaction import in_transaction
from bot.metrics import record_ingest
from scoring.accounts import bundled_free_mail
from scoring.evaluate import ActivityRecord
from scoring.events import Event, parse_event
from scoring.tally import Tally
from storage.activities import insert_activities
from storage.events import claim_event_ids, keep_dead_letters, storable
from storage.leads import LeadState, lock_leads, save_leads
from storage.pipeline import entries_for, save_entries

SEGMENT_ID_PREFIX = "segment:"
"""Event ids of messages from the Segment-spec API; other sources may not use them."""


def utc_now() -> datetime:
    return datetime.now(UTC)


class Ingestor:
    """Validates, stores and scores batches of events."""

    def __init__(
        self,
        *,
        engine: Engine,
        rulebook: RuleBook | None = None,
        clock: Callable[[], datetime] = utc_now,
        on_alerts: Callable[[list[int]], None] | None = None,
        free_mail: frozenset[str] | None = None,
        timezone: str = "UTC",
    ) -> None:
        self.engine = engine
        self.rulebook = rulebook or RuleBook()
        self.clock = clock
        self.on_alerts = on_alerts
        self.free_mail = bundled_free_mail() if free_mail is None else free_mail
        self.timezone = timezone

    def ingest(
        self,
        items: Sequence[Item],
        *,
        source: str,
        alert: bool = True,
        dead_letters: Sequence[dict[str, Any]] = (),
    ) -> IngestResult:
        """Store a batch; invalid items are kept as dead letters, valid ones all go in.

        An item whose ``data`` is already an ``Event`` is not validated again
        (the CSV importer validates whole rows itself); ``dead_letters`` are
        input the caller rejected, kept in the same transaction as the batch.
        """
        validated = IngestResult(outcomes=[REJECTED] * len(items))
        events, positions, dead = self._validate(items, validated)
        now = self.clock()

        def store(session: Session) -> IngestResult:
            result = replace(
                validated,
                rejected=list(validated.rejected),
                alert_ids=[],
                outcomes=list(validated.outcomes),
            )
            keep_dead_letters(session=session, rows=[*dead, *dead_letters], now=now, source=source)
            if events:
                fresh = self._store(session, events, source, now, alert, result)
                for event, position in zip(events, positions, strict=True):
                    result.outcomes[position] = ACCEPTED if event.id in fresh else DUPLICATE
            return result

        result = in_transaction(self.engine, store, what=f"{source} batch")
        record_ingest(source, result, also_rejected=len(dead_letters))
        if result.alert_ids and self.on_alerts is not None:
            self.on_alerts(result.alert_ids)
        return result

    def store_events(
        self, session: Session, events: list[Event], *, source: str, now: datetime
    ) -> tuple[set[str], list[int]]:
        """Store validated events (unique ids) in the caller's transaction: the new ids, alerts.

        For entry paths that must do their own work in the same transaction
        (the Segment API resolves who an event is about first); the caller
        commits, counts the result and wakes the outbox.
        """
        result = IngestResult()
        fresh = self._store(session, events, source, now, True, result) if events else set()
        return fresh, result.alert_ids

    def _validate(
        self, items: Sequence[Item], result: IngestResult
    ) -> tuple[list[Event], list[int], list[dict[str, Any]]]:
        """The valid events, each first of its id, with their item positions; the dead letters."""
        events: list[Event] = []
        positions: list[int] = []
        dead: list[dict[str, Any]] = []
        seen: set[str] = set()
        for position, item in enumerate(items):
            try:
                event = item.data if isinstance(item.data, Event) else parse_event(item.data)
                if event.id.startswith(SEGMENT_ID_PREFIX):
                    raise ValueError(f"id: {SEGMENT_ID_PREFIX}... ids are the Segment API's")
            except ValueError as exc:
                raw_id = item.data.get("id") if isinstance(item.data, dict) else None
                event_id = storable(str(raw_id)[:200]) if raw_id is not None else None
                result.rejected.append(Rejection(item.index, item.position, event_id, str(exc)))
                dead.append(
                    {
                        "event_id": event_id,
                        "position": item.position,
                        "payload": _payload_text(item.data),
                        "error": str(exc),
                    }
                )
                continue
            if event.id in seen:
                result.outcomes[position] = DUPLICATE
                continue
            seen.add(event.id)
            events.append(event)
            positions.append(position)
        return events, positions, dead

    def _store(
        self,
        session: Session,
        events: list[Event],
        source: str,
        now: datetime,
        alert: bool,
        result: IngestResult,
    ) -> set[str]:
        """Store the events; the ids that were new (the others were stored before)."""
        rules = self.rulebook.active(session)
        leads = lock_leads(session=session, emails=[e.lead.email for e in events], now=now)
        fresh = claim_event_ids(
            session=session,
            rows=[{"event_id": e.id, "lead_id": leads[e.lead.email].id} for e in events],
        )
        new_events = [e for e in events if e.id in fresh]
        if new_events:
            settle_accounts(
                session=session, events=new_events, leads=leads, free_mail=self.free_mail, now=now
            )
            touched, tallies = self._apply(session, new_events, leads, rules)
            result.alert_ids.extend(self._rescore(session, touched, tallies, rules, now, alert))
            if alert:
                heating = intent_accounts(
                    rules, new_events, {e: lead.account_id for e, lead in leads.items()}
                )
                result.alert_ids.extend(
                    queue_account_alerts(
                        session=session,
                        account_ids=heating,
                        rules=rules,
                        now=now,
                        default_zone=self.timezone,
                    )
                )
        return fresh

    def _apply(
        self,
        session: Session,
        events: list[Event],
        leads: dict[str, LeadState],
        rules: ActiveRules,
    ) -> tuple[dict[int, LeadState], dict[int, Tally]]:
        """Store the events' effects; the touched leads and their behaviour tallies.

        The tallies are returned, never kept on ``self``: one Ingestor serves
        every request thread, and on PostgreSQL batches really run at once.
        """
        touched: dict[int, LeadState] = {}
        activity_rows: list[dict[str, Any]] = []
        batch: dict[int, list[ActivityRecord]] = defaultdict(list)
        deal_events: dict[int, list[Event]] = defaultdict(list)
        late: dict[int, datetime] = {}
        for event in sorted(events, key=lambda e: e.occurred_at):
            lead = leads[event.lead.email]
            touched[lead.id] = lead
            if _before_a_known_deal(lead, event) and lead.id not in late:
                late[lead.id] = event.occurred_at
            merge_profile(lead, event)
            if event.type == "activity" and event.activity is not None:
                activity = event.activity
                activity_rows.append(
                    {
                        "lead_id": lead.id,
                        "event_id": event.id,
                        "kind": activity.kind,
                        "url": activity.url,
                        "properties": activity.properties,
                        "occurred_at": event.occurred_at,
                    }
                )
                batch[lead.id].append(
                    ActivityRecord(
                        activity.kind, event.occurred_at, activity.url, activity.properties
                    )
                )
            elif event.type == "deal.updated":
                deal_events[lead.id].append(event)
        insert_activities(session=session, rows=activity_rows)
        behaviour = tally_batch(
            session=session,
            touched=touched,
            batch=batch,
            with_history=deal_events.keys() | late.keys(),
            rules=rules,
        )
        if deal_events:
            self._apply_deals(session, deal_events, touched, behaviour.histories, rules)
        if late:
            refreeze_late(
                session=session,
                leads=touched,
                since=late,
                histories=behaviour.histories,
                rules=rules,
            )
        return touched, behaviour.tallies

    def _apply_deals(
        self,
        session: Session,
        deal_events: dict[int, list[Event]],
        touched: dict[int, LeadState],
        histories: dict[int, list[ActivityRecord]],
        rules: ActiveRules,
    ) -> None:
        # A lead this batch created has no entries yet (a backfill's every row, often).
        entries = entries_for(
            session=session, lead_ids=[i for i in deal_events if not touched[i].is_new]
        )
        for lead_id, lead_events in deal_events.items():
            for event in lead_events:
                assert event.deal is not None
                apply_deal(
                    lead=touched[lead_id],
                    deal=event.deal,
                    at=event.occurred_at,
                    entries=entries[lead_id],
                    history=histories.get(lead_id, []),
                    rules=rules,
                )
        save_entries(session=session, entries=[e for i in deal_events for e in entries[i]])

    def _rescore(
        self,
        session: Session,
        touched: dict[int, LeadState],
        tallies: dict[int, Tally],
        rules: ActiveRules,
        now: datetime,
        alert: bool,
    ) -> list[int]:
        hot: list[LeadState] = []
        for lead_id, lead in touched.items():
            rescore(lead, rules, tallies[lead_id], now)
            if not alert:
                settle_without_alert(lead, rules.rule_set)
            elif turned_hot(lead, rules.rule_set):
                hot.append(lead)
        alert_ids = queue_alerts(
            session=session, leads=hot, rules=rules, now=now, default_zone=self.timezone
        )
        save_leads(session=session, leads=list(touched.values()))
        return alert_ids


def _before_a_known_deal(lead: LeadState, event: Event) -> bool:
    """Whether a profile or activity event is dated at or before the lead's known deals.

    Such an event belongs to what the lead looked like when it entered the
    pipeline, so the entries it predates are scored again.
    """
    return (
        event.type != "deal.updated"
        and not lead.is_new
        and lead.deal_updated_at is not None
        and event.occurred_at <= lead.deal_updated_at
    )


def _payload_text(data: Any) -> str:
    try:
        return json.dumps(data, ensure_ascii=False, default=str, allow_nan=True)
    except (TypeError, ValueError, RecursionError):
        return repr(data)[:65_536]
