"""``python -m benchmarks.ingest --profile webhook|csv``: where the ingest path spends its time.

Runs the path in-process (no HTTP, no subprocess) twice: once plain for the
rate, once under cProfile for the functions that cost the most.
"""

from __future__ import annotations

import cProfile
import pstats
import time
from collections.abc import Callable
from pathlib import Path

from benchmarks.ingest_data import batch_events, open_bench_services, write_csv
from bot.importer import import_csv
from bot.ingest import Item

BATCHES = 40


def profile(kind: str, work: Path, *, rows: int) -> None:
    if kind == "webhook":
        count, run = _webhook(work)
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
