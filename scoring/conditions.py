"""Whether a rule's condition holds for a lead or an activity.

Text comparisons ignore case and surrounding spaces, because CRM data is typed
by people ("SaaS", "saas ", "SAAS" are the same industry).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Protocol

from scoring.rule_set import ActivityCondition, FieldCondition

if TYPE_CHECKING:
    from datetime import datetime


class LeadLike(Protocol):
    """Anything with a lead's fields: ``LeadProfile``, or the ingest path's working copy."""

    @property
    def email(self) -> str: ...

    @property
    def attributes(self) -> Mapping[str, Any]: ...


class ActivityLike(Protocol):
    """Anything with an activity's fields: ``ActivityRecord``, or an event's activity."""

    @property
    def kind(self) -> str: ...

    @property
    def url(self) -> str | None: ...

    @property
    def properties(self) -> Mapping[str, Any]: ...

    @property
    def occurred_at(self) -> datetime: ...


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


def _domain_in(email: str, wanted: frozenset[str]) -> bool:
    """The address's domain, or a domain it is a subdomain of, is wanted."""
    domain = email.rpartition("@")[2].casefold()
    while True:
        if domain in wanted:
            return True
        dot = domain.find(".")
        if dot < 0:
            return False
        domain = domain[dot + 1 :]


def condition_matches(condition: FieldCondition, lead: LeadLike) -> bool:
    """Evaluate a fit or routing condition against a lead."""
    return condition.matcher(lead)


def activity_matches(condition: ActivityCondition, activity: ActivityLike) -> bool:
    """Evaluate a behaviour rule's ``when`` against one activity."""
    return _norm(activity.kind) == condition.kind_key and condition.detail_matcher(activity)


def compile_field_condition(condition: FieldCondition) -> Callable[[LeadLike], bool]:
    """The condition as one closure, its constants normalised once.

    Scoring runs every fit rule for every touched lead in every ingest batch;
    comparing against pre-normalised text (a set for ``in``) instead of
    re-normalising both sides per call is most of that cost. The closures
    decide exactly as the generic comparison does: text lead values take the
    fast path, anything else falls back to ``_same``.
    """
    name = condition.field
    read = _reader(name)
    op = condition.operator
    if op == "exists":
        wanted = condition.exists
        return lambda lead: _present(read(lead)) is wanted
    if op in ("equals", "in"):
        options = [condition.equals] if op == "equals" else list(condition.in_ or ())
        return _one_of(read, options)
    if op == "contains_any":
        return _contains_any(read, condition.needles)
    if op == "between":
        low, high = condition.between or (0.0, 0.0)
        return lambda lead: (number := _number(read(lead))) is not None and low <= number <= high
    domains = frozenset(d.strip().casefold().lstrip("@") for d in condition.email_domain_in or ())
    return lambda lead: _present(value := read(lead)) and _domain_in(str(value), domains)


def compile_activity_details(condition: ActivityCondition) -> Callable[[ActivityLike], bool]:
    """The rest of a behaviour condition once the kind matched (URL and properties)."""
    fragment = condition.url_contains.casefold() if condition.url_contains is not None else None
    wanted = tuple((condition.properties or {}).items())
    if fragment is None and not wanted:
        return _always

    def details(activity: ActivityLike) -> bool:
        if fragment is not None and fragment not in (activity.url or "").casefold():
            return False
        properties = activity.properties
        return all(key in properties and _same(properties[key], value) for key, value in wanted)

    return details


def _always(activity: ActivityLike) -> bool:
    return True


def field_reader(name: str) -> Callable[[LeadLike], Any]:
    """The value a condition on ``name`` looks at (a lead column, or ``attributes.<key>``)."""
    return _reader(name)


def _reader(name: str) -> Callable[[LeadLike], Any]:
    if name.startswith("attributes."):
        key = name.removeprefix("attributes.")
        return lambda lead: lead.attributes.get(key)
    return lambda lead: getattr(lead, name, None)


def _contains_any(
    read: Callable[[LeadLike], Any], needles: tuple[str, ...]
) -> Callable[[LeadLike], bool]:
    def matches(lead: LeadLike) -> bool:
        value = read(lead)
        if not _present(value):
            return False
        text = str(value).casefold()
        return any(needle in text for needle in needles)

    return matches


def _one_of(read: Callable[[LeadLike], Any], options: list[Any]) -> Callable[[LeadLike], bool]:
    """``equals``/``in``: a set lookup for text values, ``_same`` for anything else."""
    as_text = frozenset(
        _norm(str(option)) for option in options if isinstance(option, str | int | float)
    )
    # Yes/no attributes (imported ``type: bool`` columns) are decided once per
    # truth value here rather than by ``_same`` against every option per lead.
    truths = {truth: any(_same(truth, option) for option in options) for truth in (True, False)}

    def matches(lead: LeadLike) -> bool:
        value = read(lead)
        if not _present(value):
            return False
        if isinstance(value, str):
            return value.strip().casefold() in as_text
        if value is True or value is False:
            return truths[value]
        return any(_same(value, option) for option in options)

    return matches
