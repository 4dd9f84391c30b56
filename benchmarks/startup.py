"""How long ``leadscore`` takes to start each command, beside a bare interpreter.

Run from the repository root: ``python -m benchmarks.startup [--runs 7]``.

The baseline is ``python -c "import click, yaml"``, measured in the same run
and interleaved with the commands, so a busy machine slows both alike. Each
line gives the best wall time of ``--runs`` runs, the best CPU time (user +
system, which other processes' load disturbs less) and the CPU time as a
multiple of the baseline's: the figure to compare across machines. The target
is ``leadscore --help`` and ``leadscore score EMAIL`` within 4x the baseline.
The floor line is what the full path of a command that reads the database
pays in imports alone: SQLModel (with SQLAlchemy and pydantic). ``score EMAIL``
and ``top N`` here take the quick read-only path (``bot.quick_lookup``): the
prepared database is set up and the settings are plain.
``--importtime COMMAND...`` prints the slowest imports of one command instead
(``python -X importtime``), to find what to import lazily.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASELINE = ("baseline: python -c 'import click, yaml'", ["-c", "import click, yaml"])
FLOOR = ("floor: python -c 'import sqlmodel'", ["-c", "import sqlmodel"])
LEADSCORE = ["-m", "bot.cli.main"]
COMMANDS = [
    ("leadscore --help", ["--help"]),
    ("leadscore score --help", ["score", "--help"]),
    ("leadscore rules --help", ["rules", "--help"]),
    ("leadscore db --help", ["db", "--help"]),
    ("leadscore score EMAIL", ["score", "ana@acme.io"]),
    ("leadscore top 5", ["top", "5"]),
]
TARGET = 4.0


def timed(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds of one run of ``python ARGV``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run([sys.executable, *argv], env=env, capture_output=True, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def prepared_env(directory: Path) -> dict[str, str]:
    """A SQLite database with the schema, the bundled rules and one lead, as a user has."""
    env = {**os.environ, "LEADSCORE_DATABASE_URL": f"sqlite:///{directory / 'bench.db'}"}
    env.pop("LEADSCORE_RULES_FILE", None)
    events = directory / "leads.csv"
    events.write_text(
        "id,type,occurred_at,email,name,company,title\n"
        "b-1,lead.created,2026-11-20T10:00:00Z,ana@acme.io,Ana Ruiz,Acme,VP Sales\n"
    )
    subprocess.run(
        [sys.executable, *LEADSCORE, "import", str(events)],
        env=env,
        capture_output=True,
        check=True,
    )
    return env


def measure(runs: int, env: dict[str, str]) -> dict[str, tuple[float, float]]:
    """Best wall and best CPU time per line, baseline and commands interleaved."""
    lines = [BASELINE, FLOOR, *((label, LEADSCORE + args) for label, args in COMMANDS)]
    best: dict[str, tuple[float, float]] = {}
    for _ in range(runs):
        for label, argv in lines:
            wall, cpu = timed(argv, env)
            old = best.get(label, (wall, cpu))
            best[label] = (min(old[0], wall), min(old[1], cpu))
    return best


def report(best: dict[str, tuple[float, float]]) -> None:
    base_cpu = best[BASELINE[0]][1]
    print(f"{'':40} {'wall ms':>8} {'cpu ms':>8} {'cpu x baseline':>15}")
    for label, (wall, cpu) in best.items():
        ratio = cpu / base_cpu if base_cpu else float("nan")
        reference = label in (BASELINE[0], FLOOR[0])
        mark = "" if reference else ("  ok" if ratio <= TARGET else "  over 4x")
        print(f"{label:40} {wall * 1000:8.0f} {cpu * 1000:8.0f} {ratio:14.1f}x{mark}")


def importtime(args: list[str], env: dict[str, str], top: int = 25) -> None:
    done = subprocess.run(
        [sys.executable, "-X", "importtime", *LEADSCORE, *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    rows = []
    for line in done.stderr.splitlines():
        parts = line.removeprefix("import time:").split("|")
        if len(parts) == 3 and parts[1].strip().isdigit():
            rows.append((int(parts[1]), parts[2].rstrip()))
    for cumulative, name in sorted(rows, reverse=True)[:top]:
        print(f"{cumulative / 1000:8.1f} ms {name}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="runs of each line (best is kept)")
    parser.add_argument("--importtime", nargs="+", metavar="ARG", help="leadscore arguments")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        env = prepared_env(Path(directory))
        if args.importtime:
            importtime(args.importtime, env)
            return
        report(measure(args.runs, env))


if __name__ == "__main__":
    main()
