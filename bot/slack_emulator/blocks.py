"""Block Kit limits that Slack enforces, so view functions that overflow fail in tests.

Only the limits our product can plausibly hit are checked; the messages copy
Slack's ``response_metadata.messages`` format, json-pointer included.
"""

from __future__ import annotations

from typing import Any

MAX_MESSAGE_BLOCKS = 50
MAX_SURFACE_BLOCKS = 100
_TEXT_LIMITS = {"section": 3000, "header": 150}
_ELEMENT_LIMITS = {"actions": 25, "context": 10}
_MAX_FIELDS = 10
_MAX_FIELD_TEXT = 2000
_MAX_BUTTON_TEXT = 75
_MAX_BUTTON_VALUE = 2000
_MAX_ID = 255


def block_errors(blocks: Any, *, max_blocks: int, pointer: str = "/blocks") -> list[str]:
    """Slack-style ``[ERROR] ...`` lines for every broken limit; empty when valid."""
    if not isinstance(blocks, list):
        return [f"[ERROR] must provide an array [json-pointer:{pointer}]"]
    errors: list[str] = []
    if len(blocks) > max_blocks:
        errors.append(f"[ERROR] no more than {max_blocks} items allowed [json-pointer:{pointer}]")
    for index, block in enumerate(blocks):
        errors.extend(_block_errors(block, f"{pointer}/{index}"))
    return errors


def _block_errors(block: Any, at: str) -> list[str]:
    if not isinstance(block, dict) or not isinstance(block.get("type"), str):
        return [f"[ERROR] missing required field: type [json-pointer:{at}]"]
    kind = block["type"]
    errors = _too_long(block.get("block_id"), _MAX_ID, f"{at}/block_id")
    if kind in _TEXT_LIMITS:
        text = block.get("text")
        errors += _too_long(_text_of(text), _TEXT_LIMITS[kind], f"{at}/text/text")
        if kind == "section" and text is None and not block.get("fields"):
            errors.append(f"[ERROR] must provide either text or fields [json-pointer:{at}]")
    fields = block.get("fields") or []
    if len(fields) > _MAX_FIELDS:
        errors.append(
            f"[ERROR] no more than {_MAX_FIELDS} items allowed [json-pointer:{at}/fields]"
        )
    for index, field in enumerate(fields):
        errors += _too_long(_text_of(field), _MAX_FIELD_TEXT, f"{at}/fields/{index}/text")
    elements = block.get("elements") or []
    limit = _ELEMENT_LIMITS.get(kind)
    if limit is not None and len(elements) > limit:
        errors.append(f"[ERROR] no more than {limit} items allowed [json-pointer:{at}/elements]")
    if kind == "actions":
        for index, element in enumerate(elements):
            errors += _element_errors(element, f"{at}/elements/{index}")
    if isinstance(block.get("accessory"), dict):
        errors += _element_errors(block["accessory"], f"{at}/accessory")
    return errors


def _element_errors(element: Any, at: str) -> list[str]:
    if not isinstance(element, dict):
        return [f"[ERROR] must be an object [json-pointer:{at}]"]
    errors = _too_long(element.get("action_id"), _MAX_ID, f"{at}/action_id")
    if element.get("type") == "button":
        errors += _too_long(_text_of(element.get("text")), _MAX_BUTTON_TEXT, f"{at}/text/text")
        errors += _too_long(element.get("value"), _MAX_BUTTON_VALUE, f"{at}/value")
    return errors


def _text_of(obj: Any) -> str | None:
    if isinstance(obj, dict) and isinstance(obj.get("text"), str):
        return obj["text"]
    return None


def _too_long(value: Any, limit: int, at: str) -> list[str]:
    if isinstance(value, str) and len(value) > limit:
        return [f"[ERROR] must be less than {limit + 1} characters [json-pointer:{at}]"]
    return []
