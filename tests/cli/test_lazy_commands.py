"""``leadscore`` lists and starts its commands without importing the app.

Each command is registered by import path with its one-line help; these
tests hold the registry to the real commands and check, in a fresh
interpreter, which heavy packages a command really imports.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from bot.cli.main import COMMANDS, cli

HEAVY_FOR_A_LOOKUP = (
    "slack_bolt",
    "matplotlib",
    "numpy",
    "uvicorn",
    "starlette",
    "apscheduler",
    "bot.server",
    "bot.digest",
)
THE_APP = ("sqlalchemy", "sqlmodel", "pydantic", "slack_sdk", "bot.runtime", "storage")

PROBE = """
import json, sys
from bot.cli.main import cli
try:
    cli.main(args=sys.argv[1:], prog_name="leadscore", standalone_mode=False)
except BaseException:
    pass
print("\\nMODULES " + json.dumps(sorted(sys.modules)))
"""


def imported_by(args: list[str], tmp_path: Path) -> set[str]:
    """The modules a fresh interpreter holds after running ``leadscore ARGS``."""
    env = {"LEADSCORE_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}", "PATH": ""}
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).parents[2],
        env=env,
        check=True,
    )
    line = done.stdout.rsplit("MODULES ", 1)[1]
    return set(json.loads(line))


def loaded(modules: set[str], packages: tuple[str, ...]) -> list[str]:
    return [p for p in packages if any(m == p or m.startswith(p + ".") for m in modules)]


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_each_registered_command_is_the_real_one_with_its_help(name: str) -> None:
    command = cli.get_command(click.Context(cli), name)
    assert isinstance(command, click.Command)
    assert command.name == name
    written = COMMANDS[name].short_help
    real = command.get_short_help_str(limit=1_000)
    assert written == real, (
        f"bot/cli/main.py lists {name!r} as {written!r} but the command says {real!r}"
    )


def test_help_lists_every_command() -> None:
    shown = CliRunner().invoke(cli, ["--help"]).output
    for name in COMMANDS:
        assert f"\n  {name} " in shown


def test_help_imports_nothing_of_the_app(tmp_path: Path) -> None:
    modules = imported_by(["--help"], tmp_path)
    assert loaded(modules, THE_APP + HEAVY_FOR_A_LOOKUP) == []
    assert not [m for m in modules if m.startswith("bot.") and not m.startswith("bot.cli")]


def test_a_command_help_imports_nothing_of_the_app(tmp_path: Path) -> None:
    assert loaded(imported_by(["score", "--help"], tmp_path), THE_APP) == []


@pytest.mark.parametrize(
    "args", [["rules", "--help"], ["rules", "check", "--help"], ["db", "--help"]]
)
def test_a_group_help_imports_nothing_of_the_app(args: list[str], tmp_path: Path) -> None:
    assert loaded(imported_by(args, tmp_path), (*THE_APP, "scoring")) == []


def test_score_imports_no_slack_server_chart_or_scheduler(tmp_path: Path) -> None:
    modules = imported_by(["score", "nobody@example.com"], tmp_path)
    assert "storage.models" in modules  # it did run the lookup
    assert loaded(modules, HEAVY_FOR_A_LOOKUP) == []


@pytest.mark.parametrize("args", [["score", "nobody@example.com"], ["top", "5"]])
def test_a_lookup_on_a_database_already_set_up_loads_no_sqlalchemy(
    args: list[str], tmp_path: Path
) -> None:
    imported_by(["db", "upgrade"], tmp_path)
    imported_by(args, tmp_path)  # applies the start-up rule file (full path)
    modules = imported_by(args, tmp_path)
    assert "storage.quick_read" in modules
    assert loaded(modules, ("sqlalchemy", "sqlmodel", "alembic", "pydantic_settings")) == []
