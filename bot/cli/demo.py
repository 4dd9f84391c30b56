"""``leadscore demo [--keep]``."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console

from bot.cli.common import command
from bot.demo.run import DemoOptions, run_demo


@click.command("demo")
@click.option("--keep", is_flag=True, help="Keep the app running afterwards and show curl usage.")
@click.option(
    "--leads",
    "history_leads",
    default=400,
    show_default=True,
    type=click.IntRange(30, 5_000),
    help="Leads in the generated history.",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Folder for the chart PNG (default: a temp folder).",
)
@command
def demo(keep: bool, history_leads: int, out_dir: Path | None) -> None:
    """Run the real app end to end against a local Slack emulator (no workspace needed)."""
    console = Console(highlight=False, width=max(Console().width, 110))
    run_demo(DemoOptions(keep=keep, history_leads=history_leads, out_dir=out_dir), console)
