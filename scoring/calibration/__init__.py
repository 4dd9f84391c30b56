"""Calibration statistics: do entry scores still predict who buys, and how to fix the rules.

Pure functions over closed deals (no I/O, no clock, no database): the
storage layer selects the deals closed in the window, the digest and the CLI
render the report. ``report.to_json()`` is the contract's ``calibrate --json``
object.
"""

from __future__ import annotations

from scoring.calibration._calibrate import METHOD, calibrate
from scoring.calibration._deals import ClosedDeal, in_training
from scoring.calibration._report import (
    HEALTHY,
    INVERTED,
    NOT_ENOUGH_DATA,
    WEAK,
    AucPair,
    BandStats,
    CalibrationReport,
    RuleStats,
    WonBelowHot,
)
from scoring.calibration._stats import auc, wilson_interval, youden_threshold
from scoring.calibration._suggest import suggested_rule_set

__all__ = [
    "HEALTHY",
    "INVERTED",
    "METHOD",
    "NOT_ENOUGH_DATA",
    "WEAK",
    "AucPair",
    "BandStats",
    "CalibrationReport",
    "ClosedDeal",
    "RuleStats",
    "WonBelowHot",
    "auc",
    "calibrate",
    "in_training",
    "suggested_rule_set",
    "wilson_interval",
    "youden_threshold",
]
