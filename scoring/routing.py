"""Who a hot lead goes to: the routed channel, its rotation, and who is available now.

Pure decisions: the caller passes what it knows about each rep (time zone,
absence) and the moment; capacity is counted by storage, atomically.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from scoring.conditions import condition_matches
from scoring.evaluate import LeadProfile
from scoring.rule_set import WEEKDAYS, Assignee, RoutingRule, RuleSet


@dataclass(frozen=True, slots=True)
class Route:
    """A routing decision; ``key`` names the rule so its round-robin turn can be stored.

    ``assignees`` is the rotation, one entry per turn (a rep of weight 2 is in it twice).
    """

    key: str
    channel: str
    assignees: tuple[str, ...]
    rule: RoutingRule | None = None


@dataclass(frozen=True, slots=True)
class RepStatus:
    """What routing needs to know about a rep: their time zone and absence."""

    user_id: str
    tz: str | None = None
    away_since: datetime | None = None
    away_until: datetime | None = None


def route(rule_set: RuleSet, lead: LeadProfile) -> Route | None:
    """The first matching routing rule, or None when the rule set routes nowhere."""
    for index, rule in enumerate(rule_set.routing):
        if rule.when is None or condition_matches(rule.when, lead):
            return Route(
                key=f"{rule_set.name}:{index}:{rule.channel}",
                channel=rule.channel,
                assignees=rule.turns,
                rule=rule,
            )
    return None


def rotation(assignees: list[Assignee]) -> tuple[str, ...]:
    """One cycle of turns, weights spread evenly (smooth weighted round-robin).

    ``[{user: U1, weight: 2}, U2]`` gives ``U1, U2, U1``: U1 twice per cycle, never
    both turns back to back when another rep could go between.
    """
    weights = [(a.user, a.weight) for a in assignees]
    total = sum(weight for _, weight in weights)
    current = [0] * len(weights)
    turns: list[str] = []
    for _ in range(total):
        for i, (_, weight) in enumerate(weights):
            current[i] += weight
        best = max(range(len(weights)), key=lambda i: (current[i], -i))
        current[best] -= total
        turns.append(weights[best][0])
    return tuple(turns)


def in_turn(turns: tuple[str, ...], start: int) -> list[str]:
    """Each rep once, in rotation order from turn ``start`` (whose turn it is first)."""
    if not turns:
        return []
    size = len(turns)
    return list(dict.fromkeys(turns[(start + i) % size] for i in range(size)))


def zone_of(rule: RoutingRule | None, rep_tz: str | None, default: str) -> ZoneInfo:
    """The rule's ``timezone`` if it has one, else the rep's own, else the app's."""
    for name in (rule.timezone if rule else None, rep_tz, default):
        if name:
            try:
                return ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return ZoneInfo("UTC")


def local_day(zone: ZoneInfo, now: datetime) -> str:
    """The rep's calendar day at ``now`` (capacity is counted per day of their own)."""
    return now.astimezone(zone).date().isoformat()


def unavailable(
    rule: RoutingRule | None, rep: RepStatus | None, zone: ZoneInfo, now: datetime
) -> str | None:
    """Why the rep cannot take a lead now ("away until 2026-12-10", "out of hours..."), or None."""
    if rep is not None and rep.away_since is not None and rep.away_since <= now:
        if rep.away_until is None:
            return "away"
        if now < rep.away_until:
            last_day = (rep.away_until - timedelta(microseconds=1)).astimezone(zone).date()
            return f"away until {last_day.isoformat()}"
    if rule is None:
        return None
    local = now.astimezone(zone)
    if rule.days is not None and WEEKDAYS[local.weekday()] not in rule.days:
        return f"off today ({_days(rule.days)}, {zone.key})"
    if rule.hours is not None and not _within(rule.hours, local.time()):
        return f"out of hours ({rule.hours} {zone.key})"
    return None


def _within(hours: str, moment: time) -> bool:
    start_text, end_text = hours.split("-")
    start, end = _clock(start_text), _clock(end_text)
    now = moment.hour * 60 + moment.minute
    if start < end:
        return start <= now < end
    return now >= start or now < end  # overnight, e.g. 22:00-06:00


def _clock(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def _days(days: Sequence[str]) -> str:
    return ", ".join(days)
