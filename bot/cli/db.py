"""``leadscore db upgrade``.

The app is imported when the command runs, so ``leadscore db --help`` answers at once.
"""

from __future__ import annotations

import click

from bot.cli.common import command, console


@click.group("db")
def db_group() -> None:
    """Database schema commands."""


@db_group.command("upgrade")
@command
def upgrade() -> None:
    """Run the Alembic migrations up to the newest schema."""
    from bot.runtime import open_services
    from bot.settings import load_settings

    settings = load_settings()
    open_services(settings, migrate=True)
    console.print("[green]Database schema is up to date.[/]")
