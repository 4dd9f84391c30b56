"""A Slack message as views build it: fallback text plus blocks."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Message:
    """``text`` is what notifications and screen readers show; always set it."""

    text: str
    blocks: list[dict[str, Any]] = field(default_factory=list)
