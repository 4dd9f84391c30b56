"""Rescoring every lead after a points-only rule change, as set-based SQL.

When a new rule set keeps every condition, ``max_count`` and the decay of
the one before (``scoring.rule_changes.points_only``), each lead's stored
tally and fit flags still describe what it did and who it is; only the
points they are worth changed. One UPDATE per range of ids then computes
each part of the score from them exactly as ``scoring.evaluate`` does:

    fit      = sum of the points of the fit rules flagged in ``fit_hits``
    decaying = sum over rules with points > 0 of points * (sum of kept weights)
    fixed    = sum over rules with points < 0 of points * count
    score    = clamp(base + fit + decaying * decay factor at ``now`` + fixed)

each sum taken left to right in rule order (a rule without hits adds 0.0,
which changes no sum), so the parts are the very doubles a replay stores.
Band and arming move as ``bot.ingest.heat.settle_without_alert`` moves them
(a rule change never alerts), and the tally is relabelled with the new
version so ingest keeps folding into it.

Only leads whose tally and flags are usable are touched: scored under the
previous version, tally of that version covering the lead's latest activity,
flags for every fit rule. The caller replays the rest (``rule_set_version``
still differs from the new one).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Float,
    Integer,
    Text,
    and_,
    case,
    cast,
    func,
    literal,
    literal_column,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session

from scoring.decay import DAYS_PER_PERIOD, SECONDS_PER_DAY
from scoring.rule_set import BehaviorRule, RuleSet
from storage.decay import _greatest, _least
from storage.dialect import is_postgres_session
from storage.models import Lead

LEADS = Lead.__table__  # type: ignore[attr-defined]
TALLY = LEADS.c.behavior_tally
FIRST_SLOT = 2
"""A stored tally is ``[version, latest, slot, slot, ...]`` (``scoring.tally``)."""


def rescore_points(
    *,
    session: Session,
    rule_set: RuleSet,
    previous: int,
    version: int,
    now: datetime,
    ids: tuple[int, int] | None = None,
) -> int:
    """Rescore the usable leads scored under ``previous`` with ``rule_set`` (``version``).

    ``rule_set`` must differ from version ``previous`` in points, base,
    thresholds or score range only. ``ids`` (exclusive lower, inclusive
    upper bound) limits the pass to a range. Returns how many leads were rescored.
    """
    postgres = is_postgres_session(session)
    json = _Json(postgres)
    parts = (
        select(
            LEADS.c.id.label("id"),
            _fit(rule_set).label("fit"),
            _decaying(rule_set, json).label("decaying"),
            _fixed(rule_set, json).label("fixed"),
            _factor(rule_set, now, json, postgres).label("factor"),
        )
        .where(*_usable(rule_set, previous, json, postgres), *_id_range(ids))
        # OFFSET 0 keeps both databases from inlining the subquery, which
        # would evaluate the tally expressions once per column that uses them.
        .offset(0)
        .subquery("parts")
    )
    behavior = parts.c.decaying * parts.c.factor + parts.c.fixed
    total = literal(float(rule_set.base), Float) + parts.c.fit + behavior
    low, high = (float(bound) for bound in rule_set.score_range)
    score = _least(_greatest(total, low, postgres), high, postgres)
    hot, warm = float(rule_set.thresholds.hot), float(rule_set.thresholds.warm)
    statement = (
        update(LEADS)
        .where(LEADS.c.id == parts.c.id)
        .values(
            fit=parts.c.fit,
            behavior_decaying=parts.c.decaying,
            behavior_fixed=parts.c.fixed,
            behavior=behavior,
            score=score,
            band=case((score >= hot, "hot"), (score >= warm, "warm"), else_="cold"),
            alert_armed=case(
                (score < warm, literal(True)),
                (score >= hot, literal(False)),
                else_=LEADS.c.alert_armed,
            ),
            scored_at=literal(now, LEADS.c.scored_at.type),
            rule_set_version=version,
            behavior_tally=json.relabel(version),
        )
        .execution_options(synchronize_session=False)
    )
    rowcount = session.execute(statement).rowcount  # type: ignore[attr-defined]
    return max(int(rowcount), 0)


class _Json:
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
        if self.postgres:
            return func.jsonb_set(TALLY, _text_array([0]), func.to_jsonb(literal(version, Integer)))
        # The stored text starts "[<version>,": replacing that prefix copies the rest
        # as written (json_set would parse and re-render every number).
        return literal(f"[{version}") + func.substr(TALLY, func.instr(TALLY, ","))


def _text_array(path: Sequence[int]) -> ColumnElement[Any]:
    """A JSON path as PostgreSQL's ``text[]`` (``'{2,1}'``)."""
    return cast(literal("{" + ",".join(map(str, path)) + "}"), ARRAY(Text))


