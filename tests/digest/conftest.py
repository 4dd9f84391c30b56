"""Shared helpers for digest tests: what a user reads in a message."""

from __future__ import annotations

from typing import Any

from bot.slack_emulator.blocks import MAX_MESSAGE_BLOCKS, block_errors
from tests.support.blocks import blocks_text


def texts(blocks: list[dict[str, Any]]) -> str:
    """Every text in the blocks, joined: what the reader sees."""
    return blocks_text(blocks)


def buttons(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        element for block in blocks if block["type"] == "actions" for element in block["elements"]
    ]


def assert_within_limits(blocks: list[dict[str, Any]]) -> None:
    """Nothing Slack would refuse: block count, text lengths, labels."""
    assert block_errors(blocks, max_blocks=MAX_MESSAGE_BLOCKS) == []
