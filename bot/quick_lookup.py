"""``leadscore score`` and ``leadscore top`` without loading the app, when nothing needs it.

The full path (``bot.lookups`` after ``bot.cli.common.services_for_command``)
reads the settings with pydantic-settings, opens a SQLAlchemy engine, runs the
migrations and applies the start-up rule file if no rule set was ever applied;
importing all that costs many times the lookup. When the settings are plain
(``bot.settings_env.quick_database_url``), the schema is already at the newest
migration and a rule set is active, none of those steps would change anything,
so these use cases read the rows directly (``storage.quick_read``) and explain
the score with the same scoring code. Otherwise they answer ``FULL_PATH`` and
the command takes the full path, which behaves as it always did.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import UTC, datetime
from enum import Enum
from typing import TYPE_CHECKING, Any, Literal

from bot.settings_env import quick_database_url
from storage.quick_read import (
    AccountRow,
    ClaimRow,
    LeadRow,
    account,
    active_rule_set,
    current_claim,
    history,
    lead_by_email,
    quick_reader,
    top_leads,
)

if TYPE_CHECKING:
    from scoring.evaluate import LeadScore

__all__ = ["FULL_PATH", "LeadRow", "QuickCard", "quick_ranking", "quick_score_card"]


class _FullPath(Enum):
    FULL_PATH = "full path"


FULL_PATH: Literal[_FullPath.FULL_PATH] = _FullPath.FULL_PATH
"""The quick path cannot answer: take the full one."""


@dataclass(frozen=True)
class QuickCard:
    """What ``leadscore score`` shows, as ``bot.scorecard.ScoreCard`` has it (``CardLike``)."""

    lead: LeadRow
    result: LeadScore
    rule_set_version: int
    alert: ClaimRow | None
    account: AccountRow | None
    decay_starts_in_days: float | None
    now: datetime


def quick_score_card(email: str) -> QuickCard | Literal[_FullPath.FULL_PATH] | None:
    """The lead's score card as of now (None if unknown), or ``FULL_PATH``."""
    url = quick_database_url()
    if url is None:
        return FULL_PATH
    with quick_reader(url) as reader:
        if reader is None:
            return FULL_PATH
        rules = active_rule_set(reader=reader)
        if rules is None:
            return FULL_PATH  # the full path applies the start-up rule file first
        lead = lead_by_email(reader=reader, email=email)
        if lead is None:
            return None
        records = history(reader=reader, lead_id=lead.id)
        claim = current_claim(reader=reader, lead_id=lead.id)
        owner = account(reader=reader, account_id=lead.account_id) if lead.account_id else None
    from scoring.decay import next_decay_step
    from scoring.evaluate import LeadProfile, score_lead
    from scoring.rule_file import parse_rule_set

    rule_set = parse_rule_set(rules.content)
    now = datetime.now(UTC)  # bot.ingest.service.utc_now, the services' clock
    # bot.ingest.profile.profile_of: every profile field, from the stored row.
    values: dict[str, Any] = {f.name: getattr(lead, f.name) for f in fields(LeadProfile)}
    profile = LeadProfile(**{**values, "attributes": dict(lead.attributes)})
    result = score_lead(rule_set, profile, records, now=now)
    starts_in = None
    if result.last_activity_at is not None:
        starts_in = next_decay_step(rule_set.decay, result.last_activity_at, now)
    return QuickCard(
        lead=lead,
        result=result,
        rule_set_version=rules.version,
        alert=claim,
        account=owner,
        decay_starts_in_days=starts_in,
        now=now,
    )


def quick_ranking(limit: int) -> list[LeadRow] | Literal[_FullPath.FULL_PATH]:
    """The ``limit`` highest-scoring leads, best first, or ``FULL_PATH``."""
    url = quick_database_url()
    if url is None:
        return FULL_PATH
    with quick_reader(url) as reader:
        if reader is None or active_rule_set(reader=reader) is None:
            return FULL_PATH
        return top_leads(reader=reader, limit=limit)
