"""Block Kit shown in a terminal, so the demo reads like the Slack channel would."""

from __future__ import annotations

import re
from typing import Any

from rich.console import Group, RenderableType
from rich.markup import escape
from rich.panel import Panel
from rich.rule import Rule
from rich.text import Text

_LINK = re.compile(r"<((?:https?://|mailto:)[^|>]+)\|([^>]+)>")
_MENTION = re.compile(r"<@([A-Z0-9]+)>")
_SPECIAL = re.compile(r"<!(here|channel|everyone)>")
_BOLD = re.compile(r"(?<![\w*])\*(?!\s)([^*\n]+?)\*(?![\w*])")
_ITALIC = re.compile(r"(?<![\w_])_(?!\s)([^_\n]+?)_(?![\w_])")


def mrkdwn(text: str) -> str:
    """Slack mrkdwn to rich markup (bold, italics, links, mentions)."""
    out = escape(text)
    out = _LINK.sub(r"\2", out)
    out = _MENTION.sub(r"[cyan]@\1[/]", out)
    out = _SPECIAL.sub(r"[cyan]@\1[/]", out)
    out = _BOLD.sub(r"[bold]\1[/bold]", out)
    return _ITALIC.sub(r"[italic]\1[/italic]", out)


def _text(obj: dict[str, Any] | None) -> str:
    if not obj:
        return ""
    return mrkdwn(obj.get("text", "")) if obj.get("type") == "mrkdwn" else escape(obj["text"])


def _block(block: dict[str, Any]) -> RenderableType | None:
    kind = block.get("type")
    if kind == "header":
        return Text.from_markup(f"[bold underline]{_text(block.get('text'))}[/]")
    if kind == "divider":
        return Rule(style="dim")
    if kind == "section":
        parts = [_text(block.get("text"))] if block.get("text") else []
        parts += [_text(field) for field in block.get("fields", [])]
        return Text.from_markup("\n".join(p for p in parts if p))
    if kind == "context":
        bits = [_text(e) if e.get("type") != "image" else "🖼" for e in block.get("elements", [])]
        return Text.from_markup("[dim]" + "  ·  ".join(bits) + "[/dim]")
    if kind == "actions":
        labels = [
            f"[reverse] {escape(e.get('text', {}).get('text', e.get('action_id', '?')))} [/reverse]"
            for e in block.get("elements", [])
        ]
        return Text.from_markup("  ".join(labels))
    if kind == "image":
        return Text(f"[image: {block.get('alt_text', '')}]", style="dim")
    return None


def message_panel(message: dict[str, Any], *, title: str, style: str = "green") -> Panel:
    """One Slack message as a bordered panel; the plain ``text`` when it has no blocks."""
    blocks = message.get("blocks") or []
    rendered = [r for r in (_block(b) for b in blocks) if r is not None]
    rendered += [
        Text(f"📎 {f.get('title') or f.get('name') or f.get('id')}", style="bold")
        for f in message.get("files") or []
    ]
    body: RenderableType = Group(*rendered) if rendered else Text(message.get("text", ""))
    return Panel(body, title=title, title_align="left", border_style=style, expand=False)
