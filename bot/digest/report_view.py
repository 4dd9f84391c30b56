"""Block Kit for a calibration report, within Slack's limits.

Slack refuses a message with more than 50 blocks or a section text over
3,000 characters, so long lists (rules) are packed into sections that stay
under the limit and the tail is summarised rather than dropped silently.
"""

from __future__ import annotations

from typing import Any

from bot.digest import wording
from bot.digest.calibration_run import MIN_DEALS, Calibration
from bot.views.mrkdwn import clip, inline, plain
from scoring.calibration import CalibrationReport

APPLY_ACTION = "digest_apply"
MAX_BLOCKS = 50
MAX_SECTION = 3_000
_EXAMPLES = 5


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": clip(text, MAX_SECTION)}}


def _context(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": clip(text, MAX_SECTION)}]}


def _packed(lines: list[str], *, budget: int) -> list[dict[str, Any]]:
    """Lines packed into at most ``budget`` sections of at most 3,000 characters each."""
    sections: list[list[str]] = [[]]
    used = 0
    for index, line in enumerate(lines):
        line = clip(line, MAX_SECTION - 100)
        if used + len(line) + 1 > MAX_SECTION - 100 and sections[-1]:
            if len(sections) == budget:
                sections[-1].append(f"…and {len(lines) - index} more.")
                break
            sections.append([])
            used = 0
        sections[-1].append(line)
        used += len(line) + 1
    return [_section("\n".join(chunk)) for chunk in sections if chunk]


def _bands(report: CalibrationReport) -> dict[str, Any]:
    last = len(report.bands) - 1
    lines = ["*Conversion by score band at pipeline entry*"] + [
        f"{wording.band_name(band)} ({wording.band_range(band, top=i == last)}): "
        f"{wording.band_rate(band)}"
        for i, band in reversed(list(enumerate(report.bands)))
    ]
    if report.enough_data and report.quintiles:
        quintiles = " · ".join(
            f"{q.label} {wording.percent(q.conversion)}" for q in report.quintiles if q.closed
        )
        lines.append(f"_By fifth of entry score, lowest first:_ {quintiles}")
    return _section("\n".join(lines))


def _won_below_hot(run: Calibration) -> dict[str, Any]:
    missed = run.report.won_below_hot
    hot = wording.points(run.rule_set.thresholds.hot)
    if missed.count == 0:
        return _section(
            f"Every won deal entered the pipeline at hot ({hot}+). No buyer was missed."
        )
    text = (
        f"*{missed.count} of {run.report.won} won deals ({wording.percent(missed.share)}) "
        f"entered below hot ({hot})*: the alerts never pointed at them."
    )
    keys = missed.examples[:_EXAMPLES]
    names = [inline(run.emails.get(key, f"lead #{key}"), 200) for key in keys]
    if names:
        text += "\nLowest-scoring: " + ", ".join(names)
    return _section(text)


def _apply_button(report_id: int) -> dict[str, Any]:
    return {
        "type": "actions",
        "block_id": "digest_actions",
        "elements": [
            {
                "type": "button",
                "action_id": APPLY_ACTION,
                "text": {"type": "plain_text", "text": "Apply suggestions"},
                "style": "primary",
                "value": str(report_id),
                "confirm": {
                    "title": {"type": "plain_text", "text": "Apply the suggested rules?"},
                    "text": {
                        "type": "mrkdwn",
                        "text": "This stores the suggested rules, points, base and hot "
                        "threshold as a new rule set version and rescores every lead.",
                    },
                    "confirm": {"type": "plain_text", "text": "Apply"},
                    "deny": {"type": "plain_text", "text": "Cancel"},
                },
            }
        ],
    }


def _header(run: Calibration, title: str) -> list[dict[str, Any]]:
    report = run.report
    return [
        {"type": "header", "text": {"type": "plain_text", "text": plain(title, 150)}},
        _section(
            f"*{report.closed} deals closed* in the last {report.window_days} days, "
            f"*{report.won} won*. Scores as they were when each deal entered the pipeline."
        ),
    ]


def _thin(run: Calibration, title: str) -> list[dict[str, Any]]:
    report = run.report
    lines = [
        f"*Not enough data yet*: calibration needs at least {MIN_DEALS} closed deals "
        "before conversion rates and suggestions mean anything. Counts so far:"
    ]
    last = len(report.bands) - 1
    lines += [
        f"{wording.band_name(band)} ({wording.band_range(band, top=i == last)}): "
        f"{band.closed} closed, {band.won} won"
        for i, band in reversed(list(enumerate(report.bands)))
    ]
    return [*_header(run, title), _section("\n".join(lines)), _context(f"Rule set v{run.version}")]


def _footer(run: Calibration) -> dict[str, Any]:
    return _context(f"Rule set v{run.version} · {run.report.method}")


def report_blocks(
    run: Calibration, *, title: str, report_id: int | None = None, max_blocks: int = MAX_BLOCKS
) -> list[dict[str, Any]]:
    """The report as blocks; the Apply button only with a stored report that changes something.

    At most ``max_blocks``: the rules list shrinks first, so the verdict, the
    backtest and the button are never the ones cut.
    """
    report = run.report
    if not report.enough_data:
        return _thin(run, title)
    blocks = [
        *_header(run, title),
        _bands(report),
        _section(wording.verdict_sentence(report)),
        _won_below_hot(run),
        {"type": "divider"},
        _section(
            "*Per-rule lift* (conversion when the rule fired ÷ overall) and points now → "
            "suggested; _new_ rules were found in what leads looked like at entry"
        ),
    ]
    backtest = wording.backtest_sentence(report)
    if ends := wording.ends_sentence(report):
        backtest += " " + ends
    tail = [
        _section(backtest),
        _section(wording.threshold_sentence(report, run.rule_set.thresholds.hot, run.hot_shares())),
    ]
    if report_id is not None and run.has_suggestion:
        tail.append(_apply_button(report_id))
    elif not run.has_suggestion:
        tail.append(_context(wording.offer_sentence(report)))
    tail.append(_footer(run))
    budget = max(1, max_blocks - len(blocks) - len(tail))
    lines = [wording.base_line(report)] + [wording.rule_line(rule) for rule in report.rules]
    blocks += _packed(lines, budget=budget)
    return blocks + tail
