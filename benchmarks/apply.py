"""How long applying a points-only rule change takes on 1,000,000 leads, against a bare UPDATE.

Run from the repository root: ``python -m benchmarks.apply [--leads 1000000 --repeat 1]``.

Each backend gets a scratch database (a temporary SQLite file; a PostgreSQL
schema of its own, dropped afterwards) with the real schema and indexes,
and the bundled rule set as the active version. The leads are generated
inside the database (a recursive CTE on SQLite, ``generate_series`` on
PostgreSQL) as the ingest path leaves them: a profile with a small
attributes document, fit flags for the nine fit rules, and a behaviour
tally where each of the ten behaviour rules has matched about three leads
in ten (one to ``max_count`` kept weights, or a count and a weight sum),
last active 1..120 days ago with a microsecond fraction.

Each measurement starts from a freshly loaded table (so no run pays for
another's dead rows) and includes the commit:

- ``bare``: ``UPDATE leads SET score = score``, the least a pass over every
  lead can cost. On SQLite it rewrites nothing: SQLite compares a row's new
  bytes with the old ones and leaves the page alone when they are equal, and
  the index entries it deletes and re-inserts land where they were, so the
  WAL barely grows. It measures reading the table, not rewriting it;
- ``write``: ``UPDATE leads SET score = score * 0.99``, the bare UPDATE of
  ``benchmarks/decay.py``: every score changes, so every table page and
  ``ix_leads_score`` are written, as Apply writes them. This is the honest
  bare UPDATE of the same table, and the target is measured against it.
  PostgreSQL writes a new row version either way, so there the two are close;
- ``apply``: ``bot.rules_admin.apply_rules`` with the bundled rules' points
  changed and ``base: 5``: storing the version, then rescoring every lead
  from its tally in transactions of 50,000 (``storage.rescoring``).

The check at the end makes sure the apply took the set-based path (every
lead on the new version, none replayed from a history it does not have).
"""

from __future__ import annotations

import argparse
import statistics
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import yaml
from sqlalchemy import Engine, text

from benchmarks.decay import postgres_database, settle, sqlite_database
from bot.rules_admin import apply_rules
from bot.services import Services, build_services
from bot.settings import Settings
from scoring.rule_file import bundled_rules_text, parse_rule_set
from storage.engine import make_engine, session_scope
from storage.rule_sets import store_version
from storage.schema import upgrade

TARGET_RATIO = 3.0
AT = datetime(2026, 12, 1, 0, 15, tzinfo=UTC)
AT_EPOCH = int(AT.timestamp())
RULES = bundled_rules_text()
OLD_VERSION = 1
ATTRIBUTES = """'{"source": "web", "lead_origin": "API", "occupation": "Working Professional"}'"""


def new_rules(step: int) -> str:
    """The bundled rules with every rule's points moved (as calibration would) and a base."""
    data = yaml.safe_load(RULES)
    for number, rule in enumerate([*data["fit"], *data["behavior"]]):
        rule["points"] = rule["points"] + (number % 3) - 1 + step
    data["base"] = 5
    return yaml.safe_dump(data, sort_keys=False)


def _slot(position: int, max_count: int | None, postgres: bool) -> str:
    """SQL for one behaviour rule's slot of lead ``i``'s tally: null for 7 leads in 10."""
    array = "jsonb_build_array" if postgres else "json_array"
    prime = (7919, 104729, 1299709, 15485863, 32452843, 49979687, 67867967, 86028121)[position % 8]
    weight = f"(1 + ((i * {prime} + {{k}}) % 997)) / 1000.0"
    if max_count:
        cases = " ".join(
            f"WHEN {kept} THEN {array}(" + ", ".join(weight.format(k=k) for k in range(kept)) + ")"
            for kept in range(1, max_count + 1)
        )
        value = f"CASE 1 + (i * {prime}) % {max_count} {cases} END"
    else:
        value = f"{array}(1 + (i * {prime}) % 4, {weight.format(k=0)} * 3)"
    return f"CASE WHEN (i * {prime} + {position}) % 10 < 3 THEN {value} END"


