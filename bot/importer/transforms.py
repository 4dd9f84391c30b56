"""``transform:`` steps of a mapping value: text clean-up, arithmetic, and date offsets.

Exports rarely hold a value in the shape the contract wants: an email in
capitals, a revenue in cents, a close date known only as "30 days after first
contact". A step is checked when the mapping is loaded and applied to each
row's value before ``map``; a missing value stays missing.

Date offsets are kept apart (``Offset``) because on ``occurred_at`` they apply
after the cell is parsed with the template's ``format``, not to the text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from bot.importer.errors import RowError, SpecError

TEXT_STEPS = ("lower", "upper", "strip", "slug")
NUMBER_STEPS = ("add", "subtract", "multiply", "divide", "round")
OFFSET_UNITS = ("weeks", "days", "hours", "minutes", "seconds")
STEP_FORMS = (
    "lower",
    "upper",
    "strip",
    "slug",
    "{add|subtract|multiply|divide: NUMBER}",
    "{round: DIGITS}",
    "{offset: {days: N, hours: N, ...}}",
)
_NOT_SLUG = re.compile(r"[^a-z0-9]+")
_INTEGER = re.compile(r"[+-]?\d+")

Step = Callable[[Any, str], Any]
"""A step takes the value and the event field (for the error message) and returns the new value."""


@dataclass(frozen=True)
class Transform:
    """The steps in order, and the date offset that ends them (if any)."""

    steps: tuple[tuple[str, Any], ...] = ()
    offset: timedelta | None = None

    def compile(self) -> Step | None:
        """One function applying every step but the offset, or None when there is none."""
        functions = [_step(name, argument) for name, argument in self.steps]
        if not functions:
            return None
        if len(functions) == 1:
            return functions[0]

        def apply(value: Any, field: str) -> Any:
            for function in functions:
                value = function(value, field)
            return value

        return apply


NO_TRANSFORM = Transform()


def parse_transform(raw: Any) -> Transform:
    """A step name, a one-key dict, or a list of them; raises SpecError naming the bad step."""
    items = raw if isinstance(raw, list) else [raw]
    steps: list[tuple[str, Any]] = []
    offset: timedelta | None = None
    for item in items:
        if offset is not None:
            raise SpecError("transform: an offset must be the last step")
        if isinstance(item, str) and item in TEXT_STEPS:
            steps.append((item, None))
            continue
        if not isinstance(item, dict) or len(item) != 1:
            raise SpecError(f"transform: {item!r} is not a step (use {', '.join(STEP_FORMS)})")
        ((name, argument),) = item.items()
        if name == "offset":
            offset = _offset(argument)
        elif name in NUMBER_STEPS:
            steps.append((name, _number_argument(name, argument)))
        else:
            raise SpecError(f"transform: unknown step {name!r} (use {', '.join(STEP_FORMS)})")
    return Transform(tuple(steps), offset)


def _number_argument(name: str, argument: Any) -> float | int:
    if not isinstance(argument, int | float) or isinstance(argument, bool):
        raise SpecError(f"transform: {name} takes a number, not {argument!r}")
    if name == "divide" and argument == 0:
        raise SpecError("transform: divide by 0")
    if name == "round" and (not isinstance(argument, int) or not 0 <= argument <= 12):
        raise SpecError("transform: round takes a number of digits from 0 to 12")
    return argument


def _offset(argument: Any) -> timedelta:
    if not isinstance(argument, dict) or not argument or set(argument) - set(OFFSET_UNITS):
        raise SpecError(f"transform: write {{offset: {{{': N, '.join(OFFSET_UNITS)}: N}}}}")
    for unit, amount in argument.items():
        if not isinstance(amount, int | float) or isinstance(amount, bool):
            raise SpecError(f"transform: offset {unit} must be a number, not {amount!r}")
    return timedelta(**argument)


def _step(name: str, argument: Any) -> Step:
    if name == "lower":
        return lambda value, field: _text(value).lower()
    if name == "upper":
        return lambda value, field: _text(value).upper()
    if name == "strip":
        return lambda value, field: _text(value).strip()
    if name == "slug":
        return lambda value, field: slug(_text(value))
    operation = _ARITHMETIC[name]
    return lambda value, field: operation(number(value, field), argument)


def _round(value: float | int, digits: int) -> float | int:
    return round(value) if digits == 0 else round(value, digits)


_ARITHMETIC: dict[str, Callable[[Any, Any], Any]] = {
    "add": lambda a, b: a + b,
    "subtract": lambda a, b: a - b,
    "multiply": lambda a, b: a * b,
    "divide": lambda a, b: a / b,
    "round": _round,
}


def _text(value: Any) -> str:
    return value if isinstance(value, str) else str(value)


def slug(text: str) -> str:
    """``"Ana Ruiz (São Paulo)"`` becomes ``"ana-ruiz-sao-paulo"``: ASCII, lower case, dashes."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return _NOT_SLUG.sub("-", plain.lower()).strip("-")


def number(value: Any, field: str) -> int | float:
    """The value as an int (whole-number text) or float; raises RowError when it is not one."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    text = str(value).strip()
    if _INTEGER.fullmatch(text):
        return int(text)
    try:
        return float(text)
    except ValueError:
        raise RowError(field, f"{value!r} is not a number") from None


def shift_date(value: Any, offset: timedelta, field: str) -> str:
    """An ISO 8601 date or date-time plus ``offset``, written back as ISO 8601.

    A plain date stays a date when the offset is whole days.
    """
    if isinstance(value, datetime | date):
        moment: date = value
    else:
        try:
            moment = datetime.fromisoformat(str(value))
        except ValueError:
            raise RowError(field, f"{value!r} is not an ISO 8601 date for an offset") from None
        text = str(value).strip()
        if len(text) == 10 and offset % timedelta(days=1) == timedelta(0):
            moment = moment.date() if isinstance(moment, datetime) else moment
    return (moment + offset).isoformat()
