"""The column mapping of ``leadscore import FILE --mapping MAP.yml``.

A mapping turns each CSV row into one or more contract events::

    delimiter: ","                 # default ","
    encoding: utf-8-sig            # default utf-8-sig (a BOM is ignored)
    null_values: ["", "Select", "NULL", "N/A"]   # cells that mean "missing" (the default)
    columns: {Stage: {null_values: [unknown]}}   # more of them, in one column only
    lookups:                       # other files joined by key, loaded once (bot.importer.lookups)
      deals: {file: deals.csv, key: Lead ID}
    events:                        # each template gives one event per row (or N, see repeat)
      - type: lead.created         # constant or template
        id: "crm-{Lead ID}-created"      # template; deterministic, so a re-run finds duplicates
        occurred_at: {column: Created, format: "%d/%m/%Y %H:%M", timezone: Europe/Berlin}
        lead:
          email: {column: Email, transform: lower}
          company_size: {column: Employees, type: int}
          region: {column: Country, map: {DE: EMEA, US: AMER}, else: Other}
          attributes: {source: "{Lead Source}", won_on: {lookup: deals, column: Won, default: no}}
        when: {any: [{column: Email, not_empty: true}, {lookup: deals, found: true}]}
      - type: activity
        id: "crm-{_row}-visit-{n}"     # {_row}: the row's line; {_hash}: a digest of its cells
        occurred_at: "{Created}"
        repeat: {column: Visits, max: 20}          # N events, numbered {n} = 1..N
        lead: {email: "{Email}"}
        activity: {kind: page_view, url: "{Landing Page}", properties: {visit: "{n}"}}

Values are described in ``bot.importer.values``, conditions in
``bot.importer.conditions``, transforms in ``bot.importer.transforms``.
Without ``--mapping`` the CSV's columns are named after the contract (see
``bot.importer.defaults``). Full reference: docs/import-mapping.md.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.importer.event_template import EventTemplate, distinct_ids, parse_event_template
from bot.importer.lookups import Lookup, parse_lookups

DEFAULT_NULLS = ("", "Select", "NULL", "N/A")


class MappingError(ValueError):
    """The mapping file is unusable; ``errors`` lists every problem found."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class Mapping:
    events: tuple[EventTemplate, ...]
    delimiter: str = ","
    encoding: str = "utf-8-sig"
    null_values: frozenset[str] = frozenset(DEFAULT_NULLS)
    column_nulls: dict[str, frozenset[str]] = field(default_factory=dict)
    """Cells that mean missing in one column only, besides ``null_values`` (``columns:``)."""
    lookups: dict[str, Lookup] = field(default_factory=dict)


OPTIONS = ("delimiter", "encoding", "null_values", "columns", "lookups", "events")


def load_mapping(path: Path) -> Mapping:
    """Read and check a mapping file; raises MappingError listing every problem.

    Lookup files are found relative to the mapping file's folder.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise MappingError([f"cannot read {path}: {exc}"]) from None
    return parse_mapping(text, base=path.parent)


def parse_mapping(text: str, *, base: Path | None = None) -> Mapping:
    """Check mapping text; lookup files are relative to ``base`` (default: the current folder)."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise MappingError([f"not valid YAML: {exc}"]) from None
    return mapping_from_data(data, base=base)


def mapping_from_data(data: Any, *, base: Path | None = None) -> Mapping:
    """Check a mapping already loaded from YAML (or built in code)."""
    if not isinstance(data, dict):
        raise MappingError(["a mapping file is a YAML dictionary with an `events:` list"])
    errors: list[str] = []
    for key in sorted(set(data) - set(OPTIONS), key=str):
        errors.append(f"unknown option {key!r} (use {', '.join(OPTIONS)})")
    delimiter = data.get("delimiter", ",")
    if not isinstance(delimiter, str) or len(delimiter) != 1:
        errors.append(f"delimiter must be one character, not {delimiter!r}")
    encoding = data.get("encoding", "utf-8-sig")
    try:
        codecs.lookup(str(encoding))
    except LookupError:
        errors.append(f"encoding: unknown encoding {encoding!r}")
    nulls = data.get("null_values", list(DEFAULT_NULLS))
    if not isinstance(nulls, list) or any(isinstance(v, dict | list) for v in nulls):
        errors.append("null_values must be a list of strings")
        nulls = []
    null_values = _null_set(nulls)
    column_nulls = _column_nulls(data.get("columns"), errors)
    lookups = parse_lookups(
        data.get("lookups"),
        base=base or Path.cwd(),
        delimiter=delimiter if isinstance(delimiter, str) and len(delimiter) == 1 else ",",
        encoding=str(encoding),
        nulls=null_values,
        errors=errors,
    )
    raw_events = data.get("events")
    templates: list[EventTemplate] = []
    if not isinstance(raw_events, list) or not raw_events:
        errors.append("events: give a list of at least one event template")
    else:
        for i, raw in enumerate(raw_events):
            template = parse_event_template(raw, f"events[{i}]", errors)
            if template is not None:
                templates.append(template)
        distinct_ids(templates, errors)
        named = data.get("lookups")
        failed = {str(n) for n in named} - set(lookups) if isinstance(named, dict) else set()
        for template in templates:
            template.check_lookups(lookups, errors, failed=failed)
    if errors:
        raise MappingError(errors)
    return Mapping(
        events=tuple(templates),
        delimiter=delimiter,
        encoding=str(encoding),
        null_values=null_values,
        column_nulls=column_nulls,
        lookups=lookups,
    )


def _null_set(values: list[Any]) -> frozenset[str]:
    return frozenset("" if v is None else str(v).strip() for v in values)


def _column_nulls(raw: Any, errors: list[str]) -> dict[str, frozenset[str]]:
    """``columns: {NAME: {null_values: [...]}}``: more cells meaning missing, in one column."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        errors.append("columns: a dictionary {COLUMN: {null_values: [...]}}")
        return {}
    found: dict[str, frozenset[str]] = {}
    for name, options in raw.items():
        values = options.get("null_values") if isinstance(options, dict) else None
        if (
            not isinstance(options, dict)
            or set(options) != {"null_values"}
            or not isinstance(values, list)
            or any(isinstance(v, dict | list | bool) for v in values)
        ):
            errors.append(
                f"columns.{name}: write {{null_values: [TEXT, ...]}} (quote yes/no/true/false)"
            )
            continue
        found[str(name).strip()] = _null_set(values)
    return found
