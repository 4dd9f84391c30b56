"""The ``leadscore`` entry point: one group, one module per command family.

Commands are registered by import path and imported only when invoked
(click's ``LazyGroup`` pattern), so ``leadscore --help`` never imports the
app and ``leadscore score`` imports only what a lookup needs. The short help
of each command is written here too, so listing the commands imports
nothing; ``tests/cli/test_lazy_commands.py`` holds it to the real commands.
"""

from __future__ import annotations

import importlib
from typing import Any, NamedTuple

import click


class LazyCommand(NamedTuple):
    """Where a command lives (``module:attribute``) and its one-line help."""

    path: str
    short_help: str


COMMANDS: dict[str, LazyCommand] = {
    "calibrate": LazyCommand(
        "bot.cli.calibrate:calibrate",
        "Check whether entry scores predicted who bought, and suggest better rules.",
    ),
    "db": LazyCommand("bot.cli.db:db_group", "Database schema commands."),
    "decay": LazyCommand(
        "bot.cli.jobs:decay",
        "Bring every lead's behaviour score to its decayed value, as the daily job does.",
    ),
    "demo": LazyCommand(
        "bot.cli.demo:demo",
        "Run the real app end to end against a local Slack emulator (no workspace needed).",
    ),
    "import": LazyCommand(
        "bot.cli.importing:import_command",
        "Import leads, activities or deal outcomes from a CSV FILE.",
    ),
    "jobs": LazyCommand("bot.cli.jobs:jobs", "Show the last and next run of each scheduled job."),
    "rules": LazyCommand(
        "bot.cli.rules:rules_group", "Check or apply a rule file (YAML, see README)."
    ),
    "score": LazyCommand(
        "bot.cli.leads:score",
        "Show a lead's score, its fit/behaviour split and each rule's contribution.",
    ),
    "serve": LazyCommand(
        "bot.cli.serve:serve", "Run the Slack app, the ingest webhook and the scheduled jobs."
    ),
    "top": LazyCommand("bot.cli.leads:top", "Rank the N highest-scoring leads."),
}


class LazyGroup(click.Group):
    """A group whose subcommands are imported on first use."""

    def __init__(self, *args: Any, lazy: dict[str, LazyCommand], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = lazy

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *self.lazy])

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.lazy:
            return super().get_command(ctx, cmd_name)
        module, _, attribute = self.lazy[cmd_name].path.partition(":")
        found = getattr(importlib.import_module(module), attribute)
        if not isinstance(found, click.Command):
            raise TypeError(f"{self.lazy[cmd_name].path} is not a click command")
        return found

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list from the registry, without importing any command."""
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max(map(len, names), default=0)
        rows = [(name, self._short_help(name, limit)) for name in names]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

    def _short_help(self, name: str, limit: int) -> str:
        command = self.commands.get(name) or click.Command(name, help=self.lazy[name].short_help)
        return command.get_short_help_str(limit)


@click.group(
    cls=LazyGroup,
    lazy=COMMANDS,
    context_settings={"help_option_names": ["-h", "--help"]},
)
def cli() -> None:
    """leadscore: which leads to call first, and whether the scoring still works."""


def main() -> None:
    cli(prog_name="leadscore")


if __name__ == "__main__":
    main()
