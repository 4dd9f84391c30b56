"""The bank-style import: a new lead and its outcome on every row, beside its raw baseline.

``python -m benchmarks.ingest --only bank`` (or ``python -m benchmarks.ingest_bank``).

Real exports such as UCI's bank-full.csv (45,211 rows) give each row one new
lead and one deal outcome, so every row takes the deal path: an entry score
frozen as of the outcome, a pipeline entry written. The file is read by path
from ``../shared/data`` when it is there (never copied into the repository)
and otherwise generated with the same shape: 17 semicolon-separated columns,
45,211 rows, 11.7% "yes". It is imported with the shipped mapping
(examples/mappings/uci-bank-marketing.yml) in a subprocess that reports its
peak RSS, and compared with a bare ``csv.reader`` + ``executemany`` of the
same file in the same run.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
MAPPING = REPO / "examples" / "mappings" / "uci-bank-marketing.yml"
RULES = REPO / "examples" / "rules" / "uci-bank-marketing.yml"
SHARED = Path(os.environ.get("LEADSCORE_SHARED_DATA") or REPO.parent / "shared" / "data")
BANK_FULL = SHARED / "uci-bank-marketing" / "bank-full.csv"
ROWS = 45_211
HEADER = (
    "age", "job", "marital", "education", "default", "balance", "housing", "loan", "contact",
    "day", "month", "duration", "campaign", "pdays", "previous", "poutcome", "y",
)  # fmt: skip
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
JOBS = ("admin.", "blue-collar", "management", "technician", "services", "retired", "student",
        "unknown")  # fmt: skip

SHARE_TARGET = 0.10
"""The bank-style rate as a share of its same-run raw baseline (issue 21)."""


def bank_file(work: Path) -> tuple[Path, str]:
    """The real bank-full.csv when present, else a generated file of the same shape."""
    if BANK_FULL.is_file():
        return BANK_FULL, "bank-full.csv"
    path = work / "bank-like.csv"
    write_bank_like(path, ROWS)
    return path, f"generated bank-like file ({BANK_FULL} not found)"


def write_bank_like(path: Path, rows: int) -> None:
    """Rows like bank-full.csv's: quoted text, numbers bare, distinct rows, 11.7% "yes"."""
    rng = random.Random(222)
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, delimiter=";", quoting=csv.QUOTE_NONNUMERIC)
        writer.writerow(HEADER)
        for row in range(rows):
            writer.writerow((
                rng.randint(18, 95), rng.choice(JOBS), rng.choice(("married", "single")),
                rng.choice(("primary", "secondary", "tertiary", "unknown")),
                rng.choice(("no", "yes")), row - 8_000, rng.choice(("no", "yes")),
                rng.choice(("no", "yes")), rng.choice(("cellular", "telephone", "unknown")),
                rng.randint(1, 28), MONTHS[row * 12 // rows], rng.randint(0, 3_000),
                rng.randint(1, 20), rng.choice((-1, -1, -1, 90, 180)), rng.randint(0, 5),
                rng.choice(("unknown", "failure", "success")),
                "yes" if rng.random() < 0.117 else "no",
            ))  # fmt: skip


def raw_insert(csv_path: Path, db_path: Path) -> dict[str, float]:
    """Plain sqlite3 reading the file and inserting its rows, 2,000 per transaction."""
    db = sqlite3.connect(db_path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    columns = ", ".join(f"c{i} TEXT" for i in range(len(HEADER)))
    db.execute(f"CREATE TABLE rows ({columns})")
    marks = ", ".join("?" * len(HEADER))
    started, cpu = time.perf_counter(), time.process_time()
    count = 0
    with csv_path.open(newline="", encoding="utf-8") as source:
        reader = csv.reader(source, delimiter=";")
        next(reader)
        while chunk := [row for _, row in zip(range(2_000), reader, strict=False)]:
            db.execute("BEGIN IMMEDIATE")
            db.executemany(f"INSERT INTO rows VALUES ({marks})", chunk)
            db.execute("COMMIT")
            count += len(chunk)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    db.close()
    return {"csv.reader + executemany x2000": count / seconds, "cpu_seconds": cpu}


def bank_figures(work: Path, rss_target_mb: int) -> None:
    """Import the bank-style file in a subprocess; print its rate, share and peak RSS."""
    path, what = bank_file(work)
    child = subprocess.run(
        [sys.executable, "-m", "benchmarks.ingest_bank", "--import-child", str(path),
         str(work / "bank.db")],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if child.returncode != 0:
        raise SystemExit(f"bank-style import failed:\n{child.stderr[-3000:]}")
    result = json.loads(child.stdout.strip().splitlines()[-1])
    raw = raw_insert(path, work / "raw-bank.db")
    raw_cpu = raw.pop("cpu_seconds")
    rate = result["rows"] / result["seconds"]
    label = f"bank-style import, {result['rows']:,} rows"
    print(f"{label:<44} {rate:>10,.0f} rows/s")
    for name, value in raw.items():
        share = rate / value
        verdict = "ok" if share >= SHARE_TARGET else "BELOW TARGET"
        print(f"    raw sqlite3 baseline, {name:<30} {value:>10,.0f} rows/s     figure is "
              f"{share:.1%} of it, target >= {SHARE_TARGET:.0%} [{verdict}]")  # fmt: skip
    print(f"    CPU seconds: importer {result['cpu_seconds']:.1f} + reader "
          f"{result['reader_cpu_seconds']:.1f}, baseline {raw_cpu:.2f} (the rest of "
          "each wall time is waiting: disk syncs, and other work on a shared machine)")  # fmt: skip
    rss = (result["maxrss_kb"] + result["reader_maxrss_kb"]) / 1024
    verdict = "ok" if rss <= rss_target_mb else "OVER TARGET"
    print(f"{'peak RSS of the bank-style import':<44} {rss:>10,.0f} MB  target <= "
          f"{rss_target_mb} MB [{verdict}]")  # fmt: skip
    print(f"  ({what}: {result['accepted']:,} events, {result['won']:,} won, "
          f"in {result['seconds']:.1f} s)")  # fmt: skip


def import_child(csv_path: Path, db: Path) -> None:
    """Import with the shipped mapping into a new database; print the figures as JSON."""
    import resource

    from sqlalchemy import func, select

    from benchmarks.ingest import _own_peak_kb
    from benchmarks.ingest_data import open_bench_services
    from bot.importer import import_csv, load_mapping
    from bot.rules_admin import apply_rules
    from storage.engine import session_scope
    from storage.models import PipelineEntry

    services = open_bench_services(db)
    apply_rules(services, text=RULES.read_text(), applied_by="benchmark")
    mapping = load_mapping(MAPPING)
    started, cpu = time.perf_counter(), time.process_time()
    summary = import_csv(csv_path, ingestor=services.ingestor, mapping=mapping)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    reading = resource.getrusage(resource.RUSAGE_CHILDREN)  # the process that read the file
    if summary.rejected_rows:
        raise SystemExit(f"{summary.rejected_rows} rows rejected: {summary.bad_rows[:3]}")
    with session_scope(services.engine) as session:
        won = session.scalar(
            select(func.count()).select_from(PipelineEntry).where(PipelineEntry.outcome == "won")
        )
    maxrss = _own_peak_kb() or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    reader = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(json.dumps({"seconds": seconds, "cpu_seconds": cpu, "rows": summary.rows,
                      "reader_cpu_seconds": reading.ru_utime + reading.ru_stime,
                      "accepted": summary.accepted,
                      "won": won, "maxrss_kb": maxrss, "reader_maxrss_kb": reader}))  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--import-child", nargs=2, metavar=("CSV", "DB"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.import_child:
        return import_child(Path(args.import_child[0]), Path(args.import_child[1]))
    import tempfile

    from benchmarks.ingest import TARGETS

    with tempfile.TemporaryDirectory(prefix="leadscore-bench-bank-") as scratch:
        bank_figures(Path(scratch), TARGETS["rss_mb"])


if __name__ == "__main__":
    main()
