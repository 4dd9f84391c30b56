"""The digest's sentences: numbers in the words a sales manager uses.

Kept apart from the Block Kit layout so the CLI and Slack say the same
thing, and so every phrase can be checked without building blocks.
"""

from __future__ import annotations

from bot.views.mrkdwn import inline
from scoring.calibration import (
    HEALTHY,
    INVERTED,
    NO_SIGNAL,
    WEAK,
    BandStats,
    CalibrationReport,
    RuleStats,
)

TARGET = "2–3x"


def points(value: float | None) -> str:
    """Scores and points as people write them: 70, not 70.0; 12.5 stays."""
    if value is None:
        return "–"
    return f"{value:g}" if value != int(value) else str(int(value))


def percent(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}" if value >= 0.1 else f"{value:.1%}"


def ratio(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}x"


def band_name(band: BandStats) -> str:
    return band.label.capitalize()


def band_range(band: BandStats, *, top: bool) -> str:
    """``70–100`` for the top band (it includes its max), ``40–<70`` below it."""
    if top:
        return f"{points(band.min)}–{points(band.max)}"
    return f"{points(band.min)}–<{points(band.max)}"


def band_rate(band: BandStats) -> str:
    """``42% (95% CI 35–49%) · 50 of 120 won``, or the counts alone when rates are withheld."""
    counts = f"{band.won} of {band.closed} won"
    if band.closed == 0:
        return "no deals closed"
    if band.conversion is None:
        return counts
    interval = ""
    if band.ci_low is not None and band.ci_high is not None:
        interval = f" (95% CI {percent(band.ci_low)}–{percent(band.ci_high)})"
    return f"*{percent(band.conversion)}*{interval} · {counts}"


def _ranking(report: CalibrationReport) -> str:
    """The AUC the verdict rests on, and which deals it is measured on."""
    ranking = report.ranking
    if ranking is None:
        return ""
    interval = f"(95% CI {auc_text(ranking.low)}–{auc_text(ranking.high)})"
    if ranking.closed == report.holdout_closed:
        return f"held-out AUC {auc_text(ranking.auc)} {interval}"
    return (
        f"AUC {auc_text(ranking.auc)} {interval} on the {ranking.closed:,} deals "
        "the rules were not fitted on"
    )


def _next_step(report: CalibrationReport) -> str:
    if report.apply_offered:
        return " The suggestions below would rank buyers better."
    return ""


def verdict_sentence(report: CalibrationReport) -> str:
    """What the held-out ranking and the spread say, and what it means, in a sentence or two."""
    hot = report.bands[-1]
    spread = report.spread
    ranking = _ranking(report)
    if report.verdict == HEALTHY:
        if spread is None:
            return (
                f"*Healthy*: hot leads converted ({percent(hot.conversion)}) and cold ones "
                f"never did ({ranking}). The score separates buyers from the rest."
                + _next_step(report)
            )
        where = "above" if spread > 3 else "within"
        return (
            f"*Healthy*: hot leads convert *{ratio(spread)}* as often as cold ones, "
            f"{where} the {TARGET} target ({ranking}). The score separates buyers from the rest."
            + _next_step(report)
        )
    if report.verdict == WEAK:
        return (
            f"*Weak*: the score ranks buyers above the rest ({ranking}), but hot leads "
            f"convert only *{ratio(spread)}* as often as cold ones (target {TARGET})."
            + _next_step(report)
        )
    if report.verdict == INVERTED:
        return (
            f"*Inverted*: the score ranks buyers *below* the rest ({ranking}; hot/cold "
            f"{ratio(spread)}). The rules point SDRs at the wrong leads." + _next_step(report)
        )
    if report.verdict == NO_SIGNAL:
        return (
            f"*No signal*: the score ranks buyers no better than a coin toss ({ranking}; "
            f"hot/cold {ratio(spread)}). Nothing in today's rules predicts a win."
            + _next_step(report)
        )
    if report.enough_data:
        return "*Not enough data* to judge the ranking: the held-out deals are all won or all lost."
    return "*Not enough data* to judge the score yet."