def _sum(terms: list[ColumnElement[Any]]) -> ColumnElement[Any]:
    """``0.0 + a + b + ...``, added left to right as Python adds them."""
    total: ColumnElement[Any] = literal(0.0, Float)
    for term in terms:
        total = total + term
    return total


def _fit(rule_set: RuleSet) -> ColumnElement[Any]:
    """Each rule's points times its flag (1 or 0): a CASE per rule costs a third more."""
    return _sum(
        [
            literal(rule.points, Float) * cast(_flag(position) == "1", Integer)
            for position, rule in enumerate(rule_set.fit)
        ]
    )


def _flag(position: int) -> ColumnElement[Any]:
    return func.substr(LEADS.c.fit_hits, position + 1, 1)


def _count(rule: BehaviorRule, slot: int, json: _Json) -> ColumnElement[Any]:
    """How many matches the rule counts: kept weights, or the stored count."""
    if rule.max_count:
        kept = [json.number(slot, i).is_not(None) for i in range(rule.max_count)]
        return _sum([case((present, 1.0), else_=0.0) for present in kept])
    return func.coalesce(json.number(slot, 0), 0.0)


def _weight(rule: BehaviorRule, slot: int, json: _Json) -> ColumnElement[Any]:
    """The sum of the decay weights of the matches the rule counts."""
    if rule.max_count:
        return _sum([func.coalesce(json.number(slot, i), 0.0) for i in range(rule.max_count)])
    return func.coalesce(json.number(slot, 1), 0.0)


def _decaying(rule_set: RuleSet, json: _Json) -> ColumnElement[Any]:
    return _sum(
        [
            _if_matched(json, slot, literal(rule.points, Float) * _weight(rule, slot, json))
            for slot, rule in enumerate(rule_set.behavior, start=FIRST_SLOT)
            if rule.points > 0
        ]
    )


def _fixed(rule_set: RuleSet, json: _Json) -> ColumnElement[Any]:
    return _sum(
        [
            _if_matched(json, slot, literal(rule.points, Float) * _count(rule, slot, json))
            for slot, rule in enumerate(rule_set.behavior, start=FIRST_SLOT)
            if rule.points < 0
        ]
    )


def _if_matched(json: _Json, slot: int, term: ColumnElement[Any]) -> ColumnElement[Any]:
    """``term`` for a rule that matched, 0.0 (what Python skips) without reading it otherwise."""
    return case((json.has(slot), term), else_=literal(0.0, Float))


def _factor(rule_set: RuleSet, now: datetime, json: _Json, postgres: bool) -> ColumnElement[Any]:
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


def _usable(
    rule_set: RuleSet, previous: int, json: _Json, postgres: bool
) -> list[ColumnElement[bool]]:
    """Leads whose stored tally and fit flags can be rescored without their history."""
    return [
        LEADS.c.rule_set_version == previous,
        cast(json.number(0), Integer) == previous,
        func.length(LEADS.c.fit_hits) == len(rule_set.fit),
        _covers_latest(json, postgres),
    ]


def _covers_latest(json: _Json, postgres: bool) -> ColumnElement[bool]:
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


def _id_range(ids: tuple[int, int] | None) -> list[ColumnElement[bool]]:
    if ids is None:
        return []
    return [LEADS.c.id > ids[0], LEADS.c.id <= ids[1]]


def lead_count(*, session: Session) -> int:
    """How many leads a rule change rescores at most (said before it starts)."""
    return int(session.execute(select(func.count()).select_from(LEADS)).scalar_one())
