"""How fast events get in: webhook batches, single-event requests, CSV import, and its memory.

Run from the repository root: ``python -m benchmarks.ingest [--rows 1000000]``.

Targets on the 2-core reference machine with SQLite: >= 10,000 events/s in
signed batches of 500, >= 1,000 single-event requests/s (a few concurrent
clients), >= 30,000 CSV rows/s, and a peak RSS <= 250 MB importing 1,000,000
rows, and the bank-style import (a new lead and its outcome on every row,
``benchmarks.ingest_bank``) at >= 10% of its raw baseline. Each figure is
printed beside a raw SQLite baseline measured in the same
run on the same machine (plain ``sqlite3`` inserting the same rows with
``executemany``, or one transaction per event), so a slow run on a busy
machine can be told from a slow ingest path; the header's pure-Python
yardstick does the same for the Python half. The webhook figure is the median
of ``--repeat`` runs (5), each into a new database, with every run printed,
and then one run of the same batches from two senders at once.

The server runs in a subprocess (``leadscore serve``'s uvicorn settings) so
client and server do not share the GIL; the CSV import runs in a subprocess
too, which reports its own peak RSS and its reading process's.
``--profile webhook|csv|bank`` runs the ingest path in-process under cProfile
instead and prints the hot spots (``bank``: the bank-style import, with its SQL
statements and rows per CSV row).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.http_load import Body, post_all
from benchmarks.ingest_data import (
    batch_events,
    engaged_events,
    engaged_history,
    open_bench_services,
    raw_csv_insert,
    raw_event_inserts,
    signed_body,
    single_events,
    write_csv,
)
from benchmarks.served import ServedProcess

BATCH = 500
TARGETS = {"batched": 10_000, "single": 1_000, "csv": 30_000, "rss_mb": 250}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="CSV rows to import")
    parser.add_argument("--batches", type=int, default=100, help="webhook batches of 500")
    parser.add_argument("--repeat", type=int, default=5, help="webhook runs (median)")
    parser.add_argument("--singles", type=int, default=4_000, help="single-event requests")
    parser.add_argument("--clients", type=int, default=4, help="concurrent single-event clients")
    parser.add_argument("--history", type=int, default=500, help="activities per engaged lead")
    parser.add_argument(
        "--only", default="webhook,single,engaged,csv,bank,segment", help="comma-separated parts"
    )
    parser.add_argument(
        "--profile", choices=["webhook", "csv", "bank"], help="cProfile the ingest path"
    )
    parser.add_argument("--serve", nargs=2, metavar=("DB", "PORT"), help=argparse.SUPPRESS)
    parser.add_argument("--import-child", nargs=2, metavar=("CSV", "DB"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        return serve(Path(args.serve[0]), int(args.serve[1]))
    if args.import_child:
        return import_child(Path(args.import_child[0]), Path(args.import_child[1]))
    with tempfile.TemporaryDirectory(prefix="leadscore-bench-ingest-") as scratch:
        work = Path(scratch)
        if args.profile:
            from benchmarks.ingest_profile import profile

            return profile(args.profile, work, rows=min(args.rows, 100_000))
        parts = set(args.only.split(","))
        print(f"leadscore ingest benchmark ({os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}, "
              f"pure-Python yardstick {python_yardstick():.2f} s)")  # fmt: skip
        if parts & {"webhook", "single"}:
            http_figures(work, args, parts)
        if "engaged" in parts:
            engaged_figures(work, args.history)
        if "csv" in parts:
            csv_figures(work, args.rows)
        if "bank" in parts:
            from benchmarks.ingest_bank import bank_figures

            bank_figures(work, TARGETS["rss_mb"])
        if "segment" in parts:  # Segment /v1/batch beside /ingest batches of the same events
            from benchmarks.segment_stream import segment_figures

            segment_figures(work, batches=min(args.batches, 40), repeat=args.repeat)


def python_yardstick(additions: int = 10_000_000) -> float:
    """Seconds a plain Python loop of ``additions`` additions takes: the machine's speed today.

    The machines these figures come from differ from one day to the next by
    a factor of two or more; most of the ingest path is Python, so its figures move with
    this number as the raw baselines move with SQLite's speed.
    """
    started = time.perf_counter()
    total = 0
    for number in range(additions):
        total += number
    return time.perf_counter() - started


def http_figures(work: Path, args: argparse.Namespace, parts: set[str]) -> None:
    if "webhook" in parts:
        webhook_figures(work, args.batches, args.repeat)
    if "single" in parts:
        db = work / "single.db"
        open_bench_services(db).engine.dispose()  # schema and rules before the server starts
        with _served(db) as url:
            events = single_events(args.singles)
            bodies = [signed_body(event) for event in events]
            seconds = post_all(url, bodies, clients=args.clients)
            raw = raw_event_inserts(work / "raw2.db", events, 1)
            floor = post_all(url, bodies, clients=args.clients, path="/bench-noop")
            raw["HTTP floor: no-op route, same server"] = args.singles / floor
            label = f"webhook, single events ({args.clients} clients)"
            report(label, args.singles / seconds, "requests/s", "single", raw)


def webhook_figures(work: Path, count: int, repeat: int) -> None:
    """The same batches into a new database ``repeat`` times; the median rate is the figure.

    On a shared 2-core machine one run of the same code varied by about 20%
    from the next, so a single run says little about a change of 10%.
    """
    batches = [batch_events(b, BATCH) for b in range(count)]
    bodies = [signed_body({"events": events}) for events in batches]
    rates = [_webhook_rate(work / f"webhook{run}.db", bodies, senders=1) for run in range(repeat)]
    raw = raw_event_inserts(work / "raw1.db", [e for b in batches for e in b], BATCH)
    label = f"webhook, batches of 500 (median of {repeat})"
    report(label, statistics.median(rates), "events/s", "batched", raw)
    print(f"    runs: {' / '.join(f'{rate:,.0f}' for rate in rates)} events/s")
    both = _webhook_rate(work / "webhook-2.db", bodies, senders=2)
    print(f"    the same batches from two senders at once (one run): {both:,.0f} events/s")


def _webhook_rate(db: Path, bodies: list[Body], *, senders: int) -> float:
    """Events/s storing ``bodies`` (batches of ``BATCH``) into a new database over HTTP.

    With two senders the server stores batches that arrive together in one
    transaction (``bot.http.group_commit``), as it would for a CRM posting
    from several workers; the figure the target is about is one sender's.
    """
    open_bench_services(db).engine.dispose()  # schema and rules before the server starts
    with _served(db) as url:
        return len(bodies) * BATCH / post_all(url, bodies, clients=senders)


def engaged_figures(work: Path, per_lead: int) -> None:
    """Events for leads that already have long histories (the engaged leads SDRs want first).

    The server's database is first given ``ENGAGED`` leads with ``per_lead``
    activities each; then batches of their newer activities are timed, and
    single events, beside the same-run raw baselines.
    """
    db = work / "engaged.db"
    open_bench_services(db).engine.dispose()
    with _served(db) as url:
        history = engaged_history(per_lead, BATCH)
        post_all(url, [signed_body({"events": events}) for events in history], clients=1)
        batches = [engaged_events(b, BATCH) for b in range(20)]
        seconds = post_all(url, [signed_body({"events": e}) for e in batches], clients=1)
        raw = raw_event_inserts(work / "raw4.db", [e for b in batches for e in b], BATCH)
        label = f"engaged leads ({per_lead} activities), batches"
        report(label, len(batches) * BATCH / seconds, "events/s", "batched", raw)
        singles = [e for b in range(20, 22) for e in engaged_events(b, BATCH)]
        seconds = post_all(url, [signed_body(e) for e in singles], clients=4)
        raw = raw_event_inserts(work / "raw5.db", singles, 1)
        label = f"engaged leads ({per_lead} activities), singles"
        report(label, len(singles) / seconds, "requests/s", "single", raw)


def csv_figures(work: Path, rows: int) -> None:
    path = work / "leads.csv"
    started = time.perf_counter()
    write_csv(path, rows)
    print(f"  (wrote {rows:,} CSV rows, {path.stat().st_size / 1e6:.0f} MB, "
          f"in {time.perf_counter() - started:.0f} s)")  # fmt: skip
    child = subprocess.run(
        [sys.executable, "-m", "benchmarks.ingest", "--import-child", str(path),
         str(work / "csv.db")],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if child.returncode != 0:
        raise SystemExit(f"import failed:\n{child.stderr[-3000:]}")
    result = json.loads(child.stdout.strip().splitlines()[-1])
    raw = raw_csv_insert(path, work / "raw3.db")
    report(f"CSV import, {rows:,} rows", rows / result["seconds"], "rows/s", "csv", raw)
    importer, reader = result["maxrss_kb"] / 1024, result["reader_maxrss_kb"] / 1024
    rss = importer + reader  # both peaks added, as if they coincided: an upper bound
    verdict = "ok" if rss <= TARGETS["rss_mb"] else "OVER TARGET"
    print(f"{'peak RSS of the import (both processes)':<44} {rss:>10,.0f} MB  target <= "
          f"{TARGETS['rss_mb']} MB [{verdict}]; importer {importer:,.0f} MB + reader "
          f"{reader:,.0f} MB")  # fmt: skip
    print(f"  ({result['accepted']:,} events in {result['seconds']:.1f} s)")


def report(label: str, rate: float, unit: str, target: str, raw: dict[str, float]) -> None:
    """The figure against its target, then each same-run baseline with the figure's share of it.

    The share is what compares across machines: on this workplace the same
    code has run at half or twice one day's rate on another, while its share
    of the raw baselines measured beside it moved by about half a point.
    """
    goal = TARGETS[target]
    verdict = "ok" if rate >= goal else "BELOW TARGET"
    print(f"{label:<44} {rate:>10,.0f} {unit:<10} target >= {goal:,} [{verdict}]")
    for name, value in raw.items():
        share = f"figure is {rate / value:.1%} of it"
        if name.startswith("HTTP"):
            print(f"    {name:<52} {value:>10,.0f} requests/s {share}")
        else:
            print(f"    raw sqlite3 baseline, {name:<30} {value:>10,.0f} rows/s     {share}")


def _served(db: Path) -> ServedProcess:
    """``serve`` below in a subprocess: ``leadscore serve``'s HTTP app on a free port."""
    return ServedProcess(
        "benchmarks.ingest", lambda port: [str(db), str(port)], stderr=subprocess.DEVNULL
    )


