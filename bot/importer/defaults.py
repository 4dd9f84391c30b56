"""The mapping used without ``--mapping``: columns named after the contract's event fields.

``id, type, occurred_at, email`` are required; ``name, title, company,
company_size, industry, country, region, activity_kind, activity_url,
deal_stage, deal_amount`` and any ``attributes.<key>`` columns are optional.
One event per row, so such a file can mix leads, activities and outcomes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.importer.mapping import Mapping, MappingError, mapping_from_data

REQUIRED = ("id", "type", "occurred_at", "email")
LEAD_COLUMNS = ("name", "title", "company", "industry", "country", "region")
TYPED = {"company_size": "int", "deal_amount": "float"}
OPTIONAL = (
    *LEAD_COLUMNS,
    "company_size",
    "activity_kind",
    "activity_url",
    "deal_stage",
    "deal_amount",
)


def default_mapping(header: Sequence[str]) -> Mapping:
    """The flat-column mapping for this header; raises MappingError if a required column lacks."""
    columns = [name.strip() for name in header]
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        raise MappingError(
            [
                f"the CSV has no column {', '.join(repr(m) for m in missing)}; without --mapping "
                f"the columns are named {', '.join(REQUIRED + OPTIONAL)} and attributes.<key> "
                "(or pass --mapping MAP.yml, see docs/import-mapping.md)"
            ]
        )
    lead: dict[str, Any] = {"email": {"column": "email"}}
    for name in (*LEAD_COLUMNS, "company_size"):
        if name in columns:
            lead[name] = _column(name)
    attributes = {
        name.removeprefix("attributes."): {"column": name}
        for name in columns
        if name.startswith("attributes.") and len(name) > len("attributes.")
    }
    if attributes:
        lead["attributes"] = attributes
    event: dict[str, Any] = {
        "id": {"column": "id"},
        "type": {"column": "type"},
        "occurred_at": {"column": "occurred_at"},
        "lead": lead,
    }
    activity = _section(columns, {"kind": "activity_kind", "url": "activity_url"})
    deal = _section(columns, {"stage": "deal_stage", "amount": "deal_amount"})
    if activity:
        event["activity"] = activity
    if deal:
        event["deal"] = deal
    return mapping_from_data({"events": [event]})


def _column(name: str) -> dict[str, Any]:
    spec: dict[str, Any] = {"column": name}
    if name in TYPED:
        spec["type"] = TYPED[name]
    return spec


def _section(columns: list[str], fields: dict[str, str]) -> dict[str, Any]:
    return {key: _column(column) for key, column in fields.items() if column in columns}
