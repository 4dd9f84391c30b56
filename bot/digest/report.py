"""The calibration report on demand: for the CLI, ``/leadscore calibrate`` and the digest.

One entry point, so ``leadscore calibrate``, the slash command and the weekly
digest always show the same numbers for the same window.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.digest.calibration_run import run_calibration, save_calibration
from bot.digest.report_view import MAX_BLOCKS, report_blocks
from bot.services import Services
from scoring.calibration import CalibrationReport
from scoring.rule_set import RuleSet


def calibration_report(
    services: Services, *, days: int = 90, now: datetime | None = None
) -> tuple[CalibrationReport, RuleSet]:
    """The report over deals closed in the last ``days``, and the active rule set it judged.

    ``suggested_rule_set(report, rule_set)`` turns the pair into the rule set
    the Apply button would store.
    """
    run = run_calibration(services, days=days, now=now)
    return run.report, run.rule_set


def calibration_blocks(services: Services, *, days: int) -> list[dict[str, Any]]:
    """Block Kit for ``/leadscore calibrate [days]``: the report now, with its Apply button.

    The report is stored (without a period) when it suggests a change, so the
    button works from the slash command's reply as from the weekly digest.
    Two blocks are left free for the command to add a note.
    """
    run = run_calibration(services, days=days)
    report_id = save_calibration(services, run, period=None) if run.has_suggestion else None
    title = f"Calibration: deals closed in the last {days} days"
    return report_blocks(run, title=title, report_id=report_id, max_blocks=MAX_BLOCKS - 2)
