"""Account heat: several people from one company showing buying intent in the same days.

One lead crossing ``hot`` alone is a person; three people from one company
reading the pricing page within a week is an account in a buying cycle,
even if none of them is hot yet.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from scoring.evaluate import ActivityRecord
from scoring.rule_set import RuleSet


def is_intent(rule_set: RuleSet, activity: ActivityRecord) -> str | None:
    """The name of the intent rule this activity counts for, or None."""
    for position in rule_set.behavior_by_kind.get(activity.kind.strip().casefold(), ()):
        rule = rule_set.behavior[position]
        if rule.intent and rule.when.detail_matcher(activity):
            return rule.name
    return None


@dataclass(frozen=True, slots=True)
class HeatedLead:
    """One lead of a heating account and the intent it showed in the window."""

    lead_id: int
    intents: tuple[str, ...]


def heated_leads(
    rule_set: RuleSet, activities: Iterable[tuple[int, ActivityRecord]]
) -> list[HeatedLead]:
    """The leads with at least one intent activity among ``(lead_id, activity)`` pairs."""
    found: dict[int, list[str]] = {}
    for lead_id, activity in activities:
        name = is_intent(rule_set, activity)
        if name is not None:
            found.setdefault(lead_id, [])
            if name not in found[lead_id]:
                found[lead_id].append(name)
    return [HeatedLead(lead_id, tuple(names)) for lead_id, names in sorted(found.items())]


def is_heating(rule_set: RuleSet, leads: Sequence[HeatedLead]) -> bool:
    heat = rule_set.account_heat
    return heat is not False and len(leads) >= heat.leads
