"""Rule files: YAML text in, a validated ``RuleSet`` out, and back again.

Rule files are edited by sales managers, not engineers, so an invalid file is
refused whole with every problem listed at once, each line naming the rule
and the field, instead of stopping at the first typo.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import math
import re
from collections.abc import Iterator
from importlib.resources import files
from typing import Any, get_args

import yaml
from pydantic import BaseModel, TypeAdapter, ValidationError
from pydantic_core import ErrorDetails

from scoring.rule_set import RuleSet, Thresholds

RULE_SECTIONS = ("fit", "behavior")
"""Sections whose rules have names (routing rules are referred to by position)."""


class RuleSetError(ValueError):
    """A rule file that cannot be used; ``errors`` has one readable line per problem."""

    def __init__(self, errors: list[str]) -> None:
        self.errors = list(errors)
        plural = "" if len(errors) == 1 else "s"
        lines = "\n".join(f"- {error}" for error in errors)
        super().__init__(f"invalid rule set ({len(errors)} problem{plural}):\n{lines}")


MAX_ALIASES = 20
MAX_DEPTH = 40
"""Nesting levels a rule file may use (it needs about six); deeper is refused, not recursed."""
MAX_FILE_CHARS = 1_000_000
"""A rule file of a few hundred rules is tens of kilobytes; a megabyte is surely a mistake."""


class _RuleLoader(yaml.SafeLoader):
    """``SafeLoader`` that reads rule files the way people mean them.

    Only ``true``/``false`` are booleans (YAML 1.2), so ``in: [NO, SE]`` keeps
    Norway; dates stay text, as CRM fields arrive as text; and a repeated key
    is an error, where plain YAML would silently keep only the last one.
    Aliases (``*name``) are capped: a few nested ones can expand a 300-byte
    file into gigabytes ("billion laughs"), and a rule file needs only a few.
    """

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        depth = getattr(self, "_depth", 0) + 1
        if depth > MAX_DEPTH:
            raise yaml.composer.ComposerError(
                None,
                None,
                f"nested more than {MAX_DEPTH} levels deep",
                self.peek_event().start_mark,
            )
        self._depth = depth
        try:
            return self._compose_counted(parent, index)
        finally:
            self._depth = depth - 1

    def _compose_counted(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            self._aliases = getattr(self, "_aliases", 0) + 1
            if self._aliases > MAX_ALIASES:
                raise yaml.composer.ComposerError(
                    None,
                    None,
                    f"more than {MAX_ALIASES} aliases (*name): write the values out",
                    self.peek_event().start_mark,
                )
        return super().compose_node(parent, index)  # type: ignore[no-any-return]

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[str, yaml.Mark] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue  # ``<<: *defaults`` may be overridden: the base class merges
            key = self.construct_object(key_node, deep=True)
            problem = None
            if not isinstance(key, str):
                problem = f"key {key!r} should be text (all keys in a rule file are words)"
            elif key in seen:
                problem = f"duplicate key {key!r} (first at line {seen[key].line + 1})"
            if problem:
                raise yaml.constructor.ConstructorError(None, None, problem, key_node.start_mark)
            seen[key] = key_node.start_mark
        return super().construct_mapping(node, deep=deep)


_RuleLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if not tag.endswith((":bool", ":timestamp"))]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_RuleLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def parse_rule_set(text: str) -> RuleSet:
    """Validate a rule file; raises ``RuleSetError`` listing every problem in it."""
    data = _load_yaml(text)
    errors: list[str] = []
    rule_set: RuleSet | None = None
    try:
        rule_set = RuleSet.model_validate(data)
    except ValidationError as exc:
        errors = [_describe(error, data) for error in exc.errors(include_url=False)]
    errors += [*_duplicate_names(data), *_thresholds_in_range(data), *_routing_fallback(data)]
    if errors or rule_set is None:
        raise RuleSetError(errors)
    return rule_set


def rule_set_to_yaml(rule_set: RuleSet) -> str:
    """Write a rule set as a rule file that parses back to an equal ``RuleSet``.

    Suggested rule sets are stored as new versions in this form, so it should
    read like a file a person wrote: unused operators, ``intent: false`` and
    empty assignee lists are left out and whole numbers lose their ``.0``.
    Thresholds, range, decay and SLA are always written, so that a stored
    version means the same thing even if the defaults change later.
    """
    data = _without_new_defaults(
        _whole_numbers(rule_set.model_dump(mode="json", by_alias=True, exclude_none=True))
    )
    for rule in data["behavior"]:
        if rule.get("intent") is False:
            del rule["intent"]
    _routing_as_written(data)
    for route in data["routing"]:
        if not route.get("assignees"):
            route.pop("assignees", None)
    return yaml.safe_dump(
        data, sort_keys=False, default_flow_style=None, allow_unicode=True, width=100
    )


def content_hash(text: str) -> str:
    """sha256 of what a rule file means, not of how it is typed.

    The hash is taken over the canonical JSON of the parsed rule set (sorted
    keys, defaults filled in, ``10`` and ``10.0`` alike), so edits to
    whitespace, comments, quoting or key order, or spelling out a default,
    give the same hash: such a file is not stored as a new version. The order
    of rules does count, since routing takes the first match. Raises
    ``RuleSetError`` for an invalid file.
    """
    dumped = _routing_as_written(parse_rule_set(text).model_dump(mode="json", by_alias=True))
    canonical = json.dumps(
        _without_new_defaults(_whole_numbers(dumped)),
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


_ROUTING_DEFAULTS = {
    "hours": None,
    "days": None,
    "timezone": None,
    "max_alerts_per_rep_per_day": None,
    "max_reassignments": 2,
    "owner_claims": True,
}


def _routing_as_written(data: dict[str, Any]) -> dict[str, Any]:
    """Routing options at their defaults left out and weight-1 assignees as bare ids.

    So a rule file that does not use them reads, and hashes, as it did before
    they existed (a stored version is not replaced by an equal one at start-up).
    """
    for route in data.get("routing", []):
        for key, default in _ROUTING_DEFAULTS.items():
            if key in route and route[key] == default:
                del route[key]
        route["assignees"] = [
            a["user"] if a.get("weight", 1) == 1 else a for a in route.get("assignees", [])
        ]
    if data.get("account_heat") == {"leads": 3, "days": 7}:
        del data["account_heat"]
    return data


_NEW_DEFAULTS: dict[str, Any] = {"base": 0, "max_rules": 15, "fitted_until": None}
"""Keys added after rule sets were first stored, with the defaults that mean "as before"."""


def _without_new_defaults(data: dict[str, Any]) -> dict[str, Any]:
    """Leave out keys at the default they had before they existed.

    A rule file stored before ``base``, ``max_rules`` and ``fitted_until`` existed must keep its
    content hash (or start-up would store it again as a new version), and a
    file that does not use them reads better without them.
    """
    return {
        key: value
        for key, value in data.items()
        if key not in _NEW_DEFAULTS or value != _NEW_DEFAULTS[key]
    }


def bundled_rules_text() -> str:
    """The example rule file shipped with the package, used when there is no rules.yml."""
    return (files("scoring") / "examples" / "default.yml").read_text(encoding="utf-8")


def _flow_depth(text: str) -> int:
    """The deepest ``[``/``{`` nesting outside quotes and comments.

    Checked before parsing because PyYAML scans a whole line of flow brackets
    before its composer sees the first one, in time quadratic in their number.
    """
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return 0  # cannot be deeper: skip the character-by-character walk
    deepest = depth = 0
    quote = ""
    for line in text.splitlines():
        for char in line:
            if quote:
                quote = "" if char == quote else quote
            elif char in "\"'":
                quote = char
            elif char == "#":
                break
            elif char in "[{":
                depth += 1
                deepest = max(deepest, depth)
            elif char in "]}":
                depth = max(0, depth - 1)
        quote = "" if quote == "'" else quote
    return deepest


def _load_yaml(text: str) -> dict[str, Any]:
    if len(text) > MAX_FILE_CHARS:
        raise RuleSetError(
            [f"the rule file has {len(text):,} characters; at most {MAX_FILE_CHARS:,} are read"]
        )
    if _flow_depth(text) > MAX_DEPTH:
        raise RuleSetError([f"nested more than {MAX_DEPTH} levels deep"])
    try:
        data = yaml.load(text, Loader=_RuleLoader)
    except ValueError as exc:  # e.g. an integer of thousands of digits
        reason = str(exc).split(";")[0][:200]
        raise RuleSetError([f"a value cannot be read: {reason}"]) from None
    except RecursionError:
        raise RuleSetError([f"nested more than {MAX_DEPTH} levels deep"]) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise RuleSetError([f"YAML syntax error{where}: {exc.problem or exc.context}"]) from None
    except yaml.YAMLError as exc:
        raise RuleSetError([f"YAML syntax error: {exc}"]) from None
    if data is None:
        raise RuleSetError(["the rule file is empty: expected name, thresholds, fit, behavior"])
    if not isinstance(data, dict):
        raise RuleSetError(
            [f"the rule file must be a mapping (name: ..., thresholds: ...), not {_a(data)}"]
        )
    return data


def _a(value: Any) -> str:
    return "a list" if isinstance(value, list) else f"a single value ({value!r})"


def _describe(error: ErrorDetails, data: dict[str, Any]) -> str:
    """One line per pydantic error: which rule, which field, what is wrong."""
    loc = error["loc"]
    if len(loc) >= 2 and loc[0] in (*RULE_SECTIONS, "routing") and isinstance(loc[1], int):
        where, rest = _rule_label(data, str(loc[0]), loc[1]), _path(loc[2:])
    else:
        where, rest = _path(loc), ""
    message = _message(error)
    return f"{where}: {rest}: {message}" if rest else f"{where}: {message}"


def _message(error: ErrorDetails) -> str:
    loc, kind = error["loc"], error["type"]
    if kind == "missing":
        return "field required"
    if kind == "extra_forbidden":
        allowed = _allowed_keys(loc[:-1])
        close = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
        hint = f"did you mean {close[0]!r}?" if close else f"expected one of {', '.join(allowed)}"
        return f"unknown key ({hint})"
    if loc and loc[-1] == "max_count":
        return "must be a positive whole number (how many times the rule counts at most)"
    if kind == "model_type":
        return "should be a mapping of keys (key: value)"
    return error["msg"].removeprefix("Value error, ")


def _path(loc: tuple[int | str, ...]) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc).lstrip(".")


def _rule_label(data: dict[str, Any], section: str, index: int) -> str:
    ref = f"{section}[{index}]"
    rule = _item(data.get(section), index)
    name = rule.get("name") if isinstance(rule, dict) else None
    if section in RULE_SECTIONS and isinstance(name, str) and name.strip():
        return f'{section} rule "{name}" ({ref})'
    return ref


def _item(items: Any, index: int) -> Any:
    return items[index] if isinstance(items, list) and 0 <= index < len(items) else None


def _allowed_keys(parent: tuple[int | str, ...]) -> list[str]:
    """The keys the model at ``parent`` accepts, for "did you mean" hints."""
    model: type[BaseModel] | None = RuleSet
    for part in parent:
        if model is None:
            return []
        if isinstance(part, str):
            field = model.model_fields.get(part)
            model = _model_in(field.annotation) if field else None
    if model is None:
        return []
    return [info.alias or name for name, info in model.model_fields.items()]


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return next(filter(None, (_model_in(arg) for arg in get_args(annotation))), None)


def _rules(data: dict[str, Any], section: str) -> Iterator[tuple[int, dict[str, Any]]]:
    items = data.get(section)
    for index, rule in enumerate(items if isinstance(items, list) else []):
        if isinstance(rule, dict):
            yield index, rule


def _duplicate_names(data: dict[str, Any]) -> list[str]:
    """Names must be unique (ignoring case): calibration and explanations key on them."""
    first_use: dict[str, str] = {}
    errors = []
    for section in RULE_SECTIONS:
        for index, rule in _rules(data, section):
            name = rule.get("name")
            if not isinstance(name, str) or not name.strip():
                continue
            key = name.strip().casefold()
            if key in first_use:
                errors.append(
                    f'{_rule_label(data, section, index)}: name: "{name}" is already used by '
                    f"{first_use[key]}; rule names must be unique across fit and behavior"
                )
            else:
                first_use[key] = f"{section}[{index}]"
    return errors


def _valid(kind: Any, value: Any) -> Any:
    try:
        return TypeAdapter(kind).validate_python(value)
    except ValidationError:
        return None  # already reported by the model validation


def _thresholds_in_range(data: dict[str, Any]) -> list[str]:
    thresholds = _valid(Thresholds, data.get("thresholds"))
    bounds = _valid(tuple[float, float], data.get("score_range", (0, 100)))
    if bounds is None or not all(map(math.isfinite, bounds)):
        return []
    low, high = bounds
    if low > high:
        return [f"score_range: the lower bound {low:g} is above the upper bound {high:g}"]
    if thresholds is None:
        return []
    return [
        f"thresholds.{band}: {value:g} is outside score_range [{low:g}, {high:g}]"
        for band, value in (("hot", thresholds.hot), ("warm", thresholds.warm))
        if not low <= value <= high
    ]


def _routing_fallback(data: dict[str, Any]) -> list[str]:
    """Routing takes the first match, so it must end with exactly one catch-all."""
    routes = data.get("routing")
    if not isinstance(routes, list) or not routes:
        return []
    fallbacks = [i for i, route in _rules(data, "routing") if route.get("when") is None]
    errors = []
    if fallbacks and fallbacks[0] < len(routes) - 1:
        errors.append(
            f"routing[{fallbacks[0] + 1}]: never used, because routing[{fallbacks[0]}] "
            "before it has no `when` and takes every lead"
        )
    if isinstance(routes[-1], dict) and routes[-1].get("when") is not None:
        errors.append("routing: add a last rule without `when` as the fallback channel")
    return errors


def _whole_numbers(value: Any) -> Any:
    """``10.0`` → ``10`` throughout, for readable YAML and one canonical JSON."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {key: _whole_numbers(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_whole_numbers(item) for item in value]
    return value
