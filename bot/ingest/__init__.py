"""The single ingest path: validate, deduplicate, store, rescore, queue alerts."""

from bot.ingest.results import IngestResult, Item, Rejection
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