def offer_sentence(report: CalibrationReport) -> str:
    """Why Apply is, or is not, offered: one line."""
    if report.apply_offered:
        return "Apply stores the suggested rules as a new version and rescores every lead."
    return report.apply_reason or "Nothing to apply."


def base_line(report: CalibrationReport) -> str:
    """``• *Base points* · 0 → *12*``: what every lead starts with."""
    base = report.base
    if base.suggested_points is None or base.suggested_points == base.points:
        return f"• *Base points* (every lead) · {base.points} (kept)"
    return f"• *Base points* (every lead) · {base.points} → *{base.suggested_points}*"


def ends_sentence(report: CalibrationReport) -> str:
    """How many held-out deals the suggestion would pin at either end of the range."""
    ends = report.suggested_ends
    if ends is None:
        return ""
    return (
        f"With the suggested rules {percent(ends.low)} of held-out deals would sit at the "
        f"bottom of the score range and {percent(ends.high)} at the top."
    )


def rule_line(rule: RuleStats) -> str:
    """``• *Demo request* (behavior) · fired 120× · lift 1.9x · 50 → *62*``.

    Discovered rules say ``new``; a rule the suggestion leaves out says ``drop``.
    """
    if rule.new:
        change = f"*{points(rule.suggested_points)}* (new)"
    elif rule.suggested_points is None:
        change = f"{points(rule.points)} (kept)"
    elif rule.suggested_points == rule.points:
        change = f"{points(rule.points)} (unchanged)"
    elif rule.suggested_points == 0:
        change = f"{points(rule.points)} → *0* (drop)"
    else:
        change = f"{points(rule.points)} → *{points(rule.suggested_points)}*"
    lift = f"lift {ratio(rule.lift)}" if rule.lift is not None else "lift –"
    kind = f"{rule.kind}, new" if rule.new else rule.kind
    return f"• *{inline(rule.name, 200)}* ({kind}) · fired {rule.fired}× · {lift} · {change}"


def auc_text(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def backtest_sentence(report: CalibrationReport) -> str:
    """How the suggested points would have ranked the held-out deals, vs today's points."""
    pair = report.auc
    sentence = (
        f"*Backtest* on the {report.holdout_closed} held-out deals (30%, not used to fit): "
        f"AUC current *{auc_text(pair.current)}* → suggested *{auc_text(pair.suggested)}* "
        "(0.5 is a coin toss, 1 a perfect ranking)."
    )
    if report.spread_suggested is not None:
        sentence += (
            f" Hot/cold spread with the suggested rules: *{ratio(report.spread_suggested)}*."
        )
    return sentence


def threshold_sentence(
    report: CalibrationReport, current_hot: float, hot_shares: tuple[float, float] | None = None
) -> str:
    """The suggested hot threshold, and how many deals would have been hot under it.

    The share matters as much as the cut: a threshold that separates buyers
    best can still make most leads hot, and every hot lead pages an SDR.
    """
    suggested = report.suggested_hot_threshold
    if suggested is None:
        return f"No hot threshold separates better than today's {points(current_hot)}; keep it."
    if suggested == current_hot:
        sentence = f"Suggested hot threshold: *{points(suggested)}* (unchanged)."
    else:
        sentence = f"Suggested hot threshold: *{points(suggested)}* (now {points(current_hot)})."
    if hot_shares is not None:
        now, then = hot_shares
        sentence += (
            f" With the suggested rules, *{percent(then)}* of these deals would have entered "
            f"as hot, against {percent(now)} now: that is how many alerts to expect."
        )
    return sentence


def summary_text(report: CalibrationReport, *, title: str) -> str:
    """The notification fallback (``text``) of the digest message."""
    head = f"{inline(title, 200)}: {report.closed} deals closed, {report.won} won"
    if not report.enough_data:
        return f"{head}. Not enough data to calibrate yet."
    if report.spread is None or report.verdict == NO_SIGNAL:
        return f"{head}. Verdict: {report.verdict}."
    return f"{head}. Verdict: {report.verdict} (hot/cold {ratio(report.spread)}, target {TARGET})."
