"""Applying a rule file: validate, store as a version, rescore everyone.

Shared by ``leadscore rules apply``, start-up and the digest's Apply button,
so every path stores versions and rescores the same way.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session

from bot.ingest.rescore import rescore_changed
from bot.ingest.rulebook import ActiveRules, NoRuleSetError
from bot.services import Services
from scoring.rule_file import bundled_rules_text, content_hash, parse_rule_set
from storage.engine import session_scope
from storage.rescoring import lead_count
from storage.rule_sets import active_version, find_by_hash, store_version

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ApplyOutcome:
    version: int
    created: bool
    activated: bool
    rescored: int


def apply_rules(
    services: Services,
    *,
    text: str,
    applied_by: str,
    progress: Callable[[int], None] | None = None,
    started: Callable[[int], None] | None = None,
) -> ApplyOutcome:
    """Store a rule file as the active version and rescore; raises RuleSetError if invalid.

    ``started`` hears how many leads there are before the rescoring starts,
    ``progress`` how many more were rescored after each step.
    """
    rule_set = parse_rule_set(text)
    with session_scope(services.engine) as session:
        previous = _active(services, session)
        outcome = store_version(
            session=session,
            name=rule_set.name,
            content=text,
            content_hash=content_hash(text),
            applied_by=applied_by,
            now=services.clock(),
        )
        version = outcome.version.version
        leads = lead_count(session=session) if outcome.activated else 0
    assert version is not None
    rescored = 0
    if outcome.activated:
        if started is not None:
            started(leads)
        rescored = rescore_changed(
            engine=services.engine,
            rulebook=services.rulebook,
            previous=previous,
            now=services.clock(),
            progress=progress,
        )
        log.info(
            "rule set version %s active (%s), %s leads rescored", version, applied_by, rescored
        )
    return ApplyOutcome(version, outcome.created, outcome.activated, rescored)


def _active(services: Services, session: Session) -> ActiveRules | None:
    """The rule set in force before this change, if any (its leads may be rescored from it)."""
    try:
        return services.rulebook.active(session)
    except NoRuleSetError:
        return None


def startup_rules_text(configured: Path | None) -> tuple[str, str]:
    """The rule file to load at start-up and its label: the setting, ./rules.yml, or bundled."""
    if configured is not None:
        return configured.read_text(encoding="utf-8"), str(configured)
    local = Path("rules.yml")
    if local.is_file():
        return local.read_text(encoding="utf-8"), str(local)
    return bundled_rules_text(), "bundled example"


def sync_startup_rules(services: Services) -> ApplyOutcome | None:
    """Load the configured rule file as a new version when its content is new.

    A file whose content was stored before is not re-activated: a manager may
    since have applied a calibration suggestion, and a restart must not undo it.
    """
    text, label = startup_rules_text(services.settings.rules_file)
    digest = content_hash(text)
    with session_scope(services.engine) as session:
        if find_by_hash(session=session, content_hash=digest) is not None:
            return None
    return apply_rules(services, text=text, applied_by=f"file:{label}")


def ensure_rules(services: Services) -> ApplyOutcome | None:
    """Apply the start-up rule file only when no rule set was ever applied."""
    with session_scope(services.engine) as session:
        if active_version(session=session) is not None:
            return None
    text, label = startup_rules_text(services.settings.rules_file)
    return apply_rules(services, text=text, applied_by=f"file:{label}")
