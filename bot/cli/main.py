"""The ``leadscore`` entry point: one group, one module per command family."""

from __future__ import annotations

import click

from bot.cli.calibrate import calibrate
from bot.cli.db import db_group
from bot.cli.demo import demo
from bot.cli.importing import import_command
from bot.cli.jobs import decay, jobs
from bot.cli.leads import score, top
from bot.cli.rules import rules_group
from bot.cli.serve import serve


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """leadscore: which leads to call first, and whether the scoring still works."""


cli.add_command(serve)
cli.add_command(rules_group)
cli.add_command(score)
cli.add_command(top)
cli.add_command(db_group)
cli.add_command(calibrate)
cli.add_command(import_command)
cli.add_command(decay)
cli.add_command(jobs)
cli.add_command(demo)


def main() -> None:
    cli(prog_name="leadscore")


if __name__ == "__main__":
    main()
