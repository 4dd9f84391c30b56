"""The mapping language for real exports: row ids, per-column nulls, map else, compound when,
transforms, and lookups joining a second file."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from bot.importer import MappingError, RowMapper, RowRejected, load_mapping, parse_mapping

HEADER = ["Lead ID", "Email", "Visits", "Plan", "Score", "Note"]
BASE = """
- type: activity
  id: "x-{Lead ID}"
  occurred_at: "2026-11-24T10:00:00Z"
  lead: {email: "{Email}"}
  activity: {kind: page_view}
"""


def mapper(events_yaml: str, header: list[str] = HEADER, top: str = "") -> RowMapper:
    text = textwrap.dedent(top) + "events:\n" + textwrap.indent(textwrap.dedent(events_yaml), "  ")
    return RowMapper(parse_mapping(text), header)


def row(plan: str = "", score: str = "", note: str = "", lead_id: str = "7") -> list[str]:
    return [lead_id, "a@b.io", "", plan, score, note]


def attribute(spec: str) -> RowMapper:
    return mapper(BASE.replace("lead: {email:", f"lead: {{attributes: {{v: {spec}}}, email:"))


def test_files_without_ids_use_the_line_number_or_a_stable_row_hash() -> None:
    rows = mapper(
        BASE.replace('"x-{Lead ID}"', '"x-{_row}"')
        + "- type: lead.created\n"
        + '  id: "h-{_hash}"\n'
        + '  occurred_at: "2026-11-24T10:00:00Z"\n'
        + '  lead: {email: "{Email}"}\n'
    )
    first = rows.events(row("Pro"), line=12)
    assert first[0].id == "x-12"
    again = RowMapper(rows.mapping, HEADER).events(row("Pro"), line=99)
    assert first[1].id == again[1].id  # the same row hashes the same, on any run or line
    assert rows.events(row("Team"), line=12)[1].id != first[1].id
    assert len(first[1].id) == len("h-") + 16


def test_null_values_can_be_given_for_one_column_only() -> None:
    rows = mapper(
        BASE.replace("lead: {email:", 'lead: {title: "{Note}", company: "{Plan}", email:'),
        top="null_values: ['']\ncolumns:\n  Note: {null_values: [unknown]}\n",
    )
    event = rows.events(row(plan="unknown", note="unknown"))[0]
    assert event.lead.title is None  # "unknown" means missing in Note ...
    assert event.lead.company == "unknown"  # ... and only there
    assert rows.events(row(note=""))[0].lead.title is None  # the file-wide nulls still hold


@pytest.mark.parametrize(
    ("cell", "expected"),
    [("Won", "closed_won"), ("Lost", "closed_lost"), ("Abandoned", "closed_lost"), ("", "none")],
)
def test_map_else_gives_unmapped_values_one_value(cell: str, expected: str) -> None:
    rows = attribute("{column: Plan, map: {Won: closed_won}, else: closed_lost, default: none}")
    assert rows.events(row(plan=cell))[0].lead.attributes["v"] == expected


def test_map_else_null_drops_unmapped_values() -> None:
    rows = attribute("{column: Plan, map: {Won: closed_won}, else: null}")
    assert "v" not in rows.events(row(plan="Other"))[0].lead.attributes


@pytest.mark.parametrize(
    ("when", "rows_given", "expected"),
    [
        ("{column: Score, at_most: 10}", ["10", "10.5", "x", ""], [True, False, False, False]),
        ("{column: Score, between: [1, 5]}", ["1", "5", "5.1", "0"], [True, True, False, False]),
        ("{column: Score, at_least: 2, at_most: 3}", ["2", "4"], [True, False]),
        ("{column: Plan, not_in: [Free, Trial]}", ["Pro", "Free", ""], [True, False, True]),
        ("{not: {column: Plan, equals: Free}}", ["Pro", "Free"], [True, False]),
        (
            "{any: [{column: Plan, equals: Pro}, {column: Score, at_least: 50}]}",
            ["Pro|1", "Free|60", "Free|1"],
            [True, True, False],
        ),
        (
            "{all: [{column: Plan, in: [Pro, Team]}, {not: {column: Score, not_empty: true}}]}",
            ["Pro|", "Pro|3", "Free|"],
            [True, False, False],
        ),
        (
            "[{column: Plan, equals: Pro}, {column: Score, equals: 1}]",
            ["Pro|1", "Pro|2"],
            [True, False],
        ),
    ],
)
def test_compound_when(when: str, rows_given: list[str], expected: list[bool]) -> None:
    rows = mapper(BASE + f"  when: {when}\n")
    produced = []
    for given in rows_given:
        if "|" in given:
            plan, score = given.split("|")
            produced.append(bool(rows.events(row(plan=plan, score=score))))
        elif "Score" in when:
            produced.append(bool(rows.events(row(score=given))))
        else:
            produced.append(bool(rows.events(row(plan=given))))
    assert produced == expected


@pytest.mark.parametrize(
    ("spec", "cell", "value"),
    [
        ("{column: Note, transform: lower}", "Ana@ACME.io", "ana@acme.io"),
        ("{column: Note, transform: upper}", "de", "DE"),
        ("{column: Note, transform: slug}", "Ana Ruiz (São Paulo)", "ana-ruiz-sao-paulo"),
        ("{column: Note, transform: [slug, upper]}", "a b", "A-B"),
        ("{column: Score, transform: {multiply: 100}, type: int}", "2.5", 250),
        ("{column: Score, transform: [{divide: 3}, {round: 2}]}", "10", 3.33),
        ("{column: Score, transform: [{add: 1}, {subtract: 0.5}]}", "1", 1.5),
        ("{column: Note, transform: {offset: {days: 30}}}", "2018-01-15", "2018-02-14"),
        (
            "{column: Note, transform: {offset: {hours: 2}}}",
            "2018-01-15T10:00:00",
            "2018-01-15T12:00:00",
        ),
        ("{column: Note, transform: lower, map: {yes: won}}", "YES", "won"),
    ],
)
def test_transforms(spec: str, cell: str, value: object) -> None:
    rows = attribute(spec)
    assert rows.events(row(note=cell, score=cell))[0].lead.attributes["v"] == value


@pytest.mark.parametrize("cell", ["yes", "Yes", "YES", "true", "on"])
def test_unquoted_yes_in_the_mapping_matches_the_cell_yes(cell: str) -> None:
    rows = attribute("{column: Plan, map: {yes: closed_won, no: closed_lost}}")
    assert rows.events(row(plan=cell))[0].lead.attributes["v"] == "closed_won"
    assert bool(mapper(BASE + "  when: {column: Plan, equals: yes}\n").events(row(plan=cell)))
    assert not mapper(BASE + "  when: {column: Plan, in: [no]}\n").events(row(plan=cell))


def test_a_cell_that_is_not_a_number_rejects_the_row_for_arithmetic() -> None:
    rows = attribute("{column: Score, transform: {multiply: 2}}")
    with pytest.raises(RowRejected, match=r"lead\.attributes\.v: 'lots' is not a number"):
        rows.events(row(score="lots"))


def test_occurred_at_offset_applies_after_the_format() -> None:
    rows = mapper(
        BASE.replace(
            '"2026-11-24T10:00:00Z"',
            '{column: Note, format: "%d/%m/%Y", transform: {offset: {days: 1, hours: 9}}}',
        )
    )
    assert rows.events(row(note="31/12/2025"))[0].occurred_at.isoformat() == (
        "2026-01-01T09:00:00+00:00"
    )


@pytest.fixture
def deals_mapping(tmp_path: Path) -> Path:
    (tmp_path / "deals.csv").write_text(
        "lead,won_on,amount\n7,2026-12-01,900\n8,2026-12-02,\n", encoding="utf-8"
    )
    mapping = tmp_path / "map.yml"
    mapping.write_text(
        textwrap.dedent(
            """
            lookups:
              deals: {file: deals.csv, key: lead, on: Lead ID}
            events:
              - type: deal.updated
                id: "won-{Lead ID}"
                occurred_at: {lookup: deals, column: won_on}
                when: {lookup: deals, found: true}
                lead: {email: "{Email}"}
                deal:
                  stage: closed_won
                  amount: {lookup: deals, column: amount, type: float}
              - type: deal.updated
                id: "lost-{Lead ID}"
                occurred_at: "2026-12-31T00:00:00Z"
                when: {lookup: deals, found: false}
                lead: {email: "{Email}"}
                deal: {stage: closed_lost}
              - type: lead.updated
                id: "amount-{Lead ID}"
                occurred_at: "2026-11-24T10:00:00Z"
                lead:
                  email: "{Email}"
                  attributes: {won_on: {lookup: deals, column: won_on, default: never}}
            """
        ),
        encoding="utf-8",
    )
    return mapping


def test_a_lookup_joins_the_other_file_by_key(deals_mapping: Path) -> None:
    rows = RowMapper(load_mapping(deals_mapping), HEADER)
    won = rows.events(row(lead_id="7"))
    assert [e.id for e in won] == ["won-7", "amount-7"]
    assert won[0].occurred_at.isoformat() == "2026-12-01T00:00:00+00:00"
    assert won[0].deal is not None and won[0].deal.amount == 900.0
    assert won[1].lead.attributes["won_on"] == "2026-12-01"
    not_in_deals = rows.events(row(lead_id="9"))
    assert [e.id for e in not_in_deals] == ["lost-9", "amount-9"]
    assert not_in_deals[1].lead.attributes["won_on"] == "never"  # the default


def test_a_row_without_a_match_is_rejected_when_there_is_no_default(tmp_path: Path) -> None:
    (tmp_path / "accounts.csv").write_text("id,name\n1,Acme\n", encoding="utf-8")
    mapping = tmp_path / "map.yml"
    mapping.write_text(
        "lookups: {accounts: {file: accounts.csv, key: id, on: Score}}\nevents:\n"
        + textwrap.indent(
            textwrap.dedent(
                BASE.replace(
                    "lead: {email:", "lead: {company: {lookup: accounts, column: name}, email:"
                )
            ),
            "  ",
        ),
        encoding="utf-8",
    )
    rows = RowMapper(load_mapping(mapping), HEADER)
    assert rows.events(row(score="1"))[0].lead.company == "Acme"
    with pytest.raises(
        RowRejected, match=r"lookup 'accounts': no row with id '2' in accounts\.csv"
    ):
        rows.events(row(score="2"))


def test_lookup_mistakes_are_all_reported_before_importing(tmp_path: Path) -> None:
    (tmp_path / "dupes.csv").write_text("id,x\n1,a\n2,b\n1,c\n", encoding="utf-8")
    mapping = tmp_path / "map.yml"
    mapping.write_text(
        textwrap.dedent(
            """
            lookups:
              gone: {file: missing.csv, key: id}
              dupes: {file: dupes.csv, key: id}
              nokey: {file: dupes.csv, key: ident}
            events:
              - type: lead.created
                id: "c-{_row}"
                occurred_at: "2026-11-24T10:00:00Z"
                when: {lookup: elsewhere, found: true}
                lead: {email: "{Email}", name: {lookup: dupes, column: x}}
            """
        ),
        encoding="utf-8",
    )
    with pytest.raises(MappingError) as caught:
        load_mapping(mapping)
    errors = caught.value.errors
    assert any(e.startswith("lookups.gone.file: cannot read") for e in errors), errors
    assert "lookups.dupes.key: id is not unique in dupes.csv: '1' on lines 2 and 4" in errors
    assert any(e.startswith("lookups.nokey.key: no column 'ident' in dupes.csv") for e in errors)
    assert any(e.startswith("events[0].when: no lookup 'elsewhere'") for e in errors), errors
    assert len(errors) == 4  # the failed lookups' uses are not reported twice


@pytest.mark.parametrize(
    ("events_yaml", "top", "message"),
    [
        (BASE + "  when: {column: Plan, equals: [x]}\n", "", "compare with text or numbers"),
        (BASE + "  when: {column: Plan, between: [1]}\n", "", "when.between: write [LOW, HIGH]"),
        (BASE + "  when: {all: []}\n", "", "when.all: a list of at least one condition"),
        (BASE + "  when: {not: {column: Plan}}\n", "", "when.not[0]: write {column: NAME"),
        (BASE + "  when: {column: Plan, at_most: lots}\n", "", "when.at_most: must be a number"),
        (
            BASE.replace("kind: page_view", "kind: {column: Plan, transform: shout}"),
            "",
            "'shout' is not a step",
        ),
        (
            BASE.replace("kind: page_view", "kind: {column: Plan, else: x}"),
            "",
            "else only goes with map",
        ),
        (
            BASE.replace(
                "kind: page_view", "kind: {column: Plan, transform: [{offset: {days: 1}}, lower]}"
            ),
            "",
            "an offset must be the last step",
        ),
        (
            BASE.replace("kind: page_view", "kind: {lookup: deals}"),
            "",
            "write {lookup: NAME, column",
        ),
        (BASE, "columns: {Plan: [unknown]}\n", "columns.Plan: write {null_values"),
        (BASE, "lookups: [a]\n", "lookups: a dictionary"),
    ],
)
def test_new_mapping_mistakes_are_reported_with_their_place(
    events_yaml: str, top: str, message: str
) -> None:
    with pytest.raises(MappingError) as caught:
        mapper(events_yaml, top=top)
    assert any(message in error for error in caught.value.errors), caught.value.errors


def test_per_column_nulls_name_real_columns() -> None:
    with pytest.raises(MappingError, match=r"columns\.Colour: no column 'Colour'"):
        mapper(BASE, top="columns: {Colour: {null_values: [unknown]}}\n")
