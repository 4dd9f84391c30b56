"""Closed deals, laid out as arrays so calibration never loops over deals in Python maths.

The training/holdout split is a stable hash of ``lead_key``, not a random
draw: the same deals always land on the same side, so a weekly digest and a
``calibrate`` run on the same window agree, and a lead that closed twice is
never on both sides of the split.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import chain
from typing import Any

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

TRAINING_SHARE = 0.7
"""Share of deals (by hash of ``lead_key``) the suggestions are fitted on."""

_HASH_BUCKETS = 10_000


@dataclass(frozen=True, slots=True)
class ClosedDeal:
    """One deal that closed in the window, as it looked when it entered the pipeline.

    ``rule_hits`` maps a rule name to the points it contributed at entry (after
    caps and decay); a rule absent or at 0 did not fire. ``snapshot`` is what
    the lead looked like at entry (``scoring.calibration.entry_snapshot``),
    None for entries stored before snapshots were kept; new rules are proposed
    from it. ``may_be_fitted`` is False when the rules that gave the entry
    score cannot have been fitted on this deal (written by hand, or fitted
    before it closed): the verdict then judges the score on it even when it
    falls on the training side. True (the cautious default) when unknown.
    """

    lead_key: str
    entry_score: float
    won: bool
    rule_hits: Mapping[str, float]
    snapshot: Mapping[str, Any] | None = None
    may_be_fitted: bool = True


def hash_buckets(lead_keys: Sequence[str]) -> NDArray[np.uint64]:
    """A stable number in [0, 10,000) per lead key (sha256), the basis of every split."""
    digests = b"".join([hashlib.sha256(key.encode("utf-8")).digest()[:8] for key in lead_keys])
    return np.frombuffer(digests, dtype=">u8") % _HASH_BUCKETS


def training_mask(lead_keys: Sequence[str]) -> BoolArray:
    """Which deals belong to the ~70% the suggestions are fitted on (by key, vectorised)."""
    return hash_buckets(lead_keys) < round(TRAINING_SHARE * _HASH_BUCKETS)


def inner_fitting_mask(buckets: NDArray[np.uint64]) -> BoolArray:
    """Within the training side, the ~70% a selection fits on (the rest validates it).

    Uses the last digit of the bucket, which is independent of the
    training/holdout cut on the bucket's size, so the held-out deals are
    never looked at while choosing rules.
    """
    return (buckets % 10) < 7


def in_training(lead_key: str) -> bool:
    """Whether one deal belongs to the ~70% the suggestions are fitted on."""
    return bool(training_mask([lead_key])[0])


MAX_SELECTION_DEALS = 20_000
"""Training deals the rule selection looks at, at most: beyond this the same rules come out."""


def selection_sample(buckets: NDArray[np.uint64], training_deals: int) -> BoolArray:
    """A stable share of deals (by another digit range of the hash) for choosing rules.

    Choosing up to 15 rules out of a few hundred candidates needs tens of
    thousands of deals, not hundreds of thousands; the chosen rules' points
    are then fitted on every training deal.
    """
    if training_deals <= MAX_SELECTION_DEALS:
        return np.ones(buckets.shape, dtype=np.bool_)
    keep = round(100 * MAX_SELECTION_DEALS / training_deals)
    return (buckets // 10) % 100 < keep


@dataclass(frozen=True, slots=True)
class DealMatrix:
    """Column-wise view of the deals: one row per deal, one ``hits`` column per rule name.

    ``other`` is whatever the deal's ``rule_hits`` hold for names that are not
    in the rule set, so a re-summed score keeps it.
    """

    lead_keys: tuple[str, ...]
    entry: FloatArray
    won: BoolArray
    hits: FloatArray
    other: FloatArray
    training: BoolArray
    buckets: NDArray[np.uint64]
    unseen: BoolArray
    """Deals the entry scores can be judged on: held out, or never fitted on by their rules."""

    @property
    def closed(self) -> int:
        return int(self.entry.size)

    @property
    def fired(self) -> BoolArray:
        return self.hits != 0


def deal_matrix(deals: Sequence[ClosedDeal], rule_names: Sequence[str]) -> DealMatrix:
    """Lay the deals out as arrays, columns of ``hits`` in ``rule_names`` order.

    Reads each deal's hits once (a deal fires a few rules, not all of them)
    and scatters them into the matrix in one numpy assignment. Refuses
    non-finite scores or hits up front: one NaN would silently turn every
    rate and AUC into nonsense.
    """
    n = len(deals)
    entry = np.fromiter((d.entry_score for d in deals), dtype=np.float64, count=n)
    won = np.fromiter((bool(d.won) for d in deals), dtype=np.bool_, count=n)
    per_deal = np.fromiter((len(d.rule_hits) for d in deals), dtype=np.intp, count=n)
    names = list(chain.from_iterable(d.rule_hits for d in deals))
    points = np.fromiter(
        chain.from_iterable(d.rule_hits.values() for d in deals),
        dtype=np.float64,
        count=len(names),
    )
    if not (np.isfinite(entry).all() and np.isfinite(points).all()):
        raise ValueError("every closed deal needs a finite entry_score and finite rule_hits")
    column_of = {name: column for column, name in enumerate(rule_names)}
    columns = np.array([column_of.get(name, -1) for name in names], dtype=np.intp)
    rows = np.repeat(np.arange(n), per_deal)
    known = columns >= 0
    hits = np.zeros((n, len(rule_names)), dtype=np.float64)
    hits[rows[known], columns[known]] = points[known]
    lead_keys = tuple(d.lead_key for d in deals)
    buckets = hash_buckets(lead_keys)
    training = buckets < round(TRAINING_SHARE * _HASH_BUCKETS)
    fittable = np.fromiter((d.may_be_fitted for d in deals), dtype=np.bool_, count=n)
    return DealMatrix(
        lead_keys=lead_keys,
        entry=entry,
        won=won,
        hits=hits,
        other=np.bincount(rows[~known], weights=points[~known], minlength=n).astype(np.float64),
        training=training,
        buckets=buckets,
        unseen=~(training & fittable),
    )
