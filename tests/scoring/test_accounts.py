"""A lead's account is its company's registered domain, never a free-mail provider."""

from __future__ import annotations

import pytest

from scoring.accounts import account_key, bundled_free_mail, parse_domain_list

FREE = bundled_free_mail()


@pytest.mark.parametrize(
    ("email", "account"),
    [
        ("ana@acme.io", "acme.io"),
        ("ana@eu.mail.acme.io", "acme.io"),
        ("bo@shop.acme.co.uk", "acme.co.uk"),
        ("cy@ACME.COM", "acme.com"),
        ("dee@gmail.com", None),
        ("eve@yahoo.co.uk", None),
        ("fay@localhost", None),
    ],
)
def test_subdomains_fold_and_free_mail_has_no_account(email: str, account: str | None) -> None:
    assert account_key(None, email, FREE) == account


def test_an_explicit_account_wins_and_crm_ids_keep_their_case() -> None:
    assert account_key("www.Acme.io", "ana@gmail.com", FREE) == "acme.io"
    assert account_key(" 0015g00000XyZ ", "ana@acme.io", FREE) == "0015g00000XyZ"


def test_the_free_mail_list_can_be_replaced() -> None:
    custom = parse_domain_list("# ours\npartner.io\n\nacme.io  # staff addresses\n")
    assert custom == {"partner.io", "acme.io"}
    assert account_key(None, "ana@acme.io", custom) is None
    assert account_key(None, "ana@gmail.com", custom) == "gmail.com"
