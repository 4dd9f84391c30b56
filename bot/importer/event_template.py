"""One ``events:`` entry of an import mapping, checked where it is written.

Every problem is appended to ``errors`` with its place (``events[1].repeat.max``)
instead of stopping at the first, so a person fixing a mapping file sees all
of them at once. The format is described in ``bot.importer.mapping``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from bot.importer.conditions import Condition, columns_read, lookup_references, parse_condition
from bot.importer.errors import SpecError
from bot.importer.lookups import Lookup
from bot.importer.values import ValueSpec, parse_spec
from scoring.rule_set import LEAD_FIELDS

EVENT_TYPES = ("lead.created", "lead.updated", "activity", "deal.updated")
SECTIONS = {
    "lead": (*LEAD_FIELDS, "attributes"),
    "activity": ("kind", "url", "properties"),
    "deal": ("stage", "amount"),
}
NESTED = {"attributes": "lead", "properties": "activity"}
EVENT_KEYS = ("type", "id", "occurred_at", "lead", "activity", "deal", "when", "repeat")
MAX_REPEAT = 1_000
UTC_ZONE = ZoneInfo("UTC")


@dataclass(frozen=True)
class Repeat:
    column: str
    max: int


@dataclass(frozen=True)
class EventTemplate:
    """One ``events:`` entry; ``values`` maps event paths (``lead.attributes.x``) to specs."""

    where: str
    values: dict[str, ValueSpec]
    time_format: str | None = None
    zone: ZoneInfo = UTC_ZONE
    when: Condition | None = None
    repeat: Repeat | None = None

    def columns(self, lookups: Mapping[str, Lookup]) -> dict[str, set[str]]:
        """Every column of the imported file the template reads, by the path that reads it."""
        used = {path: spec.columns for path, spec in self.values.items()}
        for path, spec in self.values.items():
            if spec.lookup is not None and spec.lookup[0] in lookups:
                used[path] = {lookups[spec.lookup[0]].on}
        if self.when:
            used["when"] = columns_read(self.when, lookups)
        if self.repeat:
            used["repeat"] = {self.repeat.column}
        return used

    def check_lookups(
        self, lookups: Mapping[str, Lookup], errors: list[str], *, failed: set[str]
    ) -> None:
        """Every lookup and lookup column the template names must exist.

        Lookups that ``failed`` to load were reported already and are skipped.
        """
        named: list[tuple[str, tuple[str, str | None]]] = [
            (path, spec.lookup) for path, spec in self.values.items() if spec.lookup
        ]
        if self.when is not None:
            references = sorted(lookup_references(self.when), key=str)
            named += [("when", reference) for reference in references]
        for path, (name, column) in named:
            lookup = lookups.get(name)
            if name in failed:
                continue
            if lookup is None:
                known = ", ".join(sorted(lookups)) or "none are defined"
                errors.append(f"{self.where}.{path}: no lookup {name!r} ({known})")
            elif column is not None and column not in lookup.columns:
                shown = ", ".join(repr(c) for c in list(lookup.columns)[:40])
                errors.append(
                    f"{self.where}.{path}: no column {column!r} in {lookup.path.name} "
                    f"(it has {shown})"
                )


def parse_event_template(raw: Any, where: str, errors: list[str]) -> EventTemplate | None:
    """The template, or None after appending its problems to ``errors``."""
    if not isinstance(raw, dict):
        errors.append(f"{where}: an event template is a dictionary")
        return None
    start = len(errors)
    for key in set(raw) - set(EVENT_KEYS):
        errors.append(f"{where}: unknown key {key!r} (use {', '.join(EVENT_KEYS)})")
    values: dict[str, ValueSpec] = {}
    time_format, zone = _time_options(raw.get("occurred_at"), where, errors)
    for key in ("type", "id", "occurred_at"):
        if raw.get(key) is None:
            errors.append(f"{where}.{key}: required")
        else:
            _spec(values, key, raw[key], where, errors)
    for section, allowed in SECTIONS.items():
        _section(values, section, raw.get(section), allowed, where, errors)
    if "lead.email" not in values and isinstance(raw.get("lead"), dict):
        errors.append(f"{where}.lead.email: required (a lead is identified by its email)")
    elif "lead" not in raw:
        errors.append(f"{where}.lead: required, with at least an email")
    when = _when(raw.get("when"), where, errors)
    repeat = _repeat(raw.get("repeat"), where, errors)
    _check_type_and_ids(values, raw, repeat, where, errors)
    if len(errors) > start:
        return None
    return EventTemplate(where, values, time_format, zone, when, repeat)


def _time_options(raw: Any, where: str, errors: list[str]) -> tuple[str | None, ZoneInfo]:
    zone = UTC_ZONE
    if not isinstance(raw, dict):
        return None, zone
    raw = dict(raw)
    time_format = raw.get("format")
    if time_format is not None and not isinstance(time_format, str):
        errors.append(f"{where}.occurred_at.format: must be a strptime format string")
    name = raw.get("timezone", "UTC")
    try:
        zone = ZoneInfo(str(name))
    except (ValueError, KeyError, OSError):
        errors.append(f"{where}.occurred_at.timezone: unknown time zone {name!r}")
    return time_format, zone


def _spec(values: dict[str, ValueSpec], path: str, raw: Any, where: str, errors: list[str]) -> None:
    if path == "occurred_at" and isinstance(raw, dict):
        raw = {k: v for k, v in raw.items() if k not in ("format", "timezone")}
    try:
        values[path] = parse_spec(raw)
    except SpecError as exc:
        errors.append(f"{where}.{path}: {exc}")


def _section(
    values: dict[str, ValueSpec],
    section: str,
    raw: Any,
    allowed: tuple[str, ...],
    where: str,
    errors: list[str],
) -> None:
    if raw is None:
        return
    if not isinstance(raw, dict):
        errors.append(f"{where}.{section}: must be a dictionary")
        return
    for key, item in raw.items():
        path = f"{section}.{key}"
        if key not in allowed:
            errors.append(f"{where}.{path}: unknown field (use {', '.join(allowed)})")
        elif NESTED.get(key) == section:
            if not isinstance(item, dict):
                errors.append(f"{where}.{path}: must be a dictionary {{key: value}}")
                continue
            for name, spec in item.items():
                _spec(values, f"{path}.{name}", spec, where, errors)
        else:
            _spec(values, path, item, where, errors)


def _when(raw: Any, where: str, errors: list[str]) -> Condition | None:
    if raw is None:
        return None
    return parse_condition(raw, f"{where}.when", errors)


def _repeat(raw: Any, where: str, errors: list[str]) -> Repeat | None:
    if raw is None:
        return None
    column = raw.get("column") if isinstance(raw, dict) else None
    limit = raw.get("max", 20) if isinstance(raw, dict) else None
    if not isinstance(column, str) or set(raw) - {"column", "max"}:
        errors.append(f"{where}.repeat: write {{column: NAME, max: 20}}")
        return None
    if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= MAX_REPEAT:
        errors.append(f"{where}.repeat.max: a whole number from 1 to {MAX_REPEAT}")
        return None
    return Repeat(column.strip(), limit)


def _check_type_and_ids(
    values: dict[str, ValueSpec],
    raw: dict[str, Any],
    repeat: Repeat | None,
    where: str,
    errors: list[str],
) -> None:
    kind = values.get("type")
    if kind is not None and kind.template is not None and not kind.template.columns:
        constant = "".join(p for p in kind.template.parts if isinstance(p, str))
        if constant not in EVENT_TYPES:
            errors.append(f"{where}.type: {constant!r} is not one of {', '.join(EVENT_TYPES)}")
        elif constant == "activity" and "activity" not in raw:
            errors.append(f"{where}.activity: required for type activity (at least a kind)")
        elif constant == "deal.updated" and "deal" not in raw:
            errors.append(f"{where}.deal: required for type deal.updated (at least a stage)")
    event_id = values.get("id")
    if event_id is not None and not event_id.columns:
        errors.append(f"{where}.id: needs a {{Column}} placeholder so each row gets its own id")
    if repeat is not None and event_id is not None and not event_id.uses_counter:
        errors.append(f"{where}.id: a repeated event's id needs {{n}} so each one is distinct")
    if repeat is None:
        for path, spec in values.items():
            if spec.uses_counter:
                errors.append(f"{where}.{path}: {{n}} is only defined in a `repeat` event")


def distinct_ids(templates: list[EventTemplate], errors: list[str]) -> None:
    """Two templates with one id template would give their events the same ids."""
    seen: dict[str, str] = {}
    for template in templates:
        key = repr(template.values["id"])
        if key in seen:
            errors.append(f"{template.where}.id: same id template as {seen[key]}: ids would clash")
        seen.setdefault(key, template.where)
