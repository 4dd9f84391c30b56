"""One lead's score card: the number, every rule behind it, decay, and who owns it.

The numbers come from ``bot.scorecard.build_score_card`` so this card and
``leadscore score EMAIL`` can never disagree.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from bot.scorecard import ScoreCard
from bot.views import format as fmt
from bot.views.limits import (
    Block,
    button,
    context,
    header,
    line_sections,
    section,
    within_block_limit,
)
from bot.views.message import Message
from bot.views.mrkdwn import inline
from bot.views.routing import owner_line
from scoring.decay import idle_days
from scoring.evaluate import ActivityRecord, RuleHit
from scoring.rule_set import Decay

SHARE_ACTION = "share_score_card"


def score_card_message(card: ScoreCard, *, decay: Decay, shared_by: str | None = None) -> Message:
    """The card; private copies carry a Share button, shared ones say who shared them."""
    lead, result = card.lead, card.result
    who = lead.name or lead.email
    blocks: list[Block] = [
        header(f"{who} · {lead.company}" if lead.company else who),
        section(_summary(card)),
        *line_sections(
            _base_lines(result.base)
            + ([_hit_line(hit) for hit in result.hits] or ["_No rule matched this lead._"]),
            title="Why",
            max_sections=2,
        ),
        section(f"*Decay*\n{_decay_text(card, decay)}"),
        context(owner_line(card.account)),
        *line_sections(
            [_activity_line(a, card) for a in card.recent] or ["_No activity yet._"],
            title="Recent activity",
            max_sections=1,
        ),
        context(
            fmt.claim_state(card.alert, card.now),
            f"rule set v{card.rule_set_version}",
        ),
    ]
    if shared_by:
        blocks.append(context(f"Shared by {fmt.user(shared_by)}"))
    else:
        share = button("Share in channel", action_id=SHARE_ACTION, value=lead.email)
        blocks.append({"type": "actions", "block_id": "score_card_actions", "elements": [share]})
    text = f"{inline(who, 300)}: score {fmt.score(result.score)} ({result.band})"
    return Message(text=text, blocks=within_block_limit(blocks))


def _summary(card: ScoreCard) -> str:
    lead, result = card.lead, card.result
    facts = [inline(lead.email, 300)]
    facts += [inline(v, 300) for v in (lead.title, lead.region) if v]
    if lead.company_size:
        facts.append(f"{lead.company_size:,} employees")
    return (
        f"*{fmt.score(result.score)}* {fmt.band(result.band)}   "
        + (f"base {fmt.points(result.base)} · " if result.base else "")
        + f"fit {fmt.points(result.fit)} · behaviour {fmt.points(result.behavior)}\n"
        + " · ".join(facts)
    )


def _base_lines(base: float) -> list[str]:
    """The rule set's base points, which every lead starts with, as a line of their own."""
    return [f"• *{fmt.points(base)}* base points _(every lead)_"] if base else []


def _hit_line(hit: RuleHit) -> str:
    kind = "fit" if hit.kind == "fit" else "behaviour"
    count = ""
    if hit.max_count:
        count = f" · {hit.count} of {hit.max_count}"
    elif hit.count > 1:
        count = f" · ×{hit.count}"
    return f"• *{fmt.points(hit.points)}* {inline(hit.name, 300)} _({kind}{count})_"


def _decay_text(card: ScoreCard, decay: Decay) -> str:
    result = card.result
    if result.last_activity_at is None:
        return "No activity yet, so nothing decays."
    if result.behavior_decaying <= 0:
        return "No behaviour points to decay (fit never decays)."
    rate = f"{decay.monthly_rate:.0%} per 30 days"
    if result.decay_factor < 0.9995:
        idle = fmt.span(idle_days(result.last_activity_at, card.now))
        return (
            f"Behaviour ×{result.decay_factor:.2f} so far ({idle} idle); "
            f"it keeps losing {rate} until the next activity."
        )
    starts = card.decay_starts_in_days or 0.0
    if starts > 0:
        return f"Decay starts in {fmt.span(starts)} without activity, then {rate}."
    return f"Decay is starting now: behaviour loses {rate} until the next activity."


def _activity_line(activity: ActivityRecord, card: ScoreCard) -> str:
    where = ""
    if activity.url:
        parts = urlsplit(activity.url)
        where = f" {inline(parts.path or activity.url, 300)}"
    return f"• {inline(activity.kind, 100)}{where} · {fmt.ago(activity.occurred_at, card.now)}"
