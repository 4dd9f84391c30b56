"""What every command shares: settings, services, and errors as one clear line.

Only click and rich are imported here: the app is imported when a command
runs, so ``leadscore --help`` and ``leadscore COMMAND --help`` start at once.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import click
from rich.console import Console

if TYPE_CHECKING:
    from bot.services import Services

console = Console(highlight=False, soft_wrap=True)
errors = Console(stderr=True, highlight=False, soft_wrap=True)


class BadInput(click.ClickException):
    """Bad input from the user: one line, exit code 2."""

    exit_code = 2

    def show(self, file: Any = None) -> None:
        errors.print(f"[bold red]error:[/] {self.message}")


@contextmanager
def friendly_errors() -> Iterator[None]:
    """Turn known failures into one line with exit code 2, never a traceback.

    The error classes are looked up among the modules already imported: an
    exception of a module the command never imported cannot have been raised,
    and importing them here would load pydantic for every command.
    """
    try:
        yield
    except Exception as exc:
        message = _known(exc)
        if message is None:
            raise
        raise BadInput(message) from None


def _known(exc: Exception) -> str | None:
    settings = sys.modules.get("bot.settings")
    if settings is not None and isinstance(exc, settings.SettingsError):
        return str(exc)
    rulebook = sys.modules.get("bot.ingest.rulebook")
    if rulebook is not None and isinstance(exc, rulebook.NoRuleSetError):
        return str(exc)
    rule_file = sys.modules.get("scoring.rule_file")
    if rule_file is not None and isinstance(exc, rule_file.RuleSetError):
        return "the rule file is invalid:\n  " + "\n  ".join(exc.errors)
    return None


def services_for_command(*, sync_rules: bool = True) -> Services:
    """Settings and services for a CLI command (schema upgraded, a rule set in place)."""
    from bot.rules_admin import ensure_rules
    from bot.runtime import open_services
    from bot.settings import load_settings

    services = open_services(load_settings())
    if sync_rules:
        ensure_rules(services)
    return services


def print_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


def command(func: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a command body in ``friendly_errors``."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with friendly_errors():
            return func(*args, **kwargs)

    wrapper.__name__ = func.__name__
    wrapper.__doc__ = func.__doc__
    return wrapper
