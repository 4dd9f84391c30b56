"""Candidate rules in the rule file's own language, proposed from what leads looked like at entry.

Each candidate is a real ``FitRule`` or ``BehaviorRule`` (with 1 point) and
how many times it would have counted for each deal at entry, computed with
the same semantics as the rule engine (text compared trimmed and
case-folded, ``between`` on numbers, ``url_contains`` as a case-folded
substring). Only conditions that, on the training deals, both hold and fail
at least ``min_samples`` times are proposed: a rule that fired for a handful
of deals cannot be told apart from chance.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from scoring.calibration._activities import activity_candidates
from scoring.calibration._candidate import (
    CUT_SHARES,
    MAX_CANDIDATES,
    MAX_GROUP,
    MAX_VALUES_PER_FIELD,
    MIN_GROUP_VALUE,
    NO_LIMIT,
    Candidate,
)
from scoring.calibration._deals import BoolArray, ClosedDeal, FloatArray
from scoring.rule_set import FieldCondition, FitRule


def _label(field: str) -> str:
    text = field.removeprefix("attributes.").replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def _number_text(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}".rstrip("0")


def _fit(name: str, when: dict[str, Any], units: BoolArray) -> Candidate:
    rule = FitRule(name=name, when=FieldCondition.model_validate(when), points=1)
    return Candidate("fit", rule, units.astype(np.float64))


def _read_column(values: list[Any]) -> tuple[BoolArray, FloatArray, list[str], dict[str, Any]]:
    """Per deal: present or not, the number (NaN if none), the text key; key -> first value.

    One pass with the rule engine's meanings: blank text is absent, text
    compares trimmed and case-folded, booleans as text, numbers as numbers.
    """
    n = len(values)
    present = np.zeros(n, dtype=np.bool_)
    numbers = np.full(n, np.nan)
    keys = [""] * n
    first: dict[str, Any] = {}
    for i, value in enumerate(values):
        kind = type(value)
        if kind is str or (kind is not bool and isinstance(value, str)):
            text = value.strip()
            if not text:
                continue
            key = text.casefold()
        elif kind is bool:
            key = "true" if value else "false"
        elif kind is int or kind is float:
            present[i] = True
            if math.isfinite(value):
                numbers[i] = value
            continue
        else:
            continue
        present[i] = True
        keys[i] = key
        if key not in first:
            first[key] = value
    return present, numbers, keys, first


def _plain_list(values: list[str]) -> str:
    return ", ".join(values[:-1]) + f" or {values[-1]}" if len(values) > 1 else values[0]


def _groups(
    field: str,
    label: str,
    keys: Any,
    first: dict[str, Any],
    won: BoolArray,
    ranking: BoolArray,
    supported: Any,
) -> list[Candidate]:
    """``in`` over the values that convert best (or worst) on the ``ranking`` deals.

    ``ranking`` is the part of the training deals the selection fits on, so
    the part that validates it never saw which values were grouped. Values
    ranked by conversion there, the top 2, 3, … and the bottom 2,
    3, … (up to ``MAX_GROUP``) as one rule each: a field with many values
    (months, sources) then needs one rule, not one per value.
    """
    frequent = [
        key
        for key, count in zip(*np.unique(keys[ranking], return_counts=True), strict=True)
        if key in first and count >= MIN_GROUP_VALUE
    ]
    if len(frequent) < 3:
        return []
    train_keys, train_won = keys[ranking], won[ranking]
    rates = {key: float(train_won[train_keys == key].mean()) for key in frequent}
    ranked = sorted(frequent, key=lambda key: (-rates[key], key))
    found = []
    for order in (ranked, ranked[::-1]):
        for size in range(2, min(MAX_GROUP, len(ranked) - 1) + 1):
            chosen = order[:size]
            column = np.isin(keys, chosen)
            if not supported(column):
                continue
            values = [first[key] for key in chosen]
            texts = [str(value).strip() for value in values]
            name = f"{label} is {_plain_list(texts)}"
            found.append(_fit(name, {"field": field, "in": values}, column))
    return found


def _field_candidates(
    field: str,
    values: list[Any],
    training: BoolArray,
    won: BoolArray,
    ranking: BoolArray,
    supported: Any,
) -> list[Candidate]:
    label = _label(field)
    present, numbers, keys, first = _read_column(values)
    found: list[Candidate] = []
    share = float(present[training].mean()) if training.any() else 0.0
    if 0.05 <= share <= 0.95 and supported(present):
        found.append(_fit(f"{label} given", {"field": field, "exists": True}, present))
    numeric = ~np.isnan(numbers)
    if numeric.sum() >= 0.9 * present.sum() and np.unique(numbers[numeric]).size > 2:
        train_values = numbers[training & numeric]
        if train_values.size == 0:
            return found
        cuts = np.unique(np.quantile(train_values, CUT_SHARES))
        filled = np.nan_to_num(numbers, nan=-np.inf)
        for cut in cuts[cuts > train_values.min()]:
            column = filled >= cut
            if supported(column):
                name = f"{label} at least {_number_text(float(cut))}"
                when = {"field": field, "between": [float(cut), NO_LIMIT]}
                found.append(_fit(name, when, column))
        return found
    if not first:
        return found
    key_array = np.array(keys)
    labels, counts = np.unique(key_array[training], return_counts=True)
    found += _groups(field, label, key_array, first, won, ranking, supported)
    for index in np.argsort(-counts, kind="stable")[:MAX_VALUES_PER_FIELD]:
        key = str(labels[index])
        if key not in first:
            continue
        column = key_array == key
        if not supported(column):
            continue
        value = first[key]
        if value is False:
            continue  # the complement of `equals: true`: the base already holds it
        name = label if isinstance(value, bool) else f"{label} is {value.strip()}"
        found.append(_fit(name, {"field": field, "equals": value}, column))
    return found


def propose(
    deals: Sequence[ClosedDeal],
    training: BoolArray,
    won: BoolArray,
    *,
    min_samples: int,
    known: FloatArray | None = None,
    ranking: BoolArray | None = None,
) -> list[Candidate]:
    """Candidate rules from the deals' entry snapshots (none when no deal has one).

    Identical columns are proposed once, and not at all when a current rule
    (a column of ``known``) already counts exactly the same; past
    ``MAX_CANDIDATES`` only the strongest alone (largest |z| of the
    difference in conversion on the training deals) are kept. ``ranking``
    (default: the training deals) ranks values for ``in`` groups.
    """
    if not any(d.snapshot for d in deals):
        return []
    n_train = int(training.sum())

    def supported(column: BoolArray) -> bool:
        fired = int(column[training].sum())
        return fired >= min_samples and n_train - fired >= min_samples

    found: list[Candidate] = []
    for field, values in sorted(_profile_columns(deals).items()):
        found += _field_candidates(
            field, values, training, won, training if ranking is None else ranking, supported
        )
    found += activity_candidates(deals, training, supported)
    return _strongest(_distinct(found, known), training, won)


def _profile_columns(deals: Sequence[ClosedDeal]) -> dict[str, list[Any]]:
    """Each lead field's value per deal (None where unknown), in one pass over the snapshots."""
    n = len(deals)
    columns: dict[str, list[Any]] = {}
    for i, deal in enumerate(deals):
        lead = (deal.snapshot or {}).get("lead") or {}
        for name, value in lead.items():
            if name == "attributes":
                for key, item in (value or {}).items():
                    field = f"attributes.{key}"
                    column = columns.get(field)
                    if column is None:
                        column = columns[field] = [None] * n
                    column[i] = item
                continue
            column = columns.get(name)
            if column is None:
                column = columns[name] = [None] * n
            column[i] = value
    return columns


def _distinct(candidates: list[Candidate], known: FloatArray | None) -> list[Candidate]:
    seen: set[bytes] = set()
    if known is not None:
        seen.update(np.ascontiguousarray(column).tobytes() for column in known.T)
    kept = []
    for candidate in candidates:
        key = candidate.units.tobytes()
        if key not in seen:
            seen.add(key)
            kept.append(candidate)
    return kept


def _strongest(candidates: list[Candidate], training: BoolArray, won: BoolArray) -> list[Candidate]:
    if len(candidates) <= MAX_CANDIDATES:
        return candidates
    y = won[training].astype(np.float64)
    units = np.column_stack([c.units[training] for c in candidates])
    centred = units - units.mean(axis=0)
    spread = np.sqrt((centred**2).sum(axis=0) * y.var()) + 1e-12
    strength = np.abs(centred.T @ (y - y.mean())) / spread
    keep = np.sort(np.argsort(-strength, kind="stable")[:MAX_CANDIDATES])
    return [candidates[i] for i in keep]
