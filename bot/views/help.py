"""``/leadscore help``: what can be asked, with examples; managers also see status."""

from __future__ import annotations

from collections.abc import Sequence

from bot.views.limits import Block, context, line_sections, section
from bot.views.message import Message
from bot.views.mrkdwn import inline

EXAMPLES = (
    ("`/leadscore ana@acme.io`", "a lead's score card: every rule, decay, who owns it"),
    ("`/leadscore Acme`", "a company's leads, best first"),
    ("`/leadscore top`", "the 10 best leads right now"),
    ("`/leadscore top 25 hot`", "the ranking, up to 50, only hot (or `warm`, `all`)"),
    ("`/leadscore rules`", "the active rule set, its version and points"),
    ("`/leadscore calibrate 90`", "managers: does the score still predict wins? (7–365 days)"),
    ("`/leadscore account acme.io`", "an account's leads and its owner"),
    ("`/leadscore away until 2026-12-24`", "no leads routed to you until then (or just `away`)"),
    ("`/leadscore back`", "leads are routed to you again"),
    ("`/leadscore help`", "this message"),
)


def help_message(*, problem: str | None = None, status: Sequence[str] | None = None) -> Message:
    """The examples; ``problem`` first if the input was not understood, then manager status."""
    blocks: list[Block] = []
    if problem:
        blocks.append(section(f":thinking_face: {inline(problem, 1000)} Here is what I can do:"))
    lines = [f"{example} — {what}" for example, what in EXAMPLES]
    blocks.append(section("*Lead scores in Slack*\n" + "\n".join(lines)))
    blocks.append(context("Answers are only visible to you; a score card can be shared."))
    if status is not None:
        blocks += line_sections(list(status) or ["_all quiet_"], title="Status", max_sections=2)
    text = (inline(problem, 1000) + " " if problem else "") + (
        "Try /leadscore ana@acme.io, Acme, top, rules."
    )
    return Message(text=text, blocks=blocks)
