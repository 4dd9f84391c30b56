"""Nothing matched: say so, and offer the closest names instead of a dead end."""

from __future__ import annotations

from collections.abc import Sequence

from bot.views.limits import context, section
from bot.views.message import Message
from bot.views.mrkdwn import inline


def not_found_message(
    query: str,
    *,
    kind: str,
    suggestions: Sequence[str] = (),
    companies: Sequence[str] = (),
) -> Message:
    """``kind`` is "lead" or "company"; suggestions are ready-to-type queries."""
    shown = inline(query, 100)
    what = "No lead with the email" if kind == "lead" else "No company or lead matches"
    lines = [f"{what} *{shown}*."]
    tries = [*suggestions, *companies]
    if tries:
        lines.append("Did you mean:")
        lines += [f"• `/leadscore {inline(name, 200)}`" for name in tries[:8]]
    text = "\n".join(lines)
    blocks = [
        section(text),
        context("`/leadscore help` lists everything I can answer."),
    ]
    return Message(text=f"{what} {shown}.", blocks=blocks)
