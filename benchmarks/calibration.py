"""How long calibrating 100,000 closed deals with 15 rules takes (target: 3 s or less).

Run from the repository root: ``python -m benchmarks.calibration``. The
baseline in the same run is numpy sorting the entry scores alone, the least
any ranking statistic has to do, so the ratio says how much the report costs
beyond that on this machine. When scikit-learn is installed (the ``bench``
extra) the hand-written AUC and ridge logistic regression are also checked
against it on the same data.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import numpy as np

from scoring.calibration import ClosedDeal, auc, calibrate, in_training
from scoring.calibration._logistic import fit_logistic
from scoring.rule_set import BehaviorRule, FitRule, RuleSet

DEALS = 100_000
RULES = 15
TARGET_SECONDS = 3.0
SEED = 20261125


def rule_set() -> RuleSet:
    fit = [
        {"name": f"Fit {i}", "when": {"field": "title", "exists": True}, "points": 5 + i}
        for i in range(7)
    ]
    behavior = [
        {"name": f"Behavior {i}", "when": {"kind": f"kind_{i}"}, "points": 3 + 2 * i}
        for i in range(RULES - 7)
    ]
    return RuleSet.model_validate(
        {"name": "bench", "thresholds": {"hot": 70, "warm": 40}, "fit": fit, "behavior": behavior}
    )


def all_rules(rules: RuleSet) -> list[FitRule | BehaviorRule]:
    return [*rules.fit, *rules.behavior]


def synthetic_deals(rules: RuleSet, n: int, seed: int) -> list[ClosedDeal]:
    """Deals where a few rules drive wins, one hurts, and the rest are noise."""
    rng = np.random.default_rng(seed)
    names = [r.name for r in all_rules(rules)]
    points = np.array([r.points for r in all_rules(rules)])
    fired = rng.random((n, len(names))) < rng.uniform(0.05, 0.5, len(names))
    decay = np.where(np.arange(len(names)) >= 7, rng.uniform(0.5, 1.0, (n, len(names))), 1.0)
    hits = fired * points * decay
    effect = np.zeros(len(names))
    effect[[0, 8, 12]] = [1.2, 0.9, 0.6]
    effect[3] = -0.8
    won = rng.random(n) < 1.0 / (1.0 + np.exp(-(-2.0 + fired @ effect)))
    scores = np.clip(hits.sum(axis=1), 0, 100)
    return [
        ClosedDeal(
            lead_key=f"lead-{i}@example.com",
            entry_score=float(scores[i]),
            won=bool(won[i]),
            rule_hits={names[j]: float(hits[i, j]) for j in np.flatnonzero(fired[i])},
        )
        for i in range(n)
    ]


def timings(runs: int, work: Callable[[], object]) -> list[float]:
    """Wall-clock seconds of each run (the machine is shared, so look at the median)."""
    seconds = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        seconds.append(time.perf_counter() - start)
    return seconds


def check_against_scikit_learn(deals: list[ClosedDeal], rules: RuleSet) -> None:
    try:
        from sklearn.linear_model import LogisticRegression
        from sklearn.metrics import roc_auc_score
    except ImportError:
        print("scikit-learn not installed: cross-check skipped")
        return
    scores = np.array([d.entry_score for d in deals])
    won = np.array([d.won for d in deals])
    ours_auc = auc(scores, won)
    assert ours_auc is not None
    print(f"AUC difference vs scikit-learn: {abs(ours_auc - roc_auc_score(won, scores)):.2e}")
    names = [r.name for r in all_rules(rules)]
    train = np.array([in_training(d.lead_key) for d in deals])
    x = np.array([[d.rule_hits.get(n, 0.0) != 0 for n in names] for d in deals], dtype=float)
    ours = fit_logistic(x[train], won[train], l2=1.0)
    assert ours is not None
    theirs = LogisticRegression(C=1.0, tol=1e-10, max_iter=1000).fit(x[train], won[train])
    difference = np.max(np.abs(ours.coefficients - theirs.coef_[0]))
    print(f"ridge logistic coefficients, max difference vs scikit-learn: {difference:.2e}")


def main() -> None:
    rules = rule_set()
    deals = synthetic_deals(rules, DEALS, SEED)
    scores = np.array([d.entry_score for d in deals])
    baseline = statistics.median(timings(5, lambda: np.argsort(scores, kind="stable")))
    runs = timings(5, lambda: calibrate(deals, rules))
    median = statistics.median(runs)
    report = calibrate(deals, rules)
    print(f"deals: {DEALS:,}  rules: {RULES}")
    print(f"calibrate, first run: {runs[0]:.3f} s")
    print(
        f"calibrate, median of 5: {median:.3f} s  "
        f"(best {min(runs):.3f} s, target <= {TARGET_SECONDS:.1f} s)"
    )
    print(f"baseline np.argsort of the scores, median of 5: {baseline:.4f} s")
    print(f"calibrate / baseline: {median / baseline:.0f}x")
    print(
        f"AUC current {report.auc.current:.3f}  suggested {report.auc.suggested:.3f}  "
        f"hot threshold {report.suggested_hot_threshold}  verdict {report.verdict!r}"
    )
    check_against_scikit_learn(deals, rules)
    print("PASS" if median <= TARGET_SECONDS else "FAIL: slower than the target")


if __name__ == "__main__":
    main()
