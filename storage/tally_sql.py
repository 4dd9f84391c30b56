"""The parts of a lead's score, as SQL over its stored tally and fit flags (both databases).

Each expression computes what ``scoring.evaluate`` computes in Python, with
the same double operations in the same order, so ``storage.rescoring`` can
rescore leads without loading them. A stored tally is
``[version, latest, slot, slot, ...]`` (``scoring.tally``); fit flags are a
``1`` or ``0`` per fit rule (``scoring.evaluate.fit_flags``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Float, Integer, Text, and_, case, cast, func, literal, literal_column, or_
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.sql.elements import ColumnElement

from scoring.decay import DAYS_PER_PERIOD, SECONDS_PER_DAY
from scoring.rule_set import BehaviorRule, RuleSet
from storage.decay import _greatest
from storage.models import Lead

LEADS = Lead.__table__  # type: ignore[attr-defined]
TALLY = LEADS.c.behavior_tally
FIRST_SLOT = 2
"""The position of the first behaviour rule's slot in a stored tally."""


class TallyJson:
    """Reading and relabelling stored tallies, in each database's JSON dialect."""

    def __init__(self, postgres: bool) -> None:
        self.postgres = postgres

    def number(self, *path: int) -> ColumnElement[Any]:
        """The number at ``path`` in the tally, NULL when there is none."""
        if self.postgres:
            return cast(TALLY.op("#>>")(_text_array(path)), Float)
        return func.json_extract(TALLY, "$" + "".join(f"[{step}]" for step in path))

    def has(self, slot: int) -> ColumnElement[bool]:
        """Whether the rule at ``slot`` matched at all (most rules have not, for most leads)."""
        if self.postgres:
            return func.jsonb_typeof(TALLY.op("->")(literal_column(str(slot)))) == "array"
        return func.json_type(TALLY, f"$[{slot}]") == "array"

    def relabel(self, version: int) -> ColumnElement[Any]:
        """PostgreSQL: the tally with its version replaced (SQLite: ``_WRITE_RESCORED``)."""
        return func.jsonb_set(TALLY, _text_array([0]), func.to_jsonb(literal(version, Integer)))


def _text_array(path: Sequence[int]) -> ColumnElement[Any]:
    """A JSON path as PostgreSQL's ``text[]`` (``'{2,1}'``)."""
    return cast(literal("{" + ",".join(map(str, path)) + "}"), ARRAY(Text))


def _sum(terms: list[ColumnElement[Any]]) -> ColumnElement[Any]:
    """``0.0 + a + b + ...``, added left to right as Python adds them."""
    total: ColumnElement[Any] = literal(0.0, Float)
    for term in terms:
        total = total + term
    return total


def fit_sql(rule_set: RuleSet) -> ColumnElement[Any]:
    """Each rule's points times its flag (1 or 0): a CASE per rule costs a third more."""
    return _sum(
        [
            literal(rule.points, Float) * cast(_flag(position) == "1", Integer)
            for position, rule in enumerate(rule_set.fit)
        ]
    )


def _flag(position: int) -> ColumnElement[Any]:
    return func.substr(LEADS.c.fit_hits, position + 1, 1)


def _count(rule: BehaviorRule, slot: int, json: TallyJson) -> ColumnElement[Any]:
    """How many matches the rule counts: kept weights, or the stored count."""
    if rule.max_count:
        kept = [json.number(slot, i).is_not(None) for i in range(rule.max_count)]
        return _sum([case((present, 1.0), else_=0.0) for present in kept])
    return func.coalesce(json.number(slot, 0), 0.0)


def _weight(rule: BehaviorRule, slot: int, json: TallyJson) -> ColumnElement[Any]:
    """The sum of the decay weights of the matches the rule counts."""
    if rule.max_count:
        return _sum([func.coalesce(json.number(slot, i), 0.0) for i in range(rule.max_count)])
    return func.coalesce(json.number(slot, 1), 0.0)


def decaying_sql(rule_set: RuleSet, json: TallyJson) -> ColumnElement[Any]:
    return _sum(
        [
            _if_matched(json, slot, literal(rule.points, Float) * _weight(rule, slot, json))
            for slot, rule in enumerate(rule_set.behavior, start=FIRST_SLOT)
            if rule.points > 0
        ]
    )


def fixed_sql(rule_set: RuleSet, json: TallyJson) -> ColumnElement[Any]:
    return _sum(
        [
            _if_matched(json, slot, literal(rule.points, Float) * _count(rule, slot, json))
            for slot, rule in enumerate(rule_set.behavior, start=FIRST_SLOT)
            if rule.points < 0
        ]
    )


def _if_matched(json: TallyJson, slot: int, term: ColumnElement[Any]) -> ColumnElement[Any]:
    """``term`` for a rule that matched, 0.0 (what Python skips) without reading it otherwise."""
    return case((json.has(slot), term), else_=literal(0.0, Float))


def factor_sql(
    rule_set: RuleSet, now: datetime, json: TallyJson, postgres: bool
) -> ColumnElement[Any]:
    """The decay factor at ``now`` (1 for a lead that never did anything).

    Idle time runs from the tally's stamp of the latest activity, which
    ``_covers_latest`` checks is the lead's: no date to parse per lead.
    """
    decay = rule_set.decay
    if decay.monthly_rate == 0:
        return literal(1.0, Float)
    idle = _greatest(
        (literal(now.timestamp(), Float) - json.number(1)) / SECONDS_PER_DAY, 0.0, postgres
    )
    decaying = _greatest(idle - float(decay.grace_days), 0.0, postgres)
    base = literal(1.0 - decay.monthly_rate, Float)  # the same double as scoring.decay's
    factor = func.power(base, decaying / DAYS_PER_PERIOD, type_=Float)
    return func.coalesce(factor, literal(1.0, Float))


def usable_sql(
    rule_set: RuleSet, previous: int, json: TallyJson, postgres: bool
) -> list[ColumnElement[bool]]:
    """Leads whose stored tally and fit flags can be rescored without their history."""
    return [
        LEADS.c.rule_set_version == previous,
        cast(json.number(0), Integer) == previous,
        func.length(LEADS.c.fit_hits) == len(rule_set.fit),
        _covers_latest(json, postgres),
    ]


def _covers_latest(json: TallyJson, postgres: bool) -> ColumnElement[bool]:
    """The tally holds the lead's latest activity (nothing was stored past it).

    Compared in whole microseconds: the stamp is a float of POSIX seconds,
    exact to well under a microsecond at today's dates.
    """
    stamp = json.number(1)
    last = LEADS.c.last_activity_at
    stored: ColumnElement[Any]
    if postgres:
        stored = cast(func.extract("epoch", last) * 1_000_000, Float)
    else:  # stored as "YYYY-MM-DD HH:MM:SS.ffffff"
        stored = func.unixepoch(func.substr(last, 1, 19)) * 1_000_000 + cast(
            func.substr(last, 21, 6), Integer
        )
    return or_(
        and_(stamp.is_(None), last.is_(None)),
        func.round(stamp * 1_000_000.0) == stored,
    )
