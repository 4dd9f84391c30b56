"""Merging what an event says about a lead into the stored profile.

Each field remembers the ``occurred_at`` of the event that set it, so an old
event arriving late never overwrites something newer (last writer by event
time wins, field by field).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from scoring.evaluate import LeadProfile
from scoring.events import Event
from storage.leads import LeadState
from storage.models import Lead


def merge_profile(lead: LeadState, event: Event) -> bool:
    """Apply the event's lead fields that are newer than what is stored; True if any changed."""
    fields = event.lead.profile_fields()
    attributes = event.lead.attributes
    if not fields and not attributes:
        return False  # most events are activities that name the lead by email only
    stamp = event.occurred_at.isoformat()
    if not lead.field_times:
        return _first_profile(lead, fields, attributes, stamp)
    changed = False
    for name, value in fields.items():
        if _newer(lead.field_times.get(name), stamp):
            lead.field_times[name] = stamp
            if getattr(lead, name) != value:
                setattr(lead, name, value)
                changed = True
    for key, value in attributes.items():
        slot = f"attributes.{key}"
        if _newer(lead.field_times.get(slot), stamp):
            lead.field_times[slot] = stamp
            if lead.attributes.get(key) != value:
                lead.attributes[key] = value
                changed = True
    lead.company_key = lead.company.strip().casefold() if lead.company else None
    return changed


def _first_profile(
    lead: LeadState, fields: dict[str, Any], attributes: dict[str, Any], stamp: str
) -> bool:
    """``merge_profile`` for a lead nothing was said about yet (a backfill's new leads).

    With no field time stored every field is newer, so the comparisons are
    skipped; what is set, and the times recorded, are the same.
    """
    times = lead.field_times
    changed = False
    for name, value in fields.items():
        times[name] = stamp
        if getattr(lead, name) != value:
            setattr(lead, name, value)
            changed = True
    stored = lead.attributes
    for key, value in attributes.items():
        times[f"attributes.{key}"] = stamp
        if stored.get(key) != value:
            stored[key] = value
            changed = True
    lead.company_key = lead.company.strip().casefold() if lead.company else None
    return changed


def _newer(stored: str | None, incoming: str) -> bool:
    if stored is None:
        return True
    if len(stored) == len(incoming) and stored.endswith("+00:00") and incoming.endswith("+00:00"):
        # Both written by isoformat() of a UTC time in the same shape: the
        # text orders like the instant (a fast path; most updates take it).
        return stored <= incoming
    return datetime.fromisoformat(stored) <= datetime.fromisoformat(incoming)


def profile_of(lead: LeadState | Lead) -> LeadProfile:
    """The scoring view of a lead, from a working copy or a stored row."""
    return LeadProfile(
        email=lead.email,
        name=lead.name,
        title=lead.title,
        company=lead.company,
        company_size=lead.company_size,
        industry=lead.industry,
        country=lead.country,
        region=lead.region,
        attributes=dict(lead.attributes or {}),
    )
