"""The calibration report: what the digest, ``/leadscore calibrate`` and the CLI show.

Field order follows the contract's ``calibrate --json`` so the JSON reads in
the documented order; fields beyond the contract are extra keys, which the
contract allows. Rates are None, never NaN, where they are undefined (an empty
band, no deals won), so the JSON is always valid.
"""

from __future__ import annotations

from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict

HEALTHY: Final = "healthy"
WEAK: Final = "weak: the model barely separates"
INVERTED: Final = "inverted"
NOT_ENOUGH_DATA: Final = "not enough data"

Verdict = Literal["healthy", "weak: the model barely separates", "inverted", "not enough data"]

HEALTHY_SPREAD = 2.0
"""Hot converting at least twice as often as cold is the bottom of the 2–3x target."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class BandStats(_Frozen):
    """Conversion of deals whose entry score lay in ``[min, max)`` (the top band includes max)."""

    label: str
    min: float
    max: float
    closed: int
    won: int
    conversion: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None


class WonBelowHot(_Frozen):
    """Won deals that entered below the hot threshold: the buyers the alerts missed.

    ``examples`` are the lowest-scoring of them (up to 5), the most telling misses.
    """

    count: int
    share: float | None = None
    examples: tuple[str, ...] = ()


class RuleStats(_Frozen):
    """How one rule's firing related to winning, and the points the evidence suggests.

    ``lift`` is conversion when fired ÷ overall conversion. ``suggested_points``
    is None when the rule fired (or did not fire) too rarely to judge, when no
    rule had a clear effect on winning, or when there is not enough data at all.
    """

    name: str
    kind: Literal["fit", "behavior"]
    points: float
    suggested_points: int | None = None
    fired: int
    fired_won: int
    not_fired: int
    not_fired_won: int
    conversion_fired: float | None = None
    conversion_not_fired: float | None = None
    lift: float | None = None


class AucPair(_Frozen):
    """Ranking quality (AUC) on the held-out deals, current points vs suggested points."""

    current: float | None = None
    suggested: float | None = None


class CalibrationReport(_Frozen):
    """Whether entry scores still predict who buys, and how the rule set could be fixed.

    ``spread`` is hot-band conversion ÷ cold-band conversion over all deals;
    ``spread_suggested`` the same on the held-out deals under the suggested
    rule set (suggested points and hot threshold). ``holdout_closed`` is how
    many deals the two ``auc`` figures and ``spread_suggested`` rest on.
    """

    window_days: int
    closed: int
    won: int
    bands: tuple[BandStats, ...]
    spread: float | None = None
    verdict: Verdict
    rules: tuple[RuleStats, ...]
    auc: AucPair = AucPair()
    suggested_hot_threshold: float | None = None
    enough_data: bool
    quintiles: tuple[BandStats, ...] = ()
    won_below_hot: WonBelowHot
    spread_suggested: float | None = None
    holdout_closed: int = 0
    method: str

    def to_json(self) -> dict[str, Any]:
        """The ``calibrate --json`` object (JSON-ready: lists, floats, None)."""
        return self.model_dump(mode="json")


def spread(hot: BandStats, cold: BandStats) -> float | None:
    """Hot conversion ÷ cold conversion; None when either is unknown or cold is 0%."""
    if hot.conversion is None or cold.conversion is None or cold.conversion == 0:
        return None
    return hot.conversion / cold.conversion


def verdict(hot: BandStats, cold: BandStats, *, enough_data: bool) -> Verdict:
    """One phrase a manager can act on.

    healthy: spread >= 2; weak: 1 <= spread < 2; inverted: spread < 1.
    With no cold conversion at all, any hot conversion is an infinite spread
    (healthy). Not enough data: fewer than ``min_deals`` closed, an empty hot
    or cold band, or no deal won in either, since nothing can be compared.
    """
    if not enough_data or hot.conversion is None or cold.conversion is None:
        return NOT_ENOUGH_DATA
    if cold.conversion == 0:
        return HEALTHY if hot.conversion > 0 else NOT_ENOUGH_DATA
    ratio = hot.conversion / cold.conversion
    if ratio >= HEALTHY_SPREAD:
        return HEALTHY
    return WEAK if ratio >= 1.0 else INVERTED
