"""``leadscore rules check|apply FILE``.

The rule parser and the app are imported inside each command, so
``leadscore rules --help`` answers without loading them.
"""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import TYPE_CHECKING

import click

from bot.cli.common import BadInput, command, console, errors, services_for_command

if TYPE_CHECKING:
    from rich.progress import Progress

    from scoring.rule_file import RuleSetError
    from scoring.rule_set import RuleSet


def _read(path: Path) -> str:
    from scoring.rule_file import MAX_FILE_CHARS

    try:
        size = path.stat().st_size
        if size > MAX_FILE_CHARS * 4:  # more bytes than any accepted file's UTF-8 can have
            raise BadInput(f"{path}: {size:,} bytes is far too large for a rule file")
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise BadInput(f"cannot read {path}: {exc}") from None


def _refuse(path: Path, exc: RuleSetError) -> BadInput:
    lines = "\n".join(f"  - {error}" for error in exc.errors)
    count = len(exc.errors)
    return BadInput(
        f"{path}: {count} problem{'s' if count != 1 else ''}, nothing applied:\n{lines}"
    )


def _summary(rule_set: RuleSet) -> str:
    t = rule_set.thresholds
    return (
        f"rule set '{rule_set.name}': {len(rule_set.fit)} fit and "
        f"{len(rule_set.behavior)} behaviour rules, hot >= {t.hot:g}, warm >= {t.warm:g}, "
        f"decay {rule_set.decay.monthly_rate:.0%}/30 days after {rule_set.decay.grace_days:g} days"
    )


def _progress_bar() -> Progress:
    """Leads rescored so far, on the terminal only (as ``import`` shows rows read)."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=errors,
        transient=True,
        disable=not errors.is_terminal,
    )


@click.group("rules")
def rules_group() -> None:
    """Check or apply a rule file (YAML, see README)."""


@rules_group.command("check")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@command
def check(file: Path) -> None:
    """Validate FILE and list every problem; changes nothing."""
    from scoring.rule_file import RuleSetError, parse_rule_set

    try:
        rule_set = parse_rule_set(_read(file))
    except RuleSetError as exc:
        raise _refuse(file, exc) from None
    console.print(f"[green]OK[/] {file}: {_summary(rule_set)}")


@rules_group.command("apply")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--by", "applied_by", default=None, help="Who applies it (default: your login).")
@command
def apply(file: Path, applied_by: str | None) -> None:
    """Store FILE as the active rule set version and rescore every lead."""
    from bot.rules_admin import apply_rules
    from scoring.rule_file import RuleSetError, parse_rule_set

    text = _read(file)
    try:
        rule_set = parse_rule_set(text)
    except RuleSetError as exc:
        raise _refuse(file, exc) from None
    services = services_for_command(sync_rules=False)
    who = applied_by or f"cli:{getpass.getuser()}"
    with _progress_bar() as bar:
        task = bar.add_task("rescoring leads", total=None)
        outcome = apply_rules(
            services,
            text=text,
            applied_by=who,
            started=lambda leads: bar.update(task, total=leads),
            progress=lambda done: bar.advance(task, done),
        )
    if not outcome.activated:
        console.print(f"Unchanged: {file} is identical to the active version {outcome.version}.")
    elif outcome.created:
        console.print(
            f"[green]Applied[/] {_summary(rule_set)} as version {outcome.version}; "
            f"{outcome.rescored:,} leads rescored."
        )
    else:
        console.print(
            f"[green]Re-activated[/] version {outcome.version} (same content); "
            f"{outcome.rescored:,} leads rescored."
        )
