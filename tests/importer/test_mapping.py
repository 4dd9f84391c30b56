"""How one row becomes events: templates, value specs, `when` and `repeat`."""

from __future__ import annotations

import textwrap

import msgspec
import pytest

from bot.importer import MappingError, RowMapper, RowRejected, parse_mapping

HEADER = ["Lead ID", "Email", "Visits", "Plan", "Score", "Note"]


def mapper(events_yaml: str, header: list[str] = HEADER) -> RowMapper:
    text = "events:\n" + textwrap.indent(textwrap.dedent(events_yaml), "  ")
    return RowMapper(parse_mapping(text), header)


BASE = """
- type: activity
  id: "x-{Lead ID}"
  occurred_at: "2026-11-24T10:00:00Z"
  lead: {email: "{Email}"}
  activity: {kind: page_view}
"""


def test_template_with_a_missing_cell_is_missing_not_half_filled() -> None:
    rows = mapper(BASE.replace('{email: "{Email}"}', '{email: "{Email}", name: "Lead {Note}"}'))
    event = rows.events(["7", "a@b.io", "", "", "", "Select"])[0]
    assert event.lead.name is None
    assert msgspec.to_builtins(event)["lead"]["name"] is None


def test_literal_braces_and_spaces_around_placeholders() -> None:
    rows = mapper(BASE.replace('"x-{Lead ID}"', '"x-{{{ Lead ID }}}"'))
    assert rows.events(["7", "a@b.io", "", "", "", ""])[0].id == "x-{7}"


@pytest.mark.parametrize(
    ("when", "plans", "expected"),
    [
        ("{column: Plan, equals: Pro}", ["Pro", "pro", "Free", ""], [True, False, False, False]),
        ("{column: Plan, in: [Pro, Team]}", ["Team", "Free"], [True, False]),
        ("{column: Plan, not_empty: true}", ["Free", "", "N/A"], [True, False, False]),
        ("{column: Plan, not_empty: false}", ["Free", ""], [False, True]),
        ("{column: Plan, at_least: 10}", ["10", "9.5", "abc", ""], [True, False, False, False]),
    ],
)
def test_when_decides_which_rows_give_the_event(
    when: str, plans: list[str], expected: list[bool]
) -> None:
    rows = mapper(BASE + f"  when: {when}\n")
    produced = [bool(rows.events(["7", "a@b.io", "", plan, "", ""])) for plan in plans]
    assert produced == expected


def test_repeat_numbers_events_and_caps_them() -> None:
    rows = mapper(
        BASE.replace('"x-{Lead ID}"', '"x-{Lead ID}-{n}"') + "  repeat: {column: Visits, max: 3}\n"
    )
    assert [e.id for e in rows.events(["7", "a@b.io", "2.0", "", "", ""])] == ["x-7-1", "x-7-2"]
    assert len(rows.events(["7", "a@b.io", "40", "", "", ""])) == 3
    assert rows.events(["7", "a@b.io", "", "", "", ""]) == []
    with pytest.raises(RowRejected, match="repeat Visits: 'many' is not a number"):
        rows.events(["7", "a@b.io", "many", "", "", ""])


@pytest.mark.parametrize(
    ("spec", "cell", "value"),
    [
        ("{column: Score, type: int}", "12", 12),
        ("{column: Score, type: int}", "12.0", 12),
        ("{column: Score, type: float}", "2.5", 2.5),
        ("{column: Score, type: bool}", "Yes", True),
        ("{column: Score, type: bool}", "n", False),
        ("{column: Score, map: {A: 1, B: 2}, type: int}", "B", 2),
        ("{column: Score, map: {A: 1}}", "C", "C"),
        ("{column: Score, default: 5, type: int}", "", 5),
        ("{value: 3}", "ignored", 3),
        ("{template: '{Plan}/{Score}'}", "9", "P/9"),
    ],
)
def test_value_specs(spec: str, cell: str, value: object) -> None:
    rows = mapper(BASE.replace("lead: {email:", f"lead: {{attributes: {{v: {spec}}}, email:"))
    event = rows.events(["7", "a@b.io", "", "P", cell, ""])[0]
    assert event.lead.attributes["v"] == value


