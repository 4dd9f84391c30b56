"""Managers are gated in one place: the listener middleware in ``bot.listeners.manager_gate``.

A second, hand-written check in a listener or use case is how gates drift
apart (one refusal text changes, one path forgets). ``/leadscore help`` asks
too, but only to show managers extra status lines; it refuses nothing.
"""

from __future__ import annotations

from pathlib import Path

BOT = Path(__file__).parents[2] / "bot"
ASKS_NOT_TO_GATE = {"slash_command/help.py"}


def test_only_the_manager_gate_decides_who_is_a_manager() -> None:
    asking = {
        str(path.relative_to(BOT))
        for path in BOT.rglob("*.py")
        if "is_manager(" in path.read_text(encoding="utf-8")
    }
    assert asking - ASKS_NOT_TO_GATE - {"settings.py"} == {"listeners/manager_gate.py"}
