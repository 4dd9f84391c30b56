"""The one way outside text enters mrkdwn: escaped, one line, no formatting, safe to clip."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.views.mrkdwn import ZWSP, channel, clip, escape, inline, link, mailto, plain, user


def test_entities_make_mentions_and_links_inert() -> None:
    assert escape("<!channel> & <@U1>") == "&lt;!channel&gt; &amp; &lt;@U1&gt;"
    assert escape(None) == ""


def test_one_line_values_lose_line_breaks_and_cannot_open_formatting() -> None:
    shown = inline("*bold* _it_\n~st~ `code`")
    assert "\n" not in shown
    for opened in ("*bold*", "_it_", "~st~", "`code`"):
        assert opened not in shown
    assert shown.replace(ZWSP, "") == "*bold* _it_ ~st~ `code`", "shown as typed"


def test_characters_inside_a_word_are_left_alone() -> None:
    assert inline("demo_request a*b john_doe@x.io") == "demo_request a*b john_doe@x.io"


@pytest.mark.parametrize("limit", range(2, 30))
def test_clipping_never_cuts_an_entity_or_a_link(limit: int) -> None:
    text = "ab " + escape("&&&<>") + " <@U123> " + mailto("a@b.io")
    clipped = clip(text, limit)
    assert len(clipped) <= limit
    tail = clipped.removesuffix("…")
    last_amp = tail.rfind("&")
    assert last_amp == -1 or tail.find(";", last_amp) != -1, clipped
    assert tail.rfind("<") <= tail.rfind(">"), clipped


@given(st.text(max_size=60), st.integers(min_value=1, max_value=80))
def test_clipped_inline_text_never_holds_a_raw_bracket(text: str, limit: int) -> None:
    shown = inline(text, limit)
    assert "<" not in shown and ">" not in shown
    assert len(shown) <= max(limit, 1)


def test_mailto_links_cannot_be_ended_by_the_address() -> None:
    assert mailto("x|y>z@evil.example") == "<mailto:x%7Cy%3Ez@evil.example|x|y&gt;z@evil.example>"
    assert mailto("") == ""


def test_only_http_links_are_links() -> None:
    assert link("https://ex.com/a?b=1&c=2", "pricing") == "<https://ex.com/a?b=1&amp;c=2|pricing>"
    assert link("javascript:alert(1)", "x") == "x"
    assert link("https://ex.com/|<!channel>", "<!here>").startswith("<https://ex.com/%7C%3C")


def test_mentions_only_for_real_ids() -> None:
    assert user("U01") == "<@U01>"
    assert user("<!channel>") == "&lt;!channel&gt;"
    assert user(None) == "someone"
    assert channel("C0EMEA") == "<#C0EMEA>"
    assert channel("<!here>") == "&lt;!here&gt;"


def test_plain_text_is_one_line_and_clipped() -> None:
    assert plain("a\nb", 10) == "a b"
    assert plain("x" * 20, 10) == "x" * 9 + "…"
