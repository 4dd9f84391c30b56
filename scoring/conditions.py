"""Whether a rule's condition holds for a lead or an activity.

Text comparisons ignore case and surrounding spaces, because CRM data is typed
by people ("SaaS", "saas ", "SAAS" are the same industry).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Protocol

from scoring.rule_set import ActivityCondition, FieldCondition

if TYPE_CHECKING:
    from datetime import datetime


class _Lead(Protocol):
    @property
    def email(self) -> str: ...

    @property
    def attributes(self) -> Mapping[str, Any]: ...


class _Activity(Protocol):
    @property
    def kind(self) -> str: ...

    @property
    def url(self) -> str | None: ...

    @property
    def properties(self) -> Mapping[str, Any]: ...

    @property
    def occurred_at(self) -> datetime: ...


def field_value(lead: _Lead, name: str) -> Any:
    """A lead column, or ``attributes.<key>``; None when absent."""
    if name.startswith("attributes."):
        return lead.attributes.get(name.removeprefix("attributes."))
    return getattr(lead, name, None)


def _norm(value: Any) -> Any:
    return value.strip().casefold() if isinstance(value, str) else value


def _same(left: Any, right: Any) -> bool:
    if isinstance(left, bool) or isinstance(right, bool):
        return left is right or _norm(str(left)) == _norm(str(right))
    if isinstance(left, int | float) and isinstance(right, int | float):
        return float(left) == float(right)
    if isinstance(left, int | float) or isinstance(right, int | float):
        return _norm(str(left)) == _norm(str(right))
    return _norm(left) == _norm(right)


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _present(value: Any) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def _domain_in(email: str, domains: list[str]) -> bool:
    domain = email.rpartition("@")[2].casefold()
    wanted = [d.strip().casefold().lstrip("@") for d in domains]
    return any(domain == d or domain.endswith("." + d) for d in wanted)


def condition_matches(condition: FieldCondition, lead: _Lead) -> bool:
    """Evaluate a fit or routing condition against a lead."""
    value = field_value(lead, condition.field)
    op = condition.operator
    if op == "exists":
        return _present(value) is condition.exists
    if not _present(value):
        return False
    if op == "equals":
        return _same(value, condition.equals)
    if op == "in":
        return any(_same(value, item) for item in condition.in_ or ())
    if op == "contains_any":
        text = str(value).casefold()
        return any(needle in text for needle in condition.needles)
    if op == "between":
        number = _number(value)
        low, high = condition.between or (0.0, 0.0)
        return number is not None and low <= number <= high
    return _domain_in(str(value), condition.email_domain_in or [])


def activity_matches(condition: ActivityCondition, activity: _Activity) -> bool:
    """Evaluate a behaviour rule's ``when`` against one activity."""
    if _norm(activity.kind) != _norm(condition.kind):
        return False
    if condition.url_contains is not None:
        url = (activity.url or "").casefold()
        if condition.url_contains.casefold() not in url:
            return False
    for key, wanted in (condition.properties or {}).items():
        if key not in activity.properties or not _same(activity.properties[key], wanted):
            return False
    return True