@pytest.mark.parametrize(
    ("spec", "cell", "message"),
    [
        ("{column: Score, type: int}", "1.5", "lead.attributes.v: '1.5' is not a whole number"),
        ("{column: Score, type: float}", "nan", "lead.attributes.v: 'nan' is not a finite"),
        ("{column: Score, type: bool}", "maybe", "lead.attributes.v: 'maybe' is not a yes/no"),
    ],
)
def test_conversion_errors_name_the_field(spec: str, cell: str, message: str) -> None:
    rows = mapper(BASE.replace("lead: {email:", f"lead: {{attributes: {{v: {spec}}}, email:"))
    with pytest.raises(RowRejected, match=message):
        rows.events(["7", "a@b.io", "", "", cell, ""])


def test_times_without_offset_are_read_in_the_mapping_time_zone() -> None:
    rows = mapper(
        BASE.replace(
            '"2026-11-24T10:00:00Z"',
            '{column: Note, format: "%d.%m.%Y %H:%M", timezone: America/New_York}',
        )
    )
    event = rows.events(["7", "a@b.io", "", "", "", "24.11.2026 10:00"])[0]
    assert event.occurred_at.isoformat() == "2026-11-24T15:00:00+00:00"
    with pytest.raises(RowRejected, match=r"occurred_at: '2026-11-24' does not match"):
        rows.events(["7", "a@b.io", "", "", "", "2026-11-24"])


@pytest.mark.parametrize(
    ("events_yaml", "message"),
    [
        ("- {type: activity}", "events[0].id: required"),
        (BASE.replace("activity: {kind: page_view}", ""), "events[0].activity: required"),
        (BASE.replace('"x-{Lead ID}"', "fixed"), "needs a {Column} placeholder"),
        (BASE.replace("type: activity", "type: visit"), "'visit' is not one of"),
        (BASE + "  colour: red\n", "unknown key 'colour'"),
        (BASE.replace("lead: {", "lead: {phone: x, "), "lead.phone: unknown field"),
        (BASE + "  repeat: {column: Visits}\n", "a repeated event's id needs {n}"),
        (BASE.replace("page_view", "'{n}'"), "{n} is only defined in a `repeat` event"),
        (BASE + "  when: {column: Plan}\n", "events[0].when: write {column: NAME"),
        (BASE + BASE, "events[1].id: same id template as events[0]"),
        (BASE.replace("{Lead ID}", "{Lead ID"), "unbalanced '{'"),
        (BASE.replace("kind: page_view", "kind: {column: Plan, tpye: int}"), "unknown key"),
    ],
)
def test_mapping_mistakes_are_reported_with_their_place(events_yaml: str, message: str) -> None:
    with pytest.raises(MappingError) as caught:
        mapper(events_yaml)
    assert any(message in error for error in caught.value.errors), caught.value.errors


def test_every_unknown_column_is_reported_against_the_header() -> None:
    with pytest.raises(MappingError) as caught:
        mapper(BASE.replace("{Email}", "{E-mail}").replace("{Lead ID}", "{LeadID}"))
    errors = caught.value.errors
    assert "events[0].id: no column 'LeadID' in the CSV header" in errors
    assert "events[0].lead.email: no column 'E-mail' in the CSV header" in errors
    assert errors[-1].startswith("the CSV header has: 'Lead ID', 'Email'")


def test_options_are_checked() -> None:
    text = "delimiter: ';;'\nencoding: klingon\nnull_values: 5\nfoo: 1\nevents: []\n"
    with pytest.raises(MappingError) as caught:
        parse_mapping(text)
    assert len(caught.value.errors) == 5
