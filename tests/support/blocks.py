"""Reading Block Kit the way a person does: every text, in order."""

from __future__ import annotations

from typing import Any


def blocks_text(blocks: list[dict[str, Any]]) -> str:
    """Every text in the blocks, joined: what the reader sees."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("text"), str):
                found.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(blocks)
    return "\n".join(found)
