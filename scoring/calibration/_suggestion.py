"""The suggested rule set: current and proposed rules selected together, as whole points.

Current rules that fired too rarely to judge keep their points and count
against ``max_rules``; the others compete with the proposed rules in one
forward selection on the training deals (``_select``). What is selected
becomes whole points with a base; a current rule left out, or ending at 0
points, is dropped, and so is a proposed one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from scoring.calibration._candidates import Candidate, propose
from scoring.calibration._deals import (
    BoolArray,
    ClosedDeal,
    DealMatrix,
    FloatArray,
    inner_fitting_mask,
    selection_sample,
)
from scoring.calibration._logistic import fit_logistic
from scoring.calibration._report import RuleStats
from scoring.calibration._select import forward_select, to_points
from scoring.calibration._stats import rate
from scoring.calibration._suggest import rule_units
from scoring.rule_set import BehaviorRule, FieldCondition, RuleSet


@dataclass(frozen=True)
class Suggestion:
    """Suggested points per current rule (``existing``, judged where ``has_existing``), new rule
    rows, the base, and every deal's score under the suggestion."""

    existing: FloatArray
    has_existing: BoolArray
    new_rows: tuple[RuleStats, ...]
    base: int
    scores: FloatArray


def _unique_name(candidate: Candidate, taken: set[str]) -> str:
    """The proposed rule's plain name, or one that says how it differs from the rule it shares
    a name with ("Demo request, counted once" beside the current "Demo request")."""
    name = candidate.rule.name
    if name.casefold() in taken and isinstance(candidate.rule, BehaviorRule):
        name = f"{name}, {_counted(candidate.rule.max_count)}"
    unique, number = name, 2
    while unique.casefold() in taken:
        unique = f"{name} ({number})"
        number += 1
    taken.add(unique.casefold())
    return unique


def _counted(max_count: int | None) -> str:
    if max_count is None:
        return "every time"
    return "counted once" if max_count == 1 else f"counted up to {max_count} times"


def _new_row(candidate: Candidate, name: str, points: int, won: BoolArray) -> RuleStats:
    fired = candidate.units > 0
    n_fired, n_fired_won = int(fired.sum()), int(won[fired].sum())
    total_won, closed = int(won.sum()), int(won.size)
    overall = rate(total_won, closed)
    conversion = rate(n_fired_won, n_fired)
    rule = candidate.rule
    return RuleStats(
        name=name,
        kind=candidate.kind,
        points=0,
        suggested_points=points,
        fired=n_fired,
        fired_won=n_fired_won,
        not_fired=closed - n_fired,
        not_fired_won=total_won - n_fired_won,
        conversion_fired=conversion,
        conversion_not_fired=rate(total_won - n_fired_won, closed - n_fired),
        lift=conversion / overall if conversion is not None and overall else None,
        new=True,
        when=rule.when.model_dump(mode="json", by_alias=True, exclude_none=True),
        max_count=rule.max_count if isinstance(rule, BehaviorRule) else None,
    )


def _value_field(candidate: Candidate) -> str | None:
    """The field a proposed ``equals``/``in`` rule tests, None for any other rule."""
    when = candidate.rule.when
    if isinstance(when, FieldCondition) and (when.equals is not None or when.in_ is not None):
        return when.field
    return None


def suggest(
    deals: Sequence[ClosedDeal],
    rule_set: RuleSet,
    names: list[str],
    matrix: DealMatrix,
    current: FloatArray,
    eligible: BoolArray,
    min_rule_samples: int,
) -> Suggestion | None:
    """Select rules on the training deals and turn them into whole points and a base."""
    train = matrix.training
    existing_units = rule_units(matrix, current)[:, eligible]
    candidates = propose(
        deals,
        train,
        matrix.won,
        min_samples=min_rule_samples,
        known=existing_units,
        ranking=train & inner_fitting_mask(matrix.buckets),
    )
    columns = [existing_units, *(c.units[:, None] for c in candidates)]
    units = np.hstack(columns) if columns else np.zeros((matrix.closed, 0))
    fixed = matrix.hits[:, ~eligible].sum(axis=1)
    budget = max(rule_set.max_rules - int((~eligible).sum()), 0)
    sample = train & selection_sample(matrix.buckets, int(train.sum()))
    fitting = inner_fitting_mask(matrix.buckets[sample])
    fields = [None] * existing_units.shape[1] + [_value_field(c) for c in candidates]
    chosen = forward_select(
        units[sample], matrix.won[sample], fitting, max_rules=budget, fields=fields
    )
    if not chosen:
        return None
    fit = fit_logistic(units[train][:, chosen], matrix.won[train], l2=1.0)
    if fit is None:
        return None
    found = to_points(fit, units[train][:, chosen], fixed[train], rule_set.score_range)
    by_column = dict(zip(chosen, found.points, strict=True))
    n_existing = existing_units.shape[1]
    existing = current.copy()
    existing[np.flatnonzero(eligible)] = [by_column.get(c, 0.0) for c in range(n_existing)]
    taken = {name.casefold() for name in names}
    new_rows = tuple(
        _new_row(
            candidates[c - n_existing],
            _unique_name(candidates[c - n_existing], taken),
            int(points),
            matrix.won,
        )
        for c, points in by_column.items()
        if c >= n_existing and points != 0
    )
    low, high = rule_set.score_range
    total = found.base + units[:, chosen] @ found.points + fixed
    return Suggestion(
        existing=existing,
        has_existing=eligible.copy(),
        new_rows=new_rows,
        base=found.base,
        scores=np.clip(total, low, high),
    )
