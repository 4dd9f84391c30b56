"""What a lead looked like when it entered the pipeline: the raw material for new rules.

Calibration can only propose a rule ("Occupation is Working Professional",
"Pricing page visit") if it can tell, for past deals, whether that rule would
have fired at entry. The entry therefore keeps the lead's profile and a
compact count of its activities up to that moment: per kind, how many, and
how many per URL and per property value (the most frequent few of each, so a
lead with thousands of events still stores a small document).

It lives outside ``scoring.calibration`` so the ingest path and ``leadscore
score`` never load the statistics (numpy) just to take a snapshot.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any, Protocol

from scoring.evaluate import ActivityRecord

PROFILE_FIELDS = ("title", "company", "company_size", "industry", "country", "region")
"""Lead columns kept (email and name identify a lead; they say nothing about buying)."""

MAX_VALUES = 20
"""Most URLs, and most values per property, kept per activity kind."""

Snapshot = dict[str, Any]


class ProfileLike(Protocol):
    """A ``LeadProfile``, or any object with its fields (the ingest path's working copy)."""

    @property
    def attributes(self) -> Mapping[str, Any]: ...


def _scalar(value: Any) -> bool:
    return isinstance(value, _SCALARS)  # None is none of them


_SCALARS = (str, int, float, bool)


def entry_snapshot(profile: ProfileLike, activities: Iterable[ActivityRecord]) -> Snapshot:
    """``{"lead": {field: value, "attributes": {...}}, "activity": {kind: counts}}``."""
    lead: dict[str, Any] = {
        name: getattr(profile, name)
        for name in PROFILE_FIELDS
        if getattr(profile, name) is not None
    }
    attributes = {
        key: value for key, value in profile.attributes.items() if isinstance(value, _SCALARS)
    }  # ``_scalar`` inline: every entry of a backfill takes this line
    if attributes:
        lead["attributes"] = attributes
    kinds: dict[str, Counter[str]] = {}
    urls: dict[str, Counter[str]] = {}
    properties: dict[str, dict[str, Counter[str]]] = {}
    for activity in activities:
        kind = activity.kind.strip().casefold()
        kinds.setdefault(kind, Counter())["n"] += 1
        if activity.url:
            urls.setdefault(kind, Counter())[activity.url] += 1
        for key, value in activity.properties.items():
            if _scalar(value):
                values = properties.setdefault(kind, {}).setdefault(key, Counter())
                values[json.dumps(value, ensure_ascii=False)] += 1
    activity_counts: dict[str, Any] = {}
    for kind, count in kinds.items():
        entry: dict[str, Any] = {"n": count["n"]}
        if kind in urls:
            entry["urls"] = dict(urls[kind].most_common(MAX_VALUES))
        if kind in properties:
            entry["properties"] = {
                key: dict(values.most_common(MAX_VALUES))
                for key, values in properties[kind].items()
            }
        activity_counts[kind] = entry
    return {"lead": lead, "activity": activity_counts}


def snapshot_profile(snapshot: Mapping[str, Any]) -> dict[str, Any]:
    """The snapshot's lead as ``field -> value`` with ``attributes.<key>`` spelled out."""
    lead = snapshot.get("lead") or {}
    flat = {name: value for name, value in lead.items() if name != "attributes"}
    for key, value in (lead.get("attributes") or {}).items():
        flat[f"attributes.{key}"] = value
    return flat
