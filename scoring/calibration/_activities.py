"""Behaviour rules proposed from the activity counts in entry snapshots.

Per activity kind: "did it" (``max_count: 1``) and "did it up to N times"
(N the 75th percentile among those who did); per URL path (``url_contains``);
and per frequent property value (``properties``), each counted as the rule
engine would count it at entry.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

import numpy as np

from scoring.calibration._candidate import MAX_VALUES_PER_FIELD, Candidate
from scoring.calibration._deals import BoolArray, ClosedDeal, FloatArray
from scoring.rule_set import ActivityCondition, BehaviorRule


def _behavior(name: str, when: dict[str, Any], max_count: int, counts: FloatArray) -> Candidate:
    rule = BehaviorRule(
        name=name, when=ActivityCondition.model_validate(when), points=1, max_count=max_count
    )
    return Candidate("behavior", rule, np.minimum(counts, max_count))


def _kind_label(kind: str) -> str:
    text = kind.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def activity_candidates(
    deals: Sequence[ClosedDeal], training: BoolArray, supported: Any
) -> list[Candidate]:
    n = len(deals)
    activity = [(d.snapshot or {}).get("activity") or {} for d in deals]
    kinds = sorted({kind for counts in activity for kind in counts})
    found: list[Candidate] = []
    for kind in kinds:
        entries = [counts.get(kind) for counts in activity]
        total = np.array([e["n"] if e else 0 for e in entries], dtype=np.float64)
        label = _kind_label(kind)
        if supported(total > 0):
            found.append(_behavior(label, {"kind": kind}, 1, total))
            positive = total[training & (total > 0)]
            cap = min(int(np.quantile(positive, 0.75)), 20) if positive.size else 1
            if cap > 1:
                found.append(_behavior(f"{label}, up to {cap} times", {"kind": kind}, cap, total))
        found += _url_candidates(kind, label, entries, n, training, supported)
        found += _property_candidates(kind, label, entries, n, supported)
    return found


def _column(n: int, counts: dict[int, int]) -> FloatArray:
    column = np.zeros(n)
    column[np.fromiter(counts, dtype=np.intp, count=len(counts))] = list(counts.values())
    return column


def _url_candidates(
    kind: str, label: str, entries: list[Any], n: int, training: BoolArray, supported: Any
) -> list[Candidate]:
    """``url_contains`` on the URL paths most training deals visited (counted once each)."""
    by_url: dict[str, dict[int, int]] = {}
    for i, entry in enumerate(entries):
        for url, count in (entry or {}).get("urls", {}).items():
            by_url.setdefault(url, {})[i] = count
    reach: dict[str, set[int]] = {}
    for url, deals in by_url.items():
        path = urlsplit(url).path.casefold()
        if path and path != "/":
            reach.setdefault(path, set()).update(i for i in deals if training[i])
    fragments = sorted(reach, key=lambda path: (-len(reach[path]), path))[:MAX_VALUES_PER_FIELD]
    found = []
    for fragment in fragments:
        counts: dict[int, int] = {}
        for url, deals in by_url.items():
            if fragment in url.casefold():
                for i, count in deals.items():
                    counts[i] = counts.get(i, 0) + count
        column = _column(n, counts)
        if supported(column > 0):
            when = {"kind": kind, "url_contains": fragment}
            found.append(_behavior(f"{label} on {fragment}", when, 1, column))
    return found


def _property_candidates(
    kind: str, label: str, entries: list[Any], n: int, supported: Any
) -> list[Candidate]:
    """``properties`` equal to the values most deals' activities of this kind carried."""
    by_value: dict[tuple[str, str], dict[int, int]] = {}
    for i, entry in enumerate(entries):
        for key, values in (entry or {}).get("properties", {}).items():
            for value, count in values.items():
                by_value.setdefault((key, value), {})[i] = count
    frequent = sorted(by_value, key=lambda pair: (-len(by_value[pair]), pair))
    found = []
    for key, value in frequent[: 2 * MAX_VALUES_PER_FIELD]:
        column = _column(n, by_value[(key, value)])
        if supported(column > 0):
            wanted = json.loads(value)
            when = {"kind": kind, "properties": {key: wanted}}
            name = f"{label} with {key.replace('_', ' ')} {wanted}"
            found.append(_behavior(name, when, 1, column))
    return found