def _load_sql(postgres: bool) -> str:
    rule_set = parse_rule_set(RULES)
    array = "jsonb_build_array" if postgres else "json_array"
    slots = ", ".join(
        _slot(position, rule.max_count, postgres) for position, rule in enumerate(rule_set.behavior)
    )
    flags = " || ".join(
        f"CASE WHEN (i * {31 + n}) % {3 + n} = 0 THEN '1' ELSE '0' END"
        for n in range(len(rule_set.fit))
    )
    # Last active 1..120 days before AT, whole seconds plus a microsecond fraction; the
    # tally's stamp is that instant as POSIX seconds, as scoring.tally writes it.
    seconds = f"({AT_EPOCH} - 86400 - (i * 7919) % (119 * 86400))"
    micros = "((i * 104729) % 1000000)"
    if postgres:
        last = (
            f"timestamp 'epoch' + make_interval(secs => {seconds}) "
            f"+ make_interval(secs => {micros} / 1e6)"
        )
        source = "generate_series(1, CAST(:count AS bigint)) AS i"
    else:
        last = f"datetime({seconds}, 'unixepoch') || '.' || printf('%06d', {micros})"
        source = "n"
    if postgres:
        stamp = f"{seconds} + {micros} / 1000000.0"  # numeric: exact
    else:  # SQLite's json_array writes a REAL with 15 digits; Python writes every digit
        stamp = f"json({seconds} || '.' || printf('%06d', {micros}))"
    select = f"""
        SELECT 'lead' || i || '@bench.example', 'Lead ' || i, 'VP Sales', 'Acme ' || (i % 5000),
               50 + (i % 900), 'SaaS', 'DE', 'EMEA',
               {ATTRIBUTES}, '{{}}', {last}, {last},
               10.0 + (i % 50), {flags}, (i % 40) * 1.0, CASE WHEN i % 10 = 0 THEN -20.0 ELSE 0 END,
               0.0, 10.0 + (i % 80), 'warm', {last}, {OLD_VERSION}, {"true" if postgres else "1"},
               0, {array}({OLD_VERSION}, {stamp}, {slots})
        FROM {source}
    """
    columns = (
        "email, name, title, company, company_size, industry, country, region, attributes, "
        "field_times, created_at, last_activity_at, fit, fit_hits, behavior_decaying, "
        "behavior_fixed, behavior, score, band, scored_at, rule_set_version, alert_armed, "
        "alert_cycle, behavior_tally"
    )
    prefix = (
        ""
        if postgres
        else "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < :count) "
    )
    return f"{prefix}INSERT INTO leads ({columns}) {select}"


def load(engine: Engine, count: int) -> float:
    """Empty the table, insert ``count`` leads, refresh statistics; seconds taken."""
    postgres = engine.dialect.name == "postgresql"
    started = time.perf_counter()
    with session_scope(engine) as session:
        session.execute(text("DELETE FROM leads"))
        session.execute(text("DROP INDEX IF EXISTS ix_leads_score"))
        session.execute(text(_load_sql(postgres)), {"count": count})
        session.execute(text("CREATE INDEX ix_leads_score ON leads (score)"))
        # Every measurement starts from the bundled rules as the only version.
        session.execute(
            text("DELETE FROM rule_set_versions WHERE version <> :version"),
            {"version": OLD_VERSION},
        )
    settle(engine)
    return time.perf_counter() - started


def bare_update(engine: Engine, write: bool) -> None:
    with session_scope(engine) as session:
        session.execute(text(f"UPDATE leads SET score = score{' * 0.99' if write else ''}"))


def fast_apply(url: str, engine: Engine, step: int) -> None:
    outcome = apply_rules(_services(url, engine), text=new_rules(step), applied_by="bench")
    assert outcome.activated


def _services(url: str, engine: Engine) -> Services:
    """Fresh services (and so a fresh cache of parsed rule versions) for one measurement."""
    settings = Settings(_env_file=None, database_url=url)  # type: ignore[call-arg]
    return build_services(settings, engine=engine, clock=lambda: AT)


