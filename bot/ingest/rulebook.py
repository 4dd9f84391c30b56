"""The active rule set, parsed once per version and shared by every path."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from sqlmodel import Session

from scoring.evaluate import FitFlagMemo, LeadScore
from scoring.rule_file import parse_rule_set
from scoring.rule_set import RuleSet
from storage.rule_sets import active_version_number, get_version


class NoRuleSetError(RuntimeError):
    """Nothing can be scored before a rule set is applied."""


@dataclass(frozen=True)
class ActiveRules:
    version: int
    rule_set: RuleSet
    entry_scores: dict[str, tuple[LeadScore, dict[str, float]]] = field(
        default_factory=dict, compare=False, repr=False
    )
    """Entry scores by fit flags for leads with no activity (``bot.ingest.deals``), kept
    for as long as this object (one batch): a backfill's leads share a few fit profiles."""
    fit_memo: FitFlagMemo = field(init=False, compare=False, repr=False)
    """The fit rules' decisions by field value, for as long as this object (one batch)."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "fit_memo", FitFlagMemo(self.rule_set))


class RuleBook:
    """Caches the parsed active rule set; re-reads it when another process applied one.

    Each lookup costs one indexed query, so a replica picks up a new version at
    its next batch without any messaging between replicas.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cache: dict[int, RuleSet] = {}

    def active(self, session: Session) -> ActiveRules:
        version = active_version_number(session=session)
        if version is None:
            raise NoRuleSetError("no rule set applied yet: run `leadscore rules apply FILE`")
        with self._lock:
            rule_set = self._cache.get(version)
            if rule_set is None:
                row = get_version(session=session, version=version)
                assert row is not None
                rule_set = parse_rule_set(row.content)
                self._cache[version] = rule_set
        return ActiveRules(version, rule_set)
