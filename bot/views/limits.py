"""Slack's Block Kit limits, and builders that never break them.

Slack refuses a whole message when one limit is broken, so every block our
views emit goes through these builders: texts are clipped, long lists are
packed into as few sections as fit and end with "and N more".
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

# Clipped and kept to one line the one way ``bot.views.mrkdwn`` defines.
from bot.views.mrkdwn import clip, plain

MAX_MESSAGE_BLOCKS = 50
MAX_HOME_BLOCKS = 100
MAX_SECTION_TEXT = 3000
MAX_HEADER_TEXT = 150
MAX_FIELD_TEXT = 2000
MAX_FIELDS = 10
MAX_BUTTON_TEXT = 75
MAX_BUTTON_VALUE = 2000
MAX_CONTEXT_ELEMENTS = 10
MAX_CONTEXT_TEXT = 2000

Block = dict[str, Any]


def more(count: int) -> str:
    return f"_…and {count} more_"


def header(text: str) -> Block:
    return {"type": "header", "text": {"type": "plain_text", "text": plain(text, MAX_HEADER_TEXT)}}


def section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": clip(text, MAX_SECTION_TEXT)}}


def fields(texts: Sequence[str]) -> Block:
    """A two-column section; at most 10 fields, each clipped."""
    shown = [clip(t, MAX_FIELD_TEXT) for t in texts[:MAX_FIELDS]]
    return {"type": "section", "fields": [{"type": "mrkdwn", "text": t} for t in shown]}


def context(*texts: str) -> Block:
    elements = [
        {"type": "mrkdwn", "text": clip(t, MAX_CONTEXT_TEXT)}
        for t in texts[:MAX_CONTEXT_ELEMENTS]
        if t
    ]
    return {"type": "context", "elements": elements}


def divider() -> Block:
    return {"type": "divider"}


def button(text: str, *, action_id: str, value: str, style: str | None = None) -> Block:
    element: Block = {
        "type": "button",
        "text": {"type": "plain_text", "text": plain(text, MAX_BUTTON_TEXT)},
        "action_id": action_id,
        "value": value[:MAX_BUTTON_VALUE],
    }
    if style:
        element["style"] = style
    return element


def line_sections(
    lines: Sequence[str],
    *,
    title: str | None = None,
    hidden: int = 0,
    max_sections: int = 5,
    limit: int = MAX_SECTION_TEXT,
) -> list[Block]:
    """``lines`` packed into at most ``max_sections`` sections of ``limit`` characters.

    Lines that do not fit, plus ``hidden`` ones the caller never loaded, are
    summarised by a final "and N more" line, which always fits.
    """
    reserve = len(more(10**9)) + 1
    chunks: list[list[str]] = []
    current: list[str] = [f"*{title}*"] if title else []
    size = len(current[0]) if current else 0
    shown = 0
    for line in lines:
        line = clip(line, limit - reserve - 1)
        last_chunk = len(chunks) == max_sections - 1
        budget = limit - (reserve if last_chunk else 0)
        if current and size + 1 + len(line) > budget:
            if last_chunk:
                break
            chunks.append(current)
            current, size = [], 0
        current.append(line)
        size += len(line) + (1 if size else 0)
        shown += 1
    omitted = len(lines) - shown + hidden
    if omitted:
        note = more(omitted)
        if current and size + 1 + len(note) > limit:
            chunks.append(current)
            current = []
        current.append(note)
    if current:
        chunks.append(current)
    return [section("\n".join(chunk)) for chunk in chunks]


def within_block_limit(blocks: list[Block], *, max_blocks: int = MAX_MESSAGE_BLOCKS) -> list[Block]:
    """The blocks, cut to ``max_blocks`` with a closing note if there were too many."""
    if len(blocks) <= max_blocks:
        return blocks
    kept = blocks[: max_blocks - 1]
    return [*kept, context(more(len(blocks) - len(kept)))]
