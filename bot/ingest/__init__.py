"""The single ingest path: validate, deduplicate, store, rescore, queue alerts.

The rule book and the ingestor are imported on first use: the process that
reads a large CSV for an import (``bot.importer.prefetch``) needs only
``Item`` from here, and starting it without the database layer lets the
import begin storing sooner.
"""

from typing import TYPE_CHECKING, Any

from bot.ingest.results import IngestResult, Item, Rejection

if TYPE_CHECKING:
    from bot.ingest.rulebook import ActiveRules, NoRuleSetError, RuleBook
    from bot.ingest.service import Ingestor

__all__ = [
    "ActiveRules",
    "IngestResult",
    "Ingestor",
    "Item",
    "NoRuleSetError",
    "Rejection",
    "RuleBook",
]


def __getattr__(name: str) -> Any:
    if name == "Ingestor":
        from bot.ingest.service import Ingestor

        return Ingestor
    if name in ("ActiveRules", "NoRuleSetError", "RuleBook"):
        from bot.ingest import rulebook

        return getattr(rulebook, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
