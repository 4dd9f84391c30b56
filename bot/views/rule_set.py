"""``/leadscore rules``: the rule set in force, who applied it, and each rule's points."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.views import format as fmt
from bot.views.limits import (
    Block,
    context,
    fields,
    header,
    line_sections,
    within_block_limit,
)
from bot.views.message import Message
from bot.views.mrkdwn import inline
from scoring.rule_set import ActivityCondition, BehaviorRule, FieldCondition, FitRule, RuleSet
from storage.models import RuleSetVersion


def rules_message(row: RuleSetVersion, rule_set: RuleSet, *, zone: ZoneInfo) -> Message:
    applied = f"Applied by {_who(row.applied_by)} on {fmt.local_time(row.applied_at, zone)}"
    if row.activated_at != row.applied_at:
        applied += f" · active again since {fmt.local_time(row.activated_at, zone)}"
    decay = rule_set.decay
    low, high = rule_set.score_range
    blocks: list[Block] = [
        header(f"Rule set “{rule_set.name}” v{row.version}"),
        context(applied),
        fields(
            [
                f"*Hot* at {fmt.score(rule_set.thresholds.hot)}+",
                f"*Warm* at {fmt.score(rule_set.thresholds.warm)}+",
                f"*Decay* {decay.monthly_rate:.0%} per 30 days after "
                f"{fmt.span(decay.grace_days) if decay.grace_days else 'no'} idle",
                f"*Score range* {fmt.score(low)}–{fmt.score(high)}",
                f"*Escalation* after {rule_set.sla_minutes:g} min unclaimed",
            ]
        ),
        *line_sections(
            [_fit_line(rule) for rule in rule_set.fit] or ["_none_"],
            title="Fit (never decays)",
            max_sections=3,
        ),
        *line_sections(
            [_behavior_line(rule) for rule in rule_set.behavior] or ["_none_"],
            title="Behaviour (decays)",
            max_sections=3,
        ),
    ]
    hot = fmt.score(rule_set.thresholds.hot)
    text = f"Rule set {inline(rule_set.name, 200)} v{row.version}: hot at {hot}"
    return Message(text=text, blocks=within_block_limit(blocks))


def _who(applied_by: str) -> str:
    if applied_by.startswith("U") and applied_by.isalnum() and applied_by.isupper():
        return fmt.user(applied_by)
    return inline(applied_by, 200)


def _fit_line(rule: FitRule) -> str:
    return f"• *{fmt.points(rule.points)}* {inline(rule.name, 200)} — {describe_field(rule.when)}"


def _behavior_line(rule: BehaviorRule) -> str:
    extras = []
    if rule.max_count:
        extras.append(f"at most {rule.max_count}×")
    if rule.intent:
        extras.append("intent")
    tail = f" _({', '.join(extras)})_" if extras else ""
    return (
        f"• *{fmt.points(rule.points)}* {inline(rule.name, 200)} — "
        f"{describe_activity(rule.when)}{tail}"
    )


_OPERATOR_WORDS = {
    "equals": "is",
    "in": "is one of",
    "contains_any": "contains any of",
    "between": "is between",
    "exists": "is set",
    "email_domain_in": "has an email domain in",
}


def describe_field(when: FieldCondition) -> str:
    """The YAML condition in words, e.g. title contains any of VP, Director."""
    value = getattr(when, "in_" if when.operator == "in" else when.operator)
    if isinstance(value, (list, tuple)):
        shown = ", ".join(str(v) for v in value)
        if when.operator == "between":
            shown = f"{value[0]:g} and {value[1]:g}"
    else:
        shown = str(value)
    words = _OPERATOR_WORDS[when.operator]
    if when.operator == "exists":
        words, shown = ("is set", "") if value else ("is not set", "")
    return inline(f"{when.field} {words} {shown}".rstrip(), 300)


def describe_activity(when: ActivityCondition) -> str:
    text = when.kind
    if when.url_contains:
        text += f" with URL containing {when.url_contains}"
    if when.properties:
        text += " where " + ", ".join(f"{k}={v}" for k, v in when.properties.items())
    return inline(text, 300)
