"""The one way outside text enters Slack mrkdwn.

Lead names, titles, companies, emails, URLs, rule names and what users type
come from outside. Slack parses ``<...>`` in mrkdwn (and in a message's
top-level ``text``) as mentions, links and ``@channel``, so outside text must
never reach it raw. Use:

- ``inline(text, limit)`` for any outside value shown inside a line (a name, a
  company, a rule name, an email label): ``&``, ``<``, ``>`` become entities,
  newlines and tabs become spaces (a name cannot split a ranking row), and
  ``*``, ``_``, ``~`` at a word boundary and every backtick are fenced by
  zero-width spaces (U+200B) so they show as typed but cannot open bold,
  italic, strike or code (``demo_request`` is left as it is).
- ``escape(text)`` for outside text that may keep its line breaks (entities only).
- ``clip(text, limit)`` to shorten mrkdwn: never cuts an entity (``&amp;``) or
  one of our ``<...>`` links or mentions in half.
- ``mailto(email)``, ``link(url, label)``, ``user(id)``, ``channel(id)`` to build
  the only ``<...>`` constructs we emit; a ``|`` or ``>`` from data cannot end
  the link early (the address is percent-encoded, the label escaped).
- ``plain(text, limit)`` for ``plain_text`` objects (headers, modal titles,
  buttons), where Slack shows text literally and only needs one line.

Example (an alert field another view wants to add)::

    from bot.views.mrkdwn import inline, mailto
    f"*Owner*\\n{inline(owner_name, 200)} · {mailto(owner_email)}"
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

ZWSP = "\u200b"
"""Zero-width space: fences a formatting character so Slack shows it but does not apply it."""

_FORMATTING = re.compile(r"`|(?<![^\W_])[*_~]|[*_~](?![^\W_])")
"""Backticks, and ``*_~`` with a non-letter/digit on either side: only those can open or close
formatting (Slack ignores ``demo_request`` or ``a*b``, so those stay untouched)."""
_MAY_FORMAT = re.compile(r"[*_~`]")
_LINE_BREAKS = re.compile(r"[\r\n\t\v\f\u2028\u2029\x85]+")
_PARTIAL_ENTITY = re.compile(r"&[a-z]{0,3}$")
_SLACK_ID = re.compile(r"^[A-Z][A-Z0-9]{2,30}$")
_ELLIPSIS = "…"


def escape(text: object) -> str:
    """``&``, ``<`` and ``>`` as Slack's entities: no mention, link or @channel can form."""
    if text is None or text == "":
        return ""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def one_line(text: object) -> str:
    """Line breaks and tabs as single spaces, ends trimmed."""
    if text is None:
        return ""
    value = str(text)
    if value.isprintable():  # no line break, tab or other control character: nothing to do
        return value.strip()
    return _LINE_BREAKS.sub(" ", value).strip()


def neutralise(text: str) -> str:
    """``*_~``` shown as typed: a zero-width space either side stops them pairing up.

    Only characters at a word boundary are fenced; inside a word they never format.
    """
    if not _MAY_FORMAT.search(text):
        return text
    return _FORMATTING.sub(lambda match: f"{ZWSP}{match.group()}{ZWSP}", text)


def inline(text: object, limit: int | None = None) -> str:
    """An outside value for one line of mrkdwn: escaped, one line, no formatting, clipped."""
    shown = neutralise(escape(one_line(text)))
    return clip(shown, limit) if limit is not None else shown


def clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters with an ellipsis, never inside ``&amp;`` or ``<…>``."""
    if len(text) <= limit:
        return text
    cut = _PARTIAL_ENTITY.sub("", text[: max(0, limit - 1)])
    opened = cut.rfind("<")
    if opened > cut.rfind(">"):
        cut = cut[:opened]
    if cut.endswith(ZWSP):
        cut = cut.rstrip(ZWSP)
    return cut + _ELLIPSIS


def plain(text: object, limit: int | None = None) -> str:
    """Text for a ``plain_text`` object: one line, clipped; Slack shows it literally."""
    shown = one_line(text)
    if limit is not None and len(shown) > limit:
        return shown[: limit - 1] + _ELLIPSIS
    return shown


def mailto(email: object, label: object | None = None) -> str:
    """A mailto link whose address and label cannot break out of ``<...|...>``."""
    address = one_line(email)
    if not address:
        return ""
    href = "mailto:" + quote(address, safe="@.+-_~!$'()*,;=:")
    return f"<{href}|{inline(label if label is not None else address)}>"


def link(url: object, label: object | None = None) -> str:
    """An http(s) link; anything else (``javascript:``, garbage) is shown as inert text."""
    address = one_line(url)
    shown = inline(label if label is not None else address)
    parts = urlsplit(address) if address else None
    if parts is None or parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return shown
    href = quote(address, safe="/:?#[]@!$&'()*+,;=%-._~")
    href = href.replace("&", "&amp;")
    return f"<{href}|{shown}>"


def user(user_id: object, *, fallback: str = "someone") -> str:
    """A mention of a real Slack user ID (``U…``/``W…``); anything else is shown inert."""
    value = one_line(user_id)
    if not value:
        return fallback
    if _SLACK_ID.match(value) and value[0] in "UW":
        return f"<@{value}>"
    return inline(value)


def channel(channel_id: object) -> str:
    """A channel link for a real channel ID (``C…``/``G…``); anything else is shown inert."""
    value = one_line(channel_id)
    if _SLACK_ID.match(value) and value[0] in "CGD":
        return f"<#{value}>"
    return inline(value) or "a channel"
