"""``leadscore calibrate [--days 90] [--until DATE] [--json] [--write-rules FILE]``.

Same numbers and sentences as the Slack digest (``bot.digest``), shown as
rich tables; ``--json`` prints the contract's stable object; ``--write-rules``
saves the suggested rule set as a file ``rules check`` and ``rules apply``
accept, only when the report offers it.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import click
from rich.markup import escape
from rich.table import Table

from bot.cli.common import BadInput, command, console, errors, print_json, services_for_command
from bot.digest import wording
from bot.digest.calibration_run import MIN_DEALS, Calibration, run_calibration
from scoring.rule_file import rule_set_to_yaml

_BOLD = re.compile(r"\*([^*]+)\*")


def _rich(mrkdwn: str) -> str:
    """Slack's ``*bold*`` as rich markup, everything else printed literally."""
    return _BOLD.sub(r"[bold]\1[/]", escape(mrkdwn))


def _window_end(text: str | None) -> datetime | None:
    """``--until``: a date ends the window at the end of that day (UTC), a time at that time."""
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise BadInput(f"--until: {text!r} is not a date (YYYY-MM-DD) or an ISO time") from None
    if len(text.strip()) == 10:  # a bare date: the whole day counts
        return datetime.combine(moment.date(), time(), tzinfo=UTC) + timedelta(days=1)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _write_rules(run: Calibration, path: Path, *, quiet: bool) -> None:
    say = errors if quiet else console
    if not run.has_suggestion:
        reason = run.report.apply_reason or "the report offers no change"
        say.print(f"No rule file written to {escape(str(path))}: {escape(reason)}")
        return
    path.write_text(rule_set_to_yaml(run.suggested), encoding="utf-8")
    rules = len(run.suggested.fit) + len(run.suggested.behavior)
    say.print(
        f"Suggested rule set ({rules} rules, base {run.suggested.base}) written to "
        f"{escape(str(path))}; check it with `leadscore rules check`, apply it with "
        "`leadscore rules apply`."
    )


@click.command("calibrate")
@click.option(
    "--days",
    type=click.IntRange(min=1),
    default=90,
    show_default=True,
    help="Calibrate on deals closed in this many days before the end of the window.",
)
@click.option(
    "--until",
    "until",
    metavar="DATE",
    default=None,
    help="End of the window: YYYY-MM-DD (the whole day counts) or an ISO time. Default: now.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the stable JSON shape.")
@click.option(
    "--write-rules",
    "write_rules",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    default=None,
    help="Write the suggested rule set to FILE (only when the report offers it).",
)
@command
def calibrate(days: int, until: str | None, as_json: bool, write_rules: Path | None) -> None:
    """Check whether entry scores predicted who bought, and suggest better rules."""
    end = _window_end(until)
    services = services_for_command()
    try:
        run = run_calibration(services, days=days, now=end)
    except OverflowError:
        raise BadInput(f"--days {days} reaches before year 1") from None
    if as_json:
        print_json(run.report.to_json())
    else:
        _print_report(run)
    if write_rules is not None:
        _write_rules(run, write_rules, quiet=as_json)


def _bands_table(run: Calibration) -> Table:
    report = run.report
    table = Table("band", "entry score", "closed", "won", "conversion", "95% interval")
    last = len(report.bands) - 1
    for i, band in reversed(list(enumerate(report.bands))):
        interval = (
            f"{wording.percent(band.ci_low)}–{wording.percent(band.ci_high)}"
            if band.ci_low is not None and band.ci_high is not None
            else "–"
        )
        table.add_row(
            wording.band_name(band),
            wording.band_range(band, top=i == last),
            str(band.closed),
            str(band.won),
            wording.percent(band.conversion),
            interval,
        )
    return table


def _rules_table(run: Calibration) -> Table:
    table = Table("rule", "kind", "fired", "won when fired", "lift", "points", "suggested")
    base = run.report.base
    table.add_row(
        "base points",
        "every lead",
        "",
        "",
        "",
        str(base.points),
        "kept" if base.suggested_points is None else str(base.suggested_points),
    )
    for rule in run.report.rules:
        suggested = "kept" if rule.suggested_points is None else str(rule.suggested_points)
        if rule.suggested_points == 0 and not rule.new:
            suggested = "0 (drop)"
        table.add_row(
            escape(rule.name),
            f"{rule.kind}, new" if rule.new else rule.kind,
            str(rule.fired),
            wording.percent(rule.conversion_fired),
            wording.ratio(rule.lift),
            wording.points(rule.points),
            suggested,
        )
    return table


def _print_report(run: Calibration) -> None:
    report = run.report
    console.print(
        f"[bold]{report.closed}[/] deals closed in the {report.window_days} days to "
        f"{run.now:%Y-%m-%d %H:%M} UTC, "
        f"[bold]{report.won}[/] won; rule set v{run.version}, scores at pipeline entry"
    )
    console.print(_bands_table(run))
    if not report.enough_data:
        console.print(
            f"Not enough data yet: calibration needs at least {MIN_DEALS} closed deals "
            "before rates and suggestions mean anything."
        )
        return
    console.print(_rich(wording.verdict_sentence(report)))
    missed = report.won_below_hot
    hot = wording.points(run.rule_set.thresholds.hot)
    names = [run.emails.get(key, f"lead #{key}") for key in missed.examples]
    console.print(
        f"{missed.count} of {report.won} won deals ({wording.percent(missed.share)}) "
        f"entered below hot ({hot})" + (": " + escape(", ".join(names)) if names else "")
    )
    console.print(_rules_table(run))
    console.print(_rich(wording.backtest_sentence(report)))
    if ends := wording.ends_sentence(report):
        console.print(_rich(ends))
    console.print(
        _rich(wording.threshold_sentence(report, run.rule_set.thresholds.hot, run.hot_shares()))
    )
    console.print(_rich(wording.offer_sentence(report)))
    console.print(f"[dim]method: {escape(report.method)}[/]")
