"""Which account a lead belongs to: its email's registered domain, unless it is personal mail.

Subdomains fold into the registered domain (``eu.mail.acme.io`` is ``acme.io``,
``shop.acme.co.uk`` is ``acme.co.uk``) using the Public Suffix List shipped
inside the ``publicsuffixlist`` package, which is never fetched at run time.
A CRM may name the account itself (``lead.account``: an account id or a
domain); that wins over the email.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache, lru_cache
from importlib.resources import files

from publicsuffixlist import PublicSuffixList


@cache
def _suffixes() -> PublicSuffixList:
    return PublicSuffixList()


def bundled_free_mail() -> frozenset[str]:
    """The free-mail domains shipped with the package (``scoring/data/free_mail.txt``)."""
    return parse_domain_list((files("scoring") / "data" / "free_mail.txt").read_text("utf-8"))


def parse_domain_list(text: str) -> frozenset[str]:
    """One domain a line; blank lines and ``#`` comments are ignored."""
    domains = (line.split("#", 1)[0].strip().casefold() for line in text.splitlines())
    return frozenset(domain for domain in domains if domain)


@lru_cache(maxsize=4_096)
def registered_domain(host: str) -> str | None:
    """``acme.io`` for ``eu.app.acme.io``; None for a bare suffix or a name with no dot.

    Cached: a batch names the same few domains again and again (a CRM export
    often has one for every row), and the suffix lookup is a pure function.
    """
    host = host.strip().strip(".").casefold()
    if "." not in host:
        return None
    return _suffixes().privatesuffix(host)


def email_account(email: str, free_mail: Iterable[str] | frozenset[str]) -> str | None:
    """The account key of an email address: its registered domain, None for free mail."""
    domain = email.rpartition("@")[2]
    registered = registered_domain(domain)
    if registered is None or registered in free_mail or domain.casefold() in free_mail:
        return None
    return registered


def account_key(explicit: str | None, email: str, free_mail: frozenset[str]) -> str | None:
    """The account a lead belongs to: ``lead.account`` when given, else the email's domain.

    An explicit account that looks like a host name folds like an email's
    domain (``www.acme.io`` is ``acme.io``); anything else (a CRM account id)
    is kept as sent, trimmed (CRM ids may be case-sensitive).
    """
    if explicit is not None and explicit.strip():
        key = explicit.strip()
        if _HOST.fullmatch(key.casefold()):
            return registered_domain(key) or key.casefold()
        return key
    return email_account(email, free_mail)


_HOST = re.compile(r"(?:[a-z0-9-]+\.)+[a-z]{2,63}")
