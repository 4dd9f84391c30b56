"""``leadscore calibrate [--days 90] [--json]``: the digest's report in the terminal.

Same numbers and sentences as the Slack digest (``bot.digest``), shown as
rich tables; ``--json`` prints the contract's stable object.
"""

from __future__ import annotations

import re

import click
from rich.markup import escape
from rich.table import Table

from bot.cli.common import command, console, print_json, services_for_command
from bot.digest import wording
from bot.digest.run import MIN_DEALS, Calibration, run_calibration

_BOLD = re.compile(r"\*([^*]+)\*")


def _rich(mrkdwn: str) -> str:
    """Slack's ``*bold*`` as rich markup, everything else printed literally."""
    return _BOLD.sub(r"[bold]\1[/]", escape(mrkdwn))


@click.command("calibrate")
@click.option(
    "--days",
    type=click.IntRange(1, 3_650),
    default=90,
    show_default=True,
    help="Calibrate on deals closed in this many days before now.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the stable JSON shape.")
@command
def calibrate(days: int, as_json: bool) -> None:
    """Check whether entry scores predicted who bought, and suggest better points."""
    services = services_for_command()
    run = run_calibration(services, days=days)
    if as_json:
        print_json(run.report.to_json())
    else:
        _print_report(run)


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
    for rule in run.report.rules:
        suggested = "kept" if rule.suggested_points is None else str(rule.suggested_points)
        table.add_row(
            escape(rule.name),
            rule.kind,
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
        f"[bold]{report.closed}[/] deals closed in the last {report.window_days} days, "
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
    console.print(
        _rich(wording.threshold_sentence(report, run.rule_set.thresholds.hot, run.hot_shares()))
    )
    console.print(f"[dim]method: {escape(report.method)}[/]")
