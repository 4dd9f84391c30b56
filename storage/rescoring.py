"""Rescoring every lead after a points-only rule change, as set-based SQL.

When a new rule set keeps every condition, ``max_count`` and the decay of
the one before (``scoring.rule_changes.points_only``), each lead's stored
tally and fit flags still describe what it did and who it is; only the
points they are worth changed. One UPDATE per range of ids (on SQLite, an
INSERT into a temporary table and an UPDATE from it) then computes each
part of the score from them exactly as ``scoring.evaluate`` does:

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

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Float,
    Integer,
    MetaData,
    Table,
    Text,
    bindparam,
    case,
    func,
    literal,
    select,
    text,
    update,
)
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session

from scoring.rule_set import RuleSet
from storage.decay import _greatest, _least
from storage.dialect import is_postgres_session
from storage.models import Lead
from storage.tally_sql import (
    TallyJson,
    decaying_sql,
    factor_sql,
    fit_sql,
    fixed_sql,
    usable_sql,
)

LEADS = Lead.__table__  # type: ignore[attr-defined]


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
    json = TallyJson(postgres)
    parts = (
        select(
            LEADS.c.id.label("id"),
            fit_sql(rule_set).label("fit"),
            decaying_sql(rule_set, json).label("decaying"),
            fixed_sql(rule_set, json).label("fixed"),
            factor_sql(rule_set, now, json, postgres).label("factor"),
        )
        .where(*usable_sql(rule_set, previous, json, postgres), *_id_range(ids))
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
    band = case((score >= hot, "hot"), (score >= warm, "warm"), else_="cold")
    if not postgres:
        arm = case((score < warm, literal(True)), (score >= hot, literal(False)))
        return _through_table(
            session,
            select(
                parts.c.id, parts.c.fit, parts.c.decaying, parts.c.fixed, behavior, score, band, arm
            ),
            version,
            now,
        )
    statement = (
        update(LEADS)
        .where(LEADS.c.id == parts.c.id)
        .values(
            fit=parts.c.fit,
            behavior_decaying=parts.c.decaying,
            behavior_fixed=parts.c.fixed,
            behavior=behavior,
            score=score,
            band=band,
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


RESCORED = Table(
    "rescored_leads",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("fit", Float),
    Column("decaying", Float),
    Column("fixed", Float),
    Column("behavior", Float),
    Column("score", Float),
    Column("band", Text),
    Column("arm", Boolean),
    prefixes=["TEMPORARY"],
)
"""SQLite: a range's new scores, for the UPDATE that writes them (``_through_table``)."""

_WRITE_RESCORED = text(
    """
    UPDATE leads SET
        (fit, behavior_decaying, behavior_fixed, behavior, score, band, alert_armed) = (
            SELECT r.fit, r.decaying, r.fixed, r.behavior, r.score, r.band,
                   coalesce(r.arm, leads.alert_armed)
            FROM rescored_leads AS r WHERE r.id = leads.id
        ),
        scored_at = :now,
        rule_set_version = :version,
        behavior_tally = '[' || :version || substr(behavior_tally, instr(behavior_tally, ','))
    WHERE id IN (SELECT id FROM rescored_leads)
    """
).bindparams(bindparam("now", type_=LEADS.c.scored_at.type))


def _through_table(session: Session, rescored: Any, version: int, now: datetime) -> int:
    """Write a range's new scores on SQLite, through a small temporary table.

    SQLite's UPDATE ... FROM copies every new row aside before writing it;
    a keyed temporary table of the new numbers is cheaper to write from. The
    tally is relabelled by its text prefix (``[<version>,``), so every other
    digit stays as ``scoring.tally`` wrote it.
    """
    connection = session.connection()
    RESCORED.create(connection, checkfirst=True)
    session.execute(RESCORED.delete())
    session.execute(RESCORED.insert().from_select([c.name for c in RESCORED.c], rescored))
    written = session.execute(_WRITE_RESCORED, {"now": now, "version": version}).rowcount  # type: ignore[attr-defined]
    session.execute(RESCORED.delete())
    return max(int(written), 0)


def _id_range(ids: tuple[int, int] | None) -> list[ColumnElement[bool]]:
    if ids is None:
        return []
    return [LEADS.c.id > ids[0], LEADS.c.id <= ids[1]]


def lead_count(*, session: Session) -> int:
    """How many leads a rule change rescores at most (said before it starts)."""
    return int(session.execute(select(func.count()).select_from(LEADS)).scalar_one())
