"""What an SDR typed after ``/leadscore``, turned into one request.

Pure and forgiving: Slack may wrap an email or domain in ``<mailto:...|...>``
link markup, people type ``TOP 5 Hot`` or ``top hot 5``, and anything we do
not understand becomes the help text (with what went wrong), never an error.
Numbers out of range are clamped and the clamp is reported back, because a
silent "you asked for 500, here are 50" looks like missing data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

TOP_DEFAULT = 10
TOP_MAX = 50
DAYS_DEFAULT = 90
DAYS_MIN = 7
DAYS_MAX = 365
MAX_QUERY_CHARS = 120

BandFilter = Literal["hot", "warm", "all"]
_BANDS: tuple[BandFilter, ...] = ("hot", "warm", "all")
_LINK = re.compile(r"<(?:mailto:|https?://)([^<>|]*)(?:\|([^<>]*))?>")
_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+$")
_INT = re.compile(r"^[+-]?\d+$")


@dataclass(frozen=True)
class LeadQuery:
    """``/leadscore ana@acme.io``: one lead's score card."""

    email: str


@dataclass(frozen=True)
class CompanyQuery:
    """``/leadscore Acme``: the company's leads (matched case-insensitively)."""

    name: str


@dataclass(frozen=True)
class TopQuery:
    """``/leadscore top [N] [hot|warm|all]``; ``note`` explains a clamped N."""

    limit: int = TOP_DEFAULT
    band: BandFilter = "all"
    note: str | None = None


@dataclass(frozen=True)
class RulesQuery:
    """``/leadscore rules``: the active rule set."""


@dataclass(frozen=True)
class CalibrateQuery:
    """``/leadscore calibrate [days]`` (managers); ``note`` explains clamped days."""

    days: int = DAYS_DEFAULT
    note: str | None = None


@dataclass(frozen=True)
class HelpQuery:
    """The help text; ``problem`` says what was not understood (None for ``help``)."""

    problem: str | None = None


@dataclass(frozen=True)
class AwayQuery:
    """``/leadscore away [until YYYY-MM-DD]``: no leads routed to me until then (or ``back``)."""

    until: date | None = None


@dataclass(frozen=True)
class BackQuery:
    """``/leadscore back``: route leads to me again."""


@dataclass(frozen=True)
class AccountQuery:
    """``/leadscore account <domain>``: the account's leads and owner."""

    key: str


Command = (
    LeadQuery
    | CompanyQuery
    | TopQuery
    | RulesQuery
    | CalibrateQuery
    | HelpQuery
    | AwayQuery
    | BackQuery
    | AccountQuery
)


def unwrap_links(text: str) -> str:
    """Slack's ``<mailto:a@b.io|a@b.io>`` / ``<http://acme.io|acme.io>`` as plain text."""
    return _LINK.sub(lambda m: m.group(2) or m.group(1), text)


def parse_command(text: str | None) -> Command:
    """The request in ``text`` (the slash command's ``text`` field)."""
    cleaned = " ".join(unwrap_links(text or "").split())
    if not cleaned:
        return HelpQuery()
    words = cleaned.split(" ")
    keyword, args = words[0].lower(), words[1:]
    if keyword in ("help", "?", "-h", "--help"):
        return HelpQuery() if not args else _not_understood(cleaned)
    if keyword == "top":
        return _top(args) or _not_understood(cleaned)
    if keyword == "rules":
        return RulesQuery() if not args else _not_understood(cleaned)
    if keyword == "calibrate":
        return _calibrate(args) or _not_understood(cleaned)
    if keyword in ("away", "back", "account"):
        return _routing(keyword, args) or _not_understood(cleaned)
    if _EMAIL.match(cleaned):
        return LeadQuery(email=cleaned.lower())
    if _looks_like_company(cleaned):
        return CompanyQuery(name=cleaned)
    return _not_understood(cleaned)


def _routing(keyword: str, args: list[str]) -> Command | None:
    if keyword == "back":
        return BackQuery() if not args else None
    if keyword == "account":
        if len(args) != 1 or len(args[0]) > MAX_QUERY_CHARS or "<" in args[0]:
            return None
        return AccountQuery(key=args[0])
    if not args:
        return AwayQuery()
    if len(args) == 2 and args[0].lower() == "until":
        try:
            return AwayQuery(until=date.fromisoformat(args[1]))
        except ValueError:
            return None
    return None


def _not_understood(text: str) -> HelpQuery:
    shown = text if len(text) <= 60 else text[:59] + "…"
    return HelpQuery(problem=f"I didn't understand “{shown}”.")


def _looks_like_company(text: str) -> bool:
    if len(text) > MAX_QUERY_CHARS or "@" in text:
        return False
    if text.startswith(("<", "/")) or text[0] in "-+":
        return False
    return any(ch.isalnum() for ch in text)


def _top(args: list[str]) -> TopQuery | None:
    numbers = [a for a in args if _INT.match(a)]
    bands = [a.lower() for a in args if a.lower() in _BANDS]
    if len(numbers) > 1 or len(bands) > 1 or len(numbers) + len(bands) != len(args):
        return None
    band: BandFilter = bands[0] if bands else "all"  # type: ignore[assignment]
    if not numbers:
        return TopQuery(band=band)
    asked = int(numbers[0])
    limit = min(max(asked, 1), TOP_MAX)
    note = None
    if limit != asked:
        note = f"You asked for {asked}; showing {limit} (between 1 and {TOP_MAX})."
    return TopQuery(limit=limit, band=band, note=note)


def _calibrate(args: list[str]) -> CalibrateQuery | None:
    if not args:
        return CalibrateQuery()
    if len(args) != 1:
        return None
    word = args[0].lower().removesuffix("days").removesuffix("d")
    if not _INT.match(word):
        return None
    asked = int(word)
    days = min(max(asked, DAYS_MIN), DAYS_MAX)
    note = None
    if days != asked:
        note = f"You asked for {asked} days; using {days} (between {DAYS_MIN} and {DAYS_MAX})."
    return CalibrateQuery(days=days, note=note)
