"""The digest's chart: conversion by band and by fifth of score, current vs suggested rules.

Built with matplotlib's object API (``Figure`` rendered by the Agg canvas),
never ``pyplot``: pyplot keeps every figure in a process-wide registry and
picks a GUI backend, neither of which a server wants. The figure is local to
the call and released when it returns, so nothing leaks between digests.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from bot.digest.backtest import Backtest
from bot.digest.wording import points
from scoring.calibration import BandStats

_CURRENT = "#9aa5b1"
_SUGGESTED = "#2e7d32"
_WIDTH = 0.38


def _bars(axes: Axes, bands: Sequence[BandStats], offset: float, colour: str, label: str) -> None:
    xs = [i + offset for i in range(len(bands))]
    heights = [band.conversion or 0.0 for band in bands]
    low = [max(0.0, (band.conversion or 0.0) - (band.ci_low or 0.0)) for band in bands]
    high = [max(0.0, (band.ci_high or 0.0) - (band.conversion or 0.0)) for band in bands]
    axes.bar(
        xs,
        heights,
        _WIDTH,
        color=colour,
        label=label,
        yerr=[low, high],
        capsize=3,
        error_kw={"elinewidth": 1, "ecolor": "#333333"},
    )
    for x, band in zip(xs, bands, strict=True):
        axes.annotate(
            f"n={band.closed}",
            (x, 0),
            xytext=(0, 2),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=7,
            color="#ffffff" if band.closed and (band.conversion or 0) > 0.08 else "#333333",
        )


def _panel(axes: Axes, title: str, labels: Sequence[str], test: Backtest, *, bands: bool) -> None:
    current = test.current.bands if bands else test.current.quintiles
    suggested = test.suggested.bands if bands else test.suggested.quintiles
    hot_now = points(test.current_rules.thresholds.hot)
    hot_new = points(test.suggested_rules.thresholds.hot)
    _bars(axes, current, -_WIDTH / 2, _CURRENT, f"current rules (hot ≥ {hot_now})")
    _bars(axes, suggested, _WIDTH / 2, _SUGGESTED, f"suggested rules (hot ≥ {hot_new})")
    axes.set_xticks(range(len(labels)), labels)
    axes.set_title(title, fontsize=10)
    axes.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    axes.set_ylim(0, 1)
    axes.grid(axis="y", alpha=0.3)
    axes.set_axisbelow(True)


def calibration_chart(test: Backtest) -> bytes:
    """A PNG of held-out conversion by band and by score quintile, with 95% intervals."""
    figure = Figure(figsize=(9, 4), dpi=110, layout="constrained")
    FigureCanvasAgg(figure)
    by_band, by_fifth = figure.subplots(1, 2, sharey=True)
    _panel(by_band, "By score band", ["Cold", "Warm", "Hot"], test, bands=True)
    quintiles = ["Lowest 20%", "2nd", "3rd", "4th", "Top 20%"]
    if test.current.quintiles and test.suggested.quintiles:
        _panel(by_fifth, "By fifth of entry score", quintiles, test, bands=False)
    by_band.set_ylabel("won ÷ closed (95% interval)")
    by_band.legend(loc="upper left", fontsize=8, frameon=False)
    figure.suptitle(
        f"Conversion at pipeline entry, {test.current.closed} held-out deals "
        "(not used to fit the suggestion)",
        fontsize=11,
    )
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    figure.clear()
    return buffer.getvalue()
