"""What every Web API method handler shares: its signature and how it fails.

A handler takes the workspace and decoded params and returns the answer
without ``"ok"``; raising ``MethodError`` turns into ``{"ok": false, ...}``
with HTTP 200, which is how Slack reports almost every error.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.slack_emulator.blocks import block_errors
from bot.slack_emulator.workspace import Workspace

Params = dict[str, Any]
Answer = dict[str, Any]
Method = Callable[[Workspace, Params], Answer]


class MethodError(Exception):
    """A Slack error answer, e.g. ``MethodError("channel_not_found")``."""

    def __init__(self, error: str, **extra: Any) -> None:
        super().__init__(error)
        self.payload: Answer = {"ok": False, "error": error, **extra}


def require(params: Params, name: str, *, error: str = "invalid_arguments") -> str:
    """A required string argument, or the error Slack gives when it is missing."""
    value = params.get(name)
    if value in (None, ""):
        raise MethodError(error, response_metadata={"messages": [f"[ERROR] missing '{name}'"]})
    return str(value)


def truthy(value: Any) -> bool:
    """Slack booleans arrive as ``true``/``1`` strings in forms and as JSON booleans."""
    return value is True or str(value).lower() in {"1", "true"}


def check_blocks(blocks: Any, *, max_blocks: int) -> None:
    if blocks is None:
        return
    if isinstance(blocks, str):
        raise MethodError("invalid_blocks_format")
    errors = block_errors(blocks, max_blocks=max_blocks)
    if errors:
        raise MethodError("invalid_blocks", response_metadata={"messages": errors})


def int_param(params: Params, name: str, default: int) -> int:
    try:
        return int(params.get(name) or default)
    except (TypeError, ValueError) as error:
        raise MethodError("invalid_arguments") from error
