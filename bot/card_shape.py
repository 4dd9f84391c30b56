"""What ``leadscore score`` shows of a score card, whichever path built it.

The full path builds ``bot.scorecard.ScoreCard`` from the SQLModel rows; the
quick read-only path (``bot.quick_lookup``) builds ``QuickCard`` from plain
rows without importing SQLAlchemy. Both answer to ``CardLike``, and the JSON
shape is written once, here.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from scoring.evaluate import LeadScore


class CardLead(Protocol):
    @property
    def email(self) -> str: ...
    @property
    def name(self) -> str | None: ...
    @property
    def title(self) -> str | None: ...
    @property
    def company(self) -> str | None: ...


class CardClaim(Protocol):
    @property
    def claimed_by(self) -> str | None: ...


class CardAccount(Protocol):
    @property
    def key(self) -> str: ...
    @property
    def owner_id(self) -> str | None: ...


class CardLike(Protocol):
    @property
    def lead(self) -> CardLead: ...
    @property
    def result(self) -> LeadScore: ...
    @property
    def rule_set_version(self) -> int: ...
    @property
    def alert(self) -> CardClaim | None: ...
    @property
    def account(self) -> CardAccount | None: ...
    @property
    def decay_starts_in_days(self) -> float | None: ...


def card_json(card: CardLike) -> dict[str, Any]:
    """The contract's ``score EMAIL --json`` shape (keys may be added, never renamed)."""
    result = card.result
    return {
        "email": card.lead.email,
        "name": card.lead.name,
        "company": card.lead.company,
        "score": round(result.score, 2),
        "fit": round(result.fit, 2),
        "behavior": round(result.behavior, 2),
        "base": round(result.base, 2),
        "band": result.band,
        "last_activity_at": iso(result.last_activity_at),
        "rule_set_version": card.rule_set_version,
        "decay_factor": round(result.decay_factor, 4),
        "rules": [
            {
                "name": hit.name,
                "kind": hit.kind,
                "points": round(hit.points, 2),
                "count": hit.count,
                "max_count": hit.max_count,
            }
            for hit in result.hits
        ],
        "claimed_by": card.alert.claimed_by if card.alert else None,
        "account": card.account.key if card.account else None,
        "account_owner": card.account.owner_id if card.account else None,
    }


def iso(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None