def check(engine: Engine, count: int) -> None:
    with session_scope(engine) as session:
        stale = session.execute(
            text("SELECT count(*) FROM leads WHERE rule_set_version = :v"), {"v": OLD_VERSION}
        ).scalar_one()
        # A replay would have found no activities (none are stored): no behaviour at all.
        engaged = session.execute(
            text("SELECT count(*) FROM leads WHERE behavior_decaying > 0")
        ).scalar_one()
    assert stale == 0, f"{stale} of {count} leads were not rescored"
    assert engaged > count // 2, "the leads were replayed, not rescored from their tallies"


def bench(backend: str, url: str, count: int, repeat: int) -> float:
    engine = make_engine(url)
    upgrade(engine)
    with session_scope(engine) as session:
        store_version(
            session=session, name="bench", content=RULES, content_hash=uuid.uuid4().hex,
            applied_by="bench", now=AT,
        )  # fmt: skip
    cases: dict[str, Callable[[int], None]] = {
        "bare": lambda step: bare_update(engine, False),
        "write": lambda step: bare_update(engine, True),
        "apply": lambda step: fast_apply(url, engine, step),
    }
    postgres = engine.dialect.name == "postgresql"
    times: dict[str, list[float]] = {name: [] for name in cases}
    written: dict[str, float] = {}
    for step in range(repeat):
        for name, case in cases.items():
            seconds = load(engine, count)
            print(f"{backend}: loaded {count:,} leads in {seconds:.1f} s")
            before = wal_bytes(url, engine)
            started = time.perf_counter()
            case(step)
            times[name].append(time.perf_counter() - started)
            after = wal_bytes(url, engine)
            if before is not None and after is not None and (postgres or name != "apply"):
                written[name] = (after - before) / 1e6
            if name == "apply":
                check(engine, count)
    engine.dispose()
    medians = {name: statistics.median(values) for name, values in times.items()}
    bare, write = medians["bare"], medians["write"]
    print(f"{backend}, {count:,} leads, median of {repeat}:")
    for name, value in medians.items():
        runs = ", ".join(f"{v:.2f}" for v in times[name])
        wal = f"   WAL written: {written[name]:,.0f} MB" if name in written else ""
        print(
            f"  {name:6s} {value:7.2f} s  ({value / bare:4.2f}x bare, "
            f"{value / write:4.2f}x write)   runs: {runs}{wal}"
        )
    print(f"  {EXPLAINED[backend]}")
    return medians["apply"] / write


EXPLAINED = {
    "sqlite": (
        "bare (score = score) changes no value, so SQLite writes no table page (see the WAL): "
        "it times a read of the table. write (score * 0.99) rewrites every row and its index "
        "entry, as apply does: the target is measured against it."
    ),
    "postgres": (
        "bare (score = score) still writes a new version of every row (MVCC), so the two are "
        "close; write (score * 0.99) also moves every score's index entry, as apply does: the "
        "target is measured against it."
    ),
}


def wal_bytes(url: str, engine: Engine) -> int | None:
    """Write-ahead log written so far: PostgreSQL's LSN; on SQLite the -wal file's size.

    ``load`` truncates SQLite's log, so after one statement its size is what
    that statement wrote. Apply commits in several transactions and SQLite
    reuses the log after each checkpoint, so its figure is left out there.
    """
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            return int(connection.execute(text("SELECT pg_current_wal_lsn() - '0/0'")).scalar_one())
    path = Path(url.removeprefix("sqlite:///") + "-wal")
    return path.stat().st_size if path.exists() else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    args = parser.parse_args()
    backends = {"sqlite": sqlite_database, "postgres": postgres_database}
    if args.backend != "both":
        backends = {args.backend: backends[args.backend]}
    verdicts = []
    for backend, database in backends.items():
        with database() as url:
            ratio = bench(backend, url, args.leads, args.repeat)
        verdicts.append((backend, ratio))
    met = all(ratio <= TARGET_RATIO for _, ratio in verdicts)
    shown = ", ".join(f"{backend} {ratio:.2f}x" for backend, ratio in verdicts)
    print(
        f"points-only apply vs a bare UPDATE of every score: {shown} "
        f"(target <= {TARGET_RATIO:.0f}x: {'met' if met else 'MISSED'})"
    )


if __name__ == "__main__":
    main()
