"""Calibration statistics: do entry scores still predict who buys, and how to fix the rules.

Pure functions over closed deals (no I/O, no clock, no database): the
storage layer selects the deals closed in the window, the digest and the CLI
render the report. ``report.to_json()`` is the contract's ``calibrate --json``
object.
"""

from __future__ import annotations

from scoring.calibration._calibrate import (
    METHOD,
    MIN_AUC_GAIN,
    Calibrated,
    calibrate,
    calibrate_deals,
)
from scoring.calibration._deals import ClosedDeal, in_training
from scoring.calibration._report import (
    HEALTHY,
    INVERTED,
    NO_SIGNAL,
    NOT_ENOUGH_DATA,
    WEAK,
    AucPair,
    BandStats,
    BasePoints,
    CalibrationReport,
    EndShares,
    Ranking,
    RuleStats,
    WonBelowHot,
)
from scoring.calibration._stats import auc, auc_interval, wilson_interval, youden_threshold
from scoring.calibration._suggest import suggested_rule_set
from scoring.entry_snapshot import entry_snapshot

__all__ = [
    "HEALTHY",
    "INVERTED",
    "METHOD",
    "MIN_AUC_GAIN",
    "NOT_ENOUGH_DATA",
    "NO_SIGNAL",
    "WEAK",
    "AucPair",
    "BandStats",
    "BasePoints",
    "Calibrated",
    "CalibrationReport",
    "ClosedDeal",
    "EndShares",
    "Ranking",
    "RuleStats",
    "WonBelowHot",
    "auc",
    "auc_interval",
    "calibrate",
    "calibrate_deals",
    "entry_snapshot",
    "in_training",
    "suggested_rule_set",
    "wilson_interval",
    "youden_threshold",
]
