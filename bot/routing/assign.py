"""Choosing who takes a hot lead: the account's owner first, then the rotation.

A rep is passed over when away, out of the rule's hours or days in their time
zone, or at ``max_alerts_per_rep_per_day``; each pass-over is recorded with
its reason so the alert can say why it did not go where people expect. When
everyone considered is unavailable the alert goes to the channel with
``@here``. Runs inside the transaction that queues the alert, so the
capacity it takes is committed exactly when the alert is.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session

from scoring.routing import RepStatus, Route, in_turn, local_day, unavailable, zone_of
from scoring.rule_set import RoutingRule
from storage.models import Account
from storage.reps import rep_statuses, take_capacity


@dataclass
class Assignment:
    """Who gets the alert (None: the whole channel) and the story of why, for the message."""

    assignee: str | None
    routing: dict[str, Any] = field(default_factory=dict)


@dataclass
class Assigner:
    """Availability checks for one batch: reps read once, capacity taken as reps are chosen."""

    session: Session
    now: datetime
    default_zone: str
    reps: dict[str, RepStatus] = field(default_factory=dict)

    def load(self, user_ids: Iterable[str]) -> None:
        missing = {user for user in user_ids if user not in self.reps}
        if not missing:
            return
        found = rep_statuses(session=self.session, user_ids=missing)
        for user in missing:
            tz, since, until = found.get(user, (None, None, None))
            self.reps[user] = RepStatus(user, tz, since, until)

    def take(self, rule: RoutingRule | None, user_id: str) -> str | None:
        """Give the rep this lead if they can take it now; else the reason they cannot."""
        rep = self.reps.get(user_id)
        zone = zone_of(rule, rep.tz if rep else None, self.default_zone)
        reason = unavailable(rule, rep, zone, self.now)
        if reason is not None:
            return reason
        limit = rule.max_alerts_per_rep_per_day if rule else None
        day = local_day(zone, self.now)
        if not take_capacity(session=self.session, user_id=user_id, day=day, limit=limit):
            return f"at capacity ({limit} today)"
        return None

    def to_owner(self, target: Route, account: Account) -> Assignment | None:
        """The owner, when they can take it now; else None, with why noted for the fallback."""
        if account.owner_id is None:
            return None
        self.load([account.owner_id])
        reason = self.take(target.rule, account.owner_id)
        routing = {"account": account.key, "owner": account.owner_id}
        if reason is None:
            return Assignment(account.owner_id, {**routing, "via": "owner"})
        return Assignment(None, {**routing, "owner_unavailable": reason})

    def from_rotation(
        self, target: Route, turn: int, routing: dict[str, Any], *, skip: Iterable[str] = ()
    ) -> Assignment:
        """The first rep from ``turn`` on who can take it; ``@here`` when none can."""
        passed = set(skip)
        skipped: list[list[str]] = []
        for user in in_turn(target.assignees, turn):
            if user in passed:
                continue
            reason = self.take(target.rule, user)
            if reason is None:
                return Assignment(user, {**routing, "via": "rotation", "skipped": skipped})
            skipped.append([user, reason])
        considered = bool(skipped) or "owner_unavailable" in routing
        return Assignment(
            None, {**routing, "via": "nobody" if considered else "channel", "skipped": skipped}
        )
