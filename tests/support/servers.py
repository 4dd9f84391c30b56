"""A real uvicorn server in a thread, as httpx's own tests do (shared with the demo)."""

from __future__ import annotations

from bot.demo.serving import free_port
from bot.demo.serving import serving as running

__all__ = ["free_port", "running"]
