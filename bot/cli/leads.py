"""``leadscore score EMAIL`` and ``leadscore top [N]``.

The app is imported inside each command, so ``--help`` and a bad argument
answer at once and a lookup imports what it reads, never Slack or the server.
On a database already set up, both take the quick read-only path
(``bot.quick_lookup``), which imports neither SQLAlchemy nor pydantic-settings;
otherwise the full path, which migrates and applies the start-up rule file.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Protocol

import click

from bot.cli.common import BadInput, command, console, print_json, services_for_command

if TYPE_CHECKING:
    from bot.card_shape import CardLike


@click.command("score")
@click.argument("email")
@click.option("--json", "as_json", is_flag=True, help="Print the stable JSON shape.")
@command
def score(email: str, as_json: bool) -> None:
    """Show a lead's score, its fit/behaviour split and each rule's contribution."""
    from bot.card_shape import card_json
    from bot.quick_lookup import FULL_PATH, quick_score_card

    card: CardLike | None
    quick = quick_score_card(email)
    if quick is FULL_PATH:
        from bot.lookups import score_card_for

        card = score_card_for(services_for_command(), email)
    else:
        card = quick
    if card is None:
        raise BadInput(f"no lead with email {email.strip().lower()}")
    if as_json:
        print_json(card_json(card))
    else:
        _print_card(card)


def _print_card(card: CardLike) -> None:
    from rich.table import Table

    result = card.result
    console.print(
        f"[bold]{card.lead.email}[/] {card.lead.name or ''} "
        f"({card.lead.title or 'no title'}, {card.lead.company or 'no company'})"
    )
    console.print(
        f"score [bold]{result.score:.0f}[/] ({result.band}) = "
        + (f"base {result.base:.0f} + " if result.base else "")
        + f"fit {result.fit:.0f} "
        f"+ behaviour {result.behavior:.1f}   rule set v{card.rule_set_version}"
    )
    table = Table("rule", "kind", "count", "points")
    if result.base:
        table.add_row("base points", "base", "", f"{result.base:+.1f}")
    for hit in result.hits:
        count = f"{hit.count} of {hit.max_count}" if hit.max_count else str(hit.count)
        table.add_row(hit.name, hit.kind, count, f"{hit.points:+.1f}")
    console.print(table)
    if result.decay_factor < 1:
        console.print(f"decay so far: behaviour x{result.decay_factor:.2f}")
    elif card.decay_starts_in_days is not None:
        console.print(f"decay starts in {card.decay_starts_in_days:.0f} days without activity")


@click.command("top")
@click.argument("n", type=click.IntRange(1, 10_000), default=10)
@click.option("--json", "as_json", is_flag=True, help="Print the stable JSON shape.")
@command
def top(n: int, as_json: bool) -> None:
    """Rank the N highest-scoring leads."""
    from rich.table import Table

    from bot.quick_lookup import FULL_PATH, quick_ranking

    leads: list[RankedLead] | None = None
    quick = quick_ranking(n)
    if quick is FULL_PATH:
        from bot.lookups import ranked_leads

        leads = list(ranked_leads(services_for_command(), limit=n))
    else:
        leads = list(quick)
    if as_json:
        print_json({"leads": [_lead_json(lead) for lead in leads]})
        return
    table = Table("#", "email", "company", "score", "band", "last activity")
    for rank, lead in enumerate(leads, start=1):
        last = lead.last_activity_at.strftime("%Y-%m-%d") if lead.last_activity_at else "-"
        table.add_row(
            str(rank), lead.email, lead.company or "", f"{lead.score:.0f}", lead.band, last
        )
    console.print(table)


class RankedLead(Protocol):
    """What a ranking shows of a lead (a stored ``Lead`` or a quick ``LeadRow``)."""

    @property
    def email(self) -> str: ...
    @property
    def name(self) -> str | None: ...
    @property
    def company(self) -> str | None: ...
    @property
    def score(self) -> float: ...
    @property
    def band(self) -> str: ...
    @property
    def fit(self) -> float: ...
    @property
    def behavior(self) -> float: ...
    @property
    def last_activity_at(self) -> datetime | None: ...


def _lead_json(lead: RankedLead) -> dict[str, object]:
    return {
        "email": lead.email,
        "score": round(lead.score, 2),
        "band": lead.band,
        "fit": round(lead.fit, 2),
        "behavior": round(lead.behavior, 2),
        "name": lead.name,
        "company": lead.company,
        "last_activity_at": (
            lead.last_activity_at.isoformat().replace("+00:00", "Z")
            if lead.last_activity_at
            else None
        ),
    }
