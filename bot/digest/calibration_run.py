"""One calibration run: read the closed deals, calibrate the active rules, keep what views need.

The statistics live in ``scoring.calibration`` (pure); this module only
reads the closed deals (keyed by email) and the active rule set, and stores
reports for the Apply button.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sqlmodel import Session

from bot.services import Services
from scoring.calibration import CalibrationReport, ClosedDeal, calibrate_deals, suggested_rule_set
from scoring.rule_file import RuleSetError, parse_rule_set, rule_set_to_yaml
from scoring.rule_set import RuleSet
from storage.calibration import closed_deals, store_report
from storage.engine import session_scope
from storage.rule_sets import versions_mentioning

MIN_DEALS = 30
"""Fewer closed deals than this and the report shows counts only (no rates, no suggestions)."""

MIN_RULE_SAMPLES = 20
"""A rule gets a suggestion only when it both fired and did not fire this many times."""


@dataclass(frozen=True)
class Calibration:
    """One calibration run: the report, the rules it judged, and what views need besides.

    ``deals`` are kept for the chart, with ``suggested_scores`` (each deal's
    score under the suggestion, None without one); ``emails`` maps the
    report's example lead keys to what to call them (the keys are emails).
    """

    report: CalibrationReport
    rule_set: RuleSet
    version: int
    now: datetime
    deals: list[ClosedDeal] = field(repr=False)
    emails: dict[str, str] = field(default_factory=dict)
    suggested_scores: NDArray[np.float64] | None = field(default=None, repr=False)

    @cached_property
    def suggested(self) -> RuleSet:
        """The suggested rule set, built once: the verdict, the chart and Apply all read it."""
        return suggested_rule_set(self.report, self.rule_set, fitted_until=self.now)

    @property
    def has_suggestion(self) -> bool:
        """Whether Apply is offered: the suggestion is better on held-out deals and usable."""
        if not self.report.apply_offered:
            return False
        unmarked = {"fitted_until"}  # the mark alone is no change to apply
        return self.suggested.model_dump(exclude=unmarked) != self.rule_set.model_dump(
            exclude=unmarked
        )

    def hot_shares(self) -> tuple[float, float] | None:
        """Share of the deals that entered as hot: now, and rescored under the suggestion."""
        if not self.deals or self.suggested_scores is None:
            return None
        entry = np.fromiter((deal.entry_score for deal in self.deals), dtype=np.float64)
        now = float(np.mean(entry >= self.rule_set.thresholds.hot))
        then = float(np.mean(self.suggested_scores >= self.suggested.thresholds.hot))
        return now, then

    def stored_json(self) -> dict[str, Any]:
        """The report as stored with a digest: the ``--json`` object plus the base version."""
        return {**self.report.to_json(), "rule_set_version": self.version}


def run_calibration(
    services: Services, *, days: int = 90, now: datetime | None = None
) -> Calibration:
    """Calibrate the active rule set on the deals closed in the ``days`` before ``now``.

    ``now`` ends the window (default: the clock), so an old export can be
    calibrated with ``--until`` the day after its last deal.
    """
    if days < 1:
        raise ValueError("the calibration window must be at least 1 day")
    end = now or services.clock()
    with _cycle_collection_paused(), session_scope(services.engine) as session:
        active = services.rulebook.active(session)
        deals = closed_deals(
            session=session,
            start=end - timedelta(days=days),
            end=end,
            fitted_until=_fitted_versions(session),
        )
        calibrated = calibrate_deals(
            deals,
            active.rule_set,
            window_days=days,
            min_deals=MIN_DEALS,
            min_rule_samples=MIN_RULE_SAMPLES,
        )
        report = calibrated.report
    return Calibration(
        report=report,
        rule_set=active.rule_set,
        version=active.version,
        now=end,
        deals=deals,
        emails={key: key for key in report.won_below_hot.examples},
        suggested_scores=calibrated.suggested,
    )


def _fitted_versions(session: Session) -> dict[int, datetime]:
    """Rule set versions that came from a calibration, with the end of the window fitted on."""
    fitted = {}
    for version, content in versions_mentioning(session=session, text="fitted_until"):
        try:
            until = parse_rule_set(content).fitted_until
        except RuleSetError:
            continue  # stored before a key it names existed; nothing was fitted then
        if until is not None:
            fitted[version] = until
    return fitted


@contextmanager
def _cycle_collection_paused() -> Iterator[None]:
    """Hold Python's cycle collector while the deals are loaded and calibrated.

    A window of 100,000 deals decodes into millions of small dicts and lists
    (snapshots, rule hits) that all stay alive until the report is built; the
    collector would walk them again and again while they are created, for
    nothing, since none of them is garbage yet. Results do not change:
    reference counting still frees everything, and the collector resumes after.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def save_calibration(
    services: Services,
    run: Calibration,
    *,
    period: str | None,
    channel: str | None = None,
    report_id: int | None = None,
) -> int:
    """Store the report and its suggested rule file, so an Apply button can find them later."""
    suggested = rule_set_to_yaml(run.suggested) if run.has_suggestion else None
    with session_scope(services.engine) as session:
        row = store_report(
            session=session,
            created_at=run.now,
            period=period,
            window_days=run.report.window_days,
            report=run.stored_json(),
            suggested_rules=suggested,
            channel=channel,
            report_id=report_id,
        )
        assert row.id is not None
        return row.id
