"""``leadscore db upgrade``."""

from __future__ import annotations

import click

from bot.cli.common import command, console
from bot.runtime import open_services
from bot.settings import load_settings


@click.group("db")
def db_group() -> None:
    """Database schema commands."""


@db_group.command("upgrade")
@command
def upgrade() -> None:
    """Run the Alembic migrations up to the newest schema."""
    settings = load_settings()
    open_services(settings, migrate=True)
    console.print("[green]Database schema is up to date.[/]")
