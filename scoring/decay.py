"""Behaviour decay maths.

Decay is continuous: after ``grace_days`` of inactivity, the earned behaviour
points shrink by ``monthly_rate`` per 30 days, i.e. by the factor
``(1 - monthly_rate) ** ((idle_days - grace_days) / 30)``. Because the factor
depends only on the idle time, evaluating it at an instant gives the same
number however many times and on whatever schedule it was evaluated before:
that is what makes the scheduled job idempotent and schedule-independent.
"""

from __future__ import annotations

from datetime import datetime

from scoring.rule_set import Decay

SECONDS_PER_DAY = 86_400.0
DAYS_PER_PERIOD = 30.0


def decaying_days(decay: Decay, idle_days: float) -> float:
    """Idle days that count towards decay (the grace period is free)."""
    return max(0.0, idle_days - decay.grace_days)


def decay_factor(decay: Decay, idle_days: float) -> float:
    """Share of earned behaviour points left after ``idle_days`` without activity."""
    if decay.monthly_rate == 0:
        return 1.0
    return (1.0 - decay.monthly_rate) ** (decaying_days(decay, idle_days) / DAYS_PER_PERIOD)


def idle_days(since: datetime, now: datetime) -> float:
    """Days between two instants, never negative (late clocks do not undo decay)."""
    return max(0.0, (now - since).total_seconds() / SECONDS_PER_DAY)


def next_decay_step(decay: Decay, last_activity_at: datetime, now: datetime) -> float:
    """Days from ``now`` until decay starts (0 when it is already running).

    Used by the score card to say "decay starts in N days".
    """
    remaining = decay.grace_days - idle_days(last_activity_at, now)
    return max(0.0, remaining)
