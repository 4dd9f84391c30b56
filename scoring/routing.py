"""Which channel a hot lead goes to: the first routing rule whose condition matches."""

from __future__ import annotations

from dataclasses import dataclass

from scoring.conditions import condition_matches
from scoring.evaluate import LeadProfile
from scoring.rule_set import RuleSet


@dataclass(frozen=True, slots=True)
class Route:
    """A routing decision; ``key`` names the rule so its round-robin turn can be stored."""

    key: str
    channel: str
    assignees: tuple[str, ...]


def route(rule_set: RuleSet, lead: LeadProfile) -> Route | None:
    """The first matching routing rule, or None when the rule set routes nowhere."""
    for index, rule in enumerate(rule_set.routing):
        if rule.when is None or condition_matches(rule.when, lead):
            return Route(
                key=f"{rule_set.name}:{index}:{rule.channel}",
                channel=rule.channel,
                assignees=tuple(rule.assignees),
            )
    return None
