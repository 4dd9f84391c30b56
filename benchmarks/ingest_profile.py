"""``python -m benchmarks.ingest --profile webhook|csv|bank``: where ingest spends its time.

Runs the path in-process (no HTTP, no subprocess) twice: once plain for the
rate, once under cProfile for the functions that cost the most. ``bank`` is
the bank-style import (``benchmarks.ingest_bank``: a new lead and its deal
outcome on every row, the shipped UCI mapping and rules); its runs also count
the SQL statements and rows written per CSV row, table by table.
"""

from __future__ import annotations

import cProfile
import pstats
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event

from benchmarks.ingest_data import batch_events, open_bench_services, write_csv
from bot.importer import import_csv
from bot.ingest import Item

BATCHES = 40
_NOISE = {"INTO", "OR", "IGNORE", "REPLACE", "FROM", "DISTINCT"}


def profile(kind: str, work: Path, *, rows: int) -> None:
    if kind == "webhook":
        count, run = _webhook(work)
    elif kind == "bank":
        count, run = _bank(work)
    else:
        count, run = _csv(work, rows)
    started = time.perf_counter()
    run("plain")
    seconds = time.perf_counter() - started
    print(f"{kind}: {count:,} in {seconds:.2f} s = {count / seconds:,.0f}/s without the profiler")
    profiler = cProfile.Profile()
    profiler.enable()
    run("profiled")
    profiler.disable()
    stats = pstats.Stats(profiler)
    stats.sort_stats("tottime").print_stats(30)
    stats.sort_stats("cumulative").print_stats(40)


def _webhook(work: Path) -> tuple[int, Callable[[str], None]]:
    batches = [batch_events(b, 500) for b in range(BATCHES)]

    def run(label: str) -> None:
        services = open_bench_services(work / f"{label}.db")
        for b, events in enumerate(batches):
            items = [Item(position=f"events[{i}]", data=e, index=i) for i, e in enumerate(events)]
            result = services.ingestor.ingest(items, source="webhook")
            assert result.accepted == len(events), (b, result.rejected[:2])

    return BATCHES * 500, run


def _csv(work: Path, rows: int) -> tuple[int, Callable[[str], None]]:
    path = work / "leads.csv"
    write_csv(path, rows)

    def run(label: str) -> None:
        services = open_bench_services(work / f"{label}.db")
        summary = import_csv(path, ingestor=services.ingestor)
        assert summary.rejected_rows == 0, summary.bad_rows[:2]

    return rows, run


def _bank(work: Path) -> tuple[int, Callable[[str], None]]:
    from benchmarks.ingest_bank import MAPPING, RULES, bank_file
    from bot.importer import load_mapping
    from bot.rules_admin import apply_rules

    path, what = bank_file(work)
    print(f"bank-style import of {what}")
    mapping = load_mapping(MAPPING)
    rows = sum(1 for _ in path.open(encoding="utf-8")) - 1

    def run(label: str) -> None:
        services = open_bench_services(work / f"bank-{label}.db")
        apply_rules(services, text=RULES.read_text(), applied_by="benchmark")
        counts = _StatementCounts(services.engine)
        summary = import_csv(path, ingestor=services.ingestor, mapping=mapping)
        counts.remove()
        assert summary.rejected_rows == 0, summary.bad_rows[:2]
        if label == "plain":
            counts.print(rows)

    return rows, run


class _StatementCounts:
    """SQL statements and their parameter rows, by kind and table, while attached.

    Both ways statements reach the driver are counted: SQLAlchemy's
    ``execute`` and the hot path's own cursor calls (``storage.bulk``).
    """

    def __init__(self, engine: Engine) -> None:
        import storage.bulk

        self.engine = engine
        self.statements: Counter[str] = Counter()
        self.rows: Counter[str] = Counter()
        event.listen(engine, "before_cursor_execute", self._count)
        self._bulk_run = storage.bulk._run

        def counted(connection: Any, compiled: Any, params: Any, *, many: bool = False) -> Any:
            self._add(compiled.sql, len(params) if many else 1)
            return self._bulk_run(connection, compiled, params, many=many)

        storage.bulk._run = counted

    def _count(
        self, conn: Any, cursor: Any, sql: str, params: Any, context: Any, many: bool
    ) -> None:
        self._add(sql, len(params) if many else 1)

    def _add(self, sql: str, rows: int) -> None:
        words = sql.split()
        verb = words[0].upper() if words else "?"
        upper = [w.upper() for w in words]
        after = upper.index("FROM") + 1 if verb == "SELECT" and "FROM" in upper else 1
        table = next(
            (w.strip('"(') for w in words[after : after + 4] if w.upper() not in _NOISE), ""
        )
        key = f"{verb} {table}" if verb in ("INSERT", "UPDATE", "DELETE", "SELECT") else verb
        self.statements[key] += 1
        self.rows[key] += rows

    def remove(self) -> None:
        import storage.bulk

        event.remove(self.engine, "before_cursor_execute", self._count)
        storage.bulk._run = self._bulk_run

    def print(self, csv_rows: int) -> None:
        print(f"SQL per CSV row ({csv_rows:,} rows): statements, parameter rows")
        for key, count in self.statements.most_common():
            print(f"  {key:<40} {count:>8,} statements {self.rows[key] / csv_rows:>8.3f} rows/row")
