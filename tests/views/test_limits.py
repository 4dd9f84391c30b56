"""Long lists always fit Slack: sections within 3,000 characters, the rest counted."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from bot.views.limits import MAX_SECTION_TEXT, button, line_sections, within_block_limit

lines = st.lists(st.text(min_size=0, max_size=4000).map(lambda t: t.replace("\n", " ")))


@given(lines=lines, hidden=st.integers(0, 10**6), max_sections=st.integers(1, 10))
def test_every_line_is_shown_or_counted_and_no_section_is_too_long(
    lines: list[str], hidden: int, max_sections: int
) -> None:
    sections = line_sections(lines, title="Leads", hidden=hidden, max_sections=max_sections)
    assert 1 <= len(sections) <= max_sections
    texts = [block["text"]["text"] for block in sections]
    assert all(len(text) <= MAX_SECTION_TEXT for text in texts)
    body = "\n".join(texts).split("\n")[1:]  # the title line first
    more = [int(m.group(1)) for line in body if (m := re.fullmatch(r"_…and (\d+) more_", line))]
    shown = len(body) - len(more)
    assert shown + sum(more) == len(lines) + hidden
    assert len(more) <= 1


def test_too_many_blocks_end_with_how_many_were_left_out() -> None:
    blocks = [{"type": "divider"}] * 60
    kept = within_block_limit(blocks)
    assert len(kept) == 50
    assert kept[-1]["elements"][0]["text"] == "_…and 11 more_"


def test_button_labels_are_clipped_to_75_characters() -> None:
    label = button("x" * 200, action_id="a", value="v")["text"]["text"]
    assert len(label) == 75 and label.endswith("…")
