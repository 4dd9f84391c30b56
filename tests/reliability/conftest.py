"""Reliability tests: print what each test reached at the end of the run."""

from __future__ import annotations

from typing import Any

from tests.reliability.figures import write_summary


def pytest_terminal_summary(terminalreporter: Any) -> None:
    write_summary(terminalreporter)
