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
NO_SIGNAL: Final = "no signal"
NOT_ENOUGH_DATA: Final = "not enough data"

Verdict = Literal[
    "healthy", "weak: the model barely separates", "inverted", "no signal", "not enough data"
]

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
    new: bool = False
    when: dict[str, Any] | None = None
    max_count: int | None = None


class AucPair(_Frozen):
    """Ranking quality (AUC) on the held-out deals, current points vs suggested points.

    ``*_low``/``*_high`` bound the 95% interval (DeLong).
    """

    current: float | None = None
    suggested: float | None = None
    current_low: float | None = None
    current_high: float | None = None
    suggested_low: float | None = None
    suggested_high: float | None = None


class Ranking(_Frozen):
    """The entry scores' AUC with its 95% interval, on the deals the verdict judges them on.

    Those are the held-out deals plus every deal the rules that scored it were
    not fitted on (``closed`` counts them): a rule set written by hand is
    judged on the whole window, one applied from a suggestion on the deals
    its fit never saw.
    """

    auc: float
    low: float
    high: float
    closed: int


class BasePoints(_Frozen):
    """The rule set's base points now, and the base the suggestion comes with."""

    points: int = 0
    suggested_points: int | None = None


class EndShares(_Frozen):
    """Share of held-out deals the suggested rules would put at each end of ``score_range``."""

    low: float
    high: float


class CalibrationReport(_Frozen):
    """Whether entry scores still predict who buys, and how the rule set could be fixed.

    ``spread`` is hot-band conversion ÷ cold-band conversion over all deals;
    ``spread_suggested`` the same on the held-out deals under the suggested
    rule set (suggested points and hot threshold). ``holdout_closed`` is how
    many deals the two ``auc`` figures and ``spread_suggested`` rest on.
    ``apply_offered`` says whether the suggestion is worth applying; when it
    is not, ``apply_reason`` says why in one line.
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
    apply_offered: bool = False
    apply_reason: str | None = None
    base: BasePoints = BasePoints()
    suggested_ends: EndShares | None = None
    ranking: Ranking | None = None

    def to_json(self) -> dict[str, Any]:
        """The ``calibrate --json`` object (JSON-ready: lists, floats, None)."""
        return self.model_dump(mode="json")


def spread(hot: BandStats, cold: BandStats) -> float | None:
    """Hot conversion ÷ cold conversion; None when either is unknown or cold is 0%."""
    if hot.conversion is None or cold.conversion is None or cold.conversion == 0:
        return None
    return hot.conversion / cold.conversion


def verdict(
    hot: BandStats,
    cold: BandStats,
    interval: tuple[float, float, float] | None,
    *,
    enough_data: bool,
) -> Verdict:
    """One phrase a manager can act on, from the ranking on unseen deals first.

    ``interval`` is the AUC of the entry scores with its 95% bounds, on the
    deals their rules were not fitted on (``Ranking``).
    no signal: the interval includes 0.5 (the ranking is indistinguishable
    from a coin toss, whatever the bands say); inverted: it lies below 0.5;
    otherwise healthy when hot converts at least twice as often as cold
    (or cold never converts), else weak. Not enough data: fewer than
    ``min_deals`` closed, or no won or no lost deal among those judged.
    """
    if not enough_data or interval is None:
        return NOT_ENOUGH_DATA
    _, low, high = interval
    if high < 0.5:
        return INVERTED
    if low <= 0.5:
        return NO_SIGNAL
    if hot.conversion is not None and cold.conversion is not None:
        if cold.conversion == 0:
            return HEALTHY if hot.conversion > 0 else WEAK
        if hot.conversion / cold.conversion >= HEALTHY_SPREAD:
            return HEALTHY
    return WEAK
