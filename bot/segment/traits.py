"""The Spec's reserved traits as lead fields; every other trait kept as an attribute.

``region`` (not a reserved trait) also sets the lead's region, the field
routing rules name.

Attributes must be flat (``scoring.event_rules``), so nested traits become
dotted keys (``address.city``) a rule can name as ``attributes.address.city``,
and lists are kept as their JSON text.
"""

from __future__ import annotations

import json
from typing import Any

_IDENTIFY_FIELDS = {
    "title": "title",
    "region": "region",
    "company.name": "company",
    "company.employee_count": "company_size",
    "company.industry": "industry",
    "address.country": "country",
}
_GROUP_FIELDS = {"name": "company", "employees": "company_size", "industry": "industry"}
_NAME_PARTS = ("name", "firstName", "lastName", "first_name", "last_name", "email")


def flatten(traits: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested objects as dotted keys; lists as JSON text; None (not said) left out."""
    flat: dict[str, Any] = {}
    for key, value in traits.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(flatten(value, name + "."))
        elif isinstance(value, list):
            flat[name] = json.dumps(value, ensure_ascii=False, default=str)
        elif value is not None:
            flat[name] = value
    return flat


def lead_fields(traits: dict[str, Any]) -> dict[str, Any]:
    """The lead fields an ``identify`` sets (email excepted: the caller resolves it)."""
    flat = flatten(traits)
    if isinstance(traits.get("company"), str):
        flat["company.name"] = flat.pop("company")
    lead: dict[str, Any] = {}
    name = _full_name(flat)
    if name:
        lead["name"] = name
    for part in _NAME_PARTS:
        flat.pop(part, None)
    _take(flat, _IDENTIFY_FIELDS, lead)
    if flat:
        lead["attributes"] = flat
    return lead


def account_fields(group_id: str, traits: dict[str, Any]) -> dict[str, Any]:
    """What a ``group`` says: the account id, and the company the group's traits describe."""
    flat = flatten(traits)
    lead: dict[str, Any] = {}
    _take(flat, _GROUP_FIELDS, lead)
    attributes = {f"account.{key}": value for key, value in flat.items()}
    lead["account"] = group_id
    if attributes:
        lead["attributes"] = attributes
    return lead


def _full_name(flat: dict[str, Any]) -> str | None:
    name = flat.get("name")
    if isinstance(name, str) and name.strip():
        return name
    first = flat.get("firstName", flat.get("first_name"))
    last = flat.get("lastName", flat.get("last_name"))
    parts = [str(part).strip() for part in (first, last) if part is not None and str(part).strip()]
    return " ".join(parts) or None


def _take(flat: dict[str, Any], fields: dict[str, str], lead: dict[str, Any]) -> None:
    """Move the mapped traits into lead fields; a size that is not a whole number stays a trait."""
    for trait, field in fields.items():
        if trait not in flat:
            continue
        value = flat[trait]
        if field == "company_size":
            value = _whole_number(value)
            if value is None:
                continue
        elif not isinstance(value, str):
            value = str(value)
        lead[field] = value
        del flat[trait]


def _whole_number(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None