def serve(db: Path, port: int) -> None:
    """The served app as ``leadscore serve`` runs it (logfmt logging at INFO, uvicorn's
    defaults, storage upkeep), without the outbox sender and the scheduler, plus a
    no-op route for the HTTP floor."""
    import uvicorn
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    from bot.background import storage_upkeep
    from bot.heap import settle_startup_heap
    from bot.logs import configure_logging
    from bot.server import create_server

    async def noop(request: Request) -> JSONResponse:
        await request.body()
        return JSONResponse({"accepted": 0, "duplicates": 0, "rejected": []})

    configure_logging()
    services = open_bench_services(db)
    server = create_server(services, workers=False)
    server.workers.extend(storage_upkeep(services))  # started and stopped with the app
    app = server.http
    app.router.routes.append(Route("/bench-noop", noop, methods=["POST"]))
    settle_startup_heap()
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", log_config=None)


def import_child(csv_path: Path, db: Path) -> None:
    import resource

    from bot.importer import import_csv

    services = open_bench_services(db)
    started = time.perf_counter()
    summary = import_csv(csv_path, ingestor=services.ingestor)
    seconds = time.perf_counter() - started
    if summary.rejected_rows:
        raise SystemExit(f"{summary.rejected_rows} rows rejected: {summary.bad_rows[:3]}")
    maxrss = _own_peak_kb() or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    reader = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # the reading process
    print(json.dumps({"seconds": seconds, "maxrss_kb": maxrss, "reader_maxrss_kb": reader,
                      "accepted": summary.accepted}))  # fmt: skip


def _own_peak_kb() -> int | None:
    """This process's peak RSS since it started running Python (``VmHWM``), in kB.

    Not ``ru_maxrss``: Linux keeps that across ``exec``, so it holds the peak
    of the benchmark process this one was forked from (159 MB after the
    webhook parts had filled it, against 91 MB for the import itself).
    """
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


if __name__ == "__main__":
    main()
