"""Ranked lists of leads: ``/leadscore top`` and a company's leads.

One line per lead, packed into as few sections as fit, so even a company of
thousands of leads stays one readable message ending in "and N more".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from bot.views import format as fmt
from bot.views.limits import Block, context, header, line_sections, within_block_limit
from bot.views.message import Message
from bot.views.mrkdwn import inline
from storage.models import Alert, Lead


def ranking_message(
    leads: Sequence[Lead],
    *,
    alerts: Mapping[int, Alert],
    title: str,
    now: datetime,
    note: str | None = None,
    empty: str = "No leads to show.",
) -> Message:
    """``/leadscore top``: rank, score, who, company, last activity age, claim state."""
    lines = [
        f"{rank}. " + _line(lead, alerts.get(lead.id or 0), now, company=True)
        for rank, lead in enumerate(leads, start=1)
    ]
    blocks: list[Block] = [header(title)]
    if note:
        blocks.append(context(note))
    blocks += line_sections(lines or [f"_{empty}_"], max_sections=10)
    blocks.append(context("Type `/leadscore <email>` for a lead's score card."))
    text = f"{inline(title, 200)}: {len(leads)} leads"
    return Message(text=text, blocks=within_block_limit(blocks))


def company_message(
    company: str,
    leads: Sequence[Lead],
    *,
    total: int,
    alerts: Mapping[int, Alert],
    now: datetime,
) -> Message:
    """A company's leads, best first; ``total`` counts those not loaded ("and N more")."""
    shown_name = leads[0].company if leads and leads[0].company else company
    lines = [
        f"{rank}. " + _line(lead, alerts.get(lead.id or 0), now, company=False)
        for rank, lead in enumerate(leads, start=1)
    ]
    blocks: list[Block] = [
        header(f"{shown_name}: {total:,} leads"),
        *line_sections(lines, hidden=max(0, total - len(leads)), max_sections=10),
        context("Type `/leadscore <email>` for a lead's score card."),
    ]
    return Message(
        text=f"{inline(shown_name, 200)}: {total} leads, "
        f"best score {fmt.score(leads[0].score) if leads else 0}",
        blocks=within_block_limit(blocks),
    )


def _line(lead: Lead, alert: Alert | None, now: datetime, *, company: bool) -> str:
    who = inline(lead.name, 200) or inline(lead.email, 200)
    parts = [f"*{fmt.score(lead.score)}* {fmt.band(lead.band)}  *{who}*"]
    if lead.title:
        parts.append(inline(lead.title, 200))
    if company and lead.company:
        parts.append(inline(lead.company, 200))
    if lead.name:
        parts.append(inline(lead.email, 200))
    parts.append(f"active {fmt.ago(lead.last_activity_at, now)}")
    parts.append(fmt.claim_short(alert))
    return " · ".join(parts)
