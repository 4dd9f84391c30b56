"""Calling into packages that may not be installed yet (alerts, digest), lazily.

A job whose collaborator cannot be imported is skipped with one warning per
process rather than one per minute, and the rest of the scheduler keeps going.
"""

from __future__ import annotations

import importlib
import logging
import threading
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

_warned: set[str] = set()
_lock = threading.Lock()


def optional_function(module: str, name: str) -> Callable[..., Any] | None:
    """``module.name`` if it can be imported, else None (logged once)."""
    try:
        return getattr(importlib.import_module(module), name)  # type: ignore[no-any-return]
    except (ImportError, AttributeError) as exc:
        key = f"{module}.{name}"
        with _lock:
            first = key not in _warned
            _warned.add(key)
        if first:
            log.warning("%s is not available (%s): that job is skipped", key, exc)
        return None
