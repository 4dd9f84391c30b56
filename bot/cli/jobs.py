"""``leadscore decay [--at ISO]`` and ``leadscore jobs``."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import click
from rich.table import Table

from bot.cli.common import BadInput, command, console, print_json, services_for_command
from bot.scheduler.jobs import DECAY, DIGEST, OUTBOX_SWEEP, SLA_SWEEP, decay_now
from bot.scheduler.periods import DECAY_TIME, decay_trigger, digest_trigger
from bot.scheduler.runs import latest_job_runs
from bot.scheduler.worker import SWEEP_SECONDS
from bot.settings import Settings


def parse_instant(value: str, zone: ZoneInfo) -> datetime:
    """An ISO date or date-time; without an offset it is read in LEADSCORE_TIMEZONE."""
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise BadInput(f"--at {value!r} is not an ISO date or date-time") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone)
    return parsed.astimezone(UTC)


@click.command("decay")
@click.option("--at", "at_text", metavar="ISO", help="Decay to this instant (default: now).")
@click.option("--json", "as_json", is_flag=True, help="Print {at, decayed, cooled}.")
@command
def decay(at_text: str | None, as_json: bool) -> None:
    """Bring every lead's behaviour score to its decayed value, as the daily job does."""
    services = services_for_command()
    zone = services.settings.zone
    at = parse_instant(at_text, zone) if at_text else services.clock()
    stats = decay_now(services, at)
    if as_json:
        print_json({"at": _iso(at), "decayed": stats.decayed, "cooled": stats.cooled})
        return
    console.print(
        f"decayed {stats.decayed} leads to {at.astimezone(zone):%Y-%m-%d %H:%M %Z}; "
        f"{stats.cooled} dropped to a lower band"
    )


@click.command("jobs")
@click.option("--json", "as_json", is_flag=True, help="Print the runs as JSON.")
@command
def jobs(as_json: bool) -> None:
    """Show the last and next run of each scheduled job."""
    services = services_for_command(sync_rules=False)
    now = services.clock()
    runs = latest_job_runs(services)
    rows = []
    for name, schedule, upcoming in _schedule(services.settings, now):
        run = runs.get(name)
        rows.append(
            {
                "job": name,
                "schedule": schedule,
                "last_period": run.period if run else None,
                "last_started_at": _iso(run.started_at) if run else None,
                "last_finished_at": _iso(run.finished_at) if run and run.finished_at else None,
                "last_outcome": run.outcome if run else None,
                "next_run_at": _iso(upcoming) if upcoming else None,
            }
        )
    if as_json:
        print_json({"jobs": rows})
        return
    zone = services.settings.zone
    table = Table("job", "schedule", "last run", "outcome", "next run")
    for row in rows:
        table.add_row(
            row["job"],
            row["schedule"],
            _local(row["last_started_at"], zone)
            + (f" ({row['last_period']})" if row["last_period"] else ""),
            row["last_outcome"] or "-",
            _local(row["next_run_at"], zone) if row["next_run_at"] else "while serve runs",
        )
    console.print(table)


def _schedule(settings: Settings, now: datetime) -> list[tuple[str, str, datetime | None]]:
    day, hour, minute = settings.digest_day_and_time
    zone = settings.timezone
    return [
        (
            DECAY,
            f"daily {DECAY_TIME:%H:%M} {zone}",
            decay_trigger(settings).get_next_fire_time(None, now),
        ),
        (
            DIGEST,
            f"{day} {hour:02d}:{minute:02d} {zone}",
            digest_trigger(settings).get_next_fire_time(None, now),
        ),
        (OUTBOX_SWEEP, f"every {SWEEP_SECONDS} s", None),
        (SLA_SWEEP, f"every {SWEEP_SECONDS} s", None),
    ]


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _local(value: str | None, zone: ZoneInfo) -> str:
    if value is None:
        return "never"
    return (
        datetime.fromisoformat(value.replace("Z", "+00:00"))
        .astimezone(zone)
        .strftime("%Y-%m-%d %H:%M %Z")
    )
