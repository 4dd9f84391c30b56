"""Figures the reliability and security tests reached, printed at the end of the run.

A sceptical reader wants numbers, not just green dots: how many fuzz cases,
kills, retries and events each test exercised, and what was lost or
duplicated (the goal is zero everywhere). Tests ``record`` their counts and
the conftest prints one table in the terminal summary (and ``-s`` shows the
per-test lines as they happen).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

_FIGURES: dict[str, dict[str, Any]] = defaultdict(dict)
_printed = False


def record(test: str, **counts: Any) -> None:
    """Add counts under ``test`` (numbers add up across calls, other values replace)."""
    row = _FIGURES[test]
    for key, value in counts.items():
        if isinstance(value, int | float) and not isinstance(value, bool) and key in row:
            row[key] += value
        else:
            row[key] = value
    print(f"[figures] {test}: " + ", ".join(f"{k}={v}" for k, v in counts.items()))


def figures() -> dict[str, dict[str, Any]]:
    return {name: dict(row) for name, row in _FIGURES.items()}


def write_summary(terminalreporter: Any) -> None:
    """The table of figures, once per session however many conftests ask."""
    global _printed
    if _printed or not _FIGURES:
        return
    _printed = True
    terminalreporter.section("reliability and security figures")
    for name, row in sorted(_FIGURES.items()):
        values = ", ".join(f"{key}={value}" for key, value in row.items())
        terminalreporter.write_line(f"{name}: {values}")
