"""The README's configuration and command-line tables say what the code does.

After datasette's ``test_settings_are_documented``: a setting or a command
option added to the code without a README row (or a row left behind after a
removal) fails here, naming what is missing on which side.
"""

from __future__ import annotations

import re
from pathlib import Path

import click
from pydantic import AliasChoices

from bot.cli.main import cli
from bot.settings import Settings

README = Path(__file__).parents[2] / "README.md"
CODE = re.compile(r"`([^`]+)`")


def table_rows(section: str) -> list[list[str]]:
    """The cells of the first table under ``## {section}`` (header and rule skipped)."""
    text = README.read_text(encoding="utf-8")
    body = text.split(f"\n## {section}\n", 1)[1].split("\n## ", 1)[0]
    rows, started = [], False
    for line in body.splitlines():
        if line.startswith("|"):
            started = True
            cells = [cell.strip() for cell in re.split(r"(?<!\\)\|", line.strip())[1:-1]]
            rows.append(cells)
        elif started:
            break
    return [row for row in rows[2:] if row]


def env_name(field: str) -> str:
    alias = Settings.model_fields[field].validation_alias
    if isinstance(alias, AliasChoices):
        return str(alias.choices[0])
    return str(alias or field).upper()


def documented_settings() -> dict[str, str]:
    """Variable -> its default cell, from the README's configuration table."""
    return {CODE.findall(row[0])[0]: row[1] for row in table_rows("Configuration")}


def test_every_setting_is_in_the_readme_and_every_row_is_a_setting() -> None:
    in_code = {env_name(field) for field in Settings.model_fields}
    in_readme = set(documented_settings())
    assert not in_code - in_readme, (
        f"settings without a row in README.md's Configuration table: {sorted(in_code - in_readme)}"
    )
    assert not in_readme - in_code, (
        f"README.md's Configuration table lists settings bot/settings.py does not read: "
        f"{sorted(in_readme - in_code)}"
    )


def test_a_literal_default_in_the_readme_is_the_code_default() -> None:
    """Where the README gives a default as one literal, it is the field's default."""
    documented = documented_settings()
    wrong = []
    for field, info in Settings.model_fields.items():
        literal = re.fullmatch(r"`([^`]*)`", documented.get(env_name(field), ""))
        if literal and literal.group(1) != str(info.default):
            wrong.append(f"{env_name(field)}: README {literal.group(1)!r}, code {info.default!r}")
    assert not wrong, "README.md's defaults differ from bot/settings.py: " + "; ".join(wrong)


def commands_in_code(group: click.Group = cli, prefix: str = "") -> dict[str, set[str]]:
    """Every runnable command path (``rules check``) -> its long options."""
    found: dict[str, set[str]] = {}
    context = click.Context(group)
    for name in group.list_commands(context):
        command = group.get_command(context, name)
        assert command is not None, name
        path = f"{prefix}{name}"
        if isinstance(command, click.Group):
            found.update(commands_in_code(command, f"{path} "))
            continue
        options = {
            opt
            for param in command.params
            if isinstance(param, click.Option)
            for opt in param.opts
            if opt.startswith("--") and opt != "--help"
        }
        found[path] = options
    return found


def commands_in_readme(known: set[str]) -> dict[str, set[str]]:
    """Command path -> options, from each `leadscore ...` in the CLI table's first column."""
    found: dict[str, set[str]] = {}
    for row in table_rows("Command line"):
        for usage in CODE.findall(row[0]):
            words = [w.strip("[]") for w in usage.split()]
            words = words[1:] if words and words[0] == "leadscore" else words
            path = ""
            for i in range(len(words), 0, -1):
                if " ".join(words[:i]) in known:
                    path = " ".join(words[:i])
                    break
            path = path or " ".join(w for w in words if not w.startswith("-"))
            options = {w for w in words if w.startswith("--")}
            found.setdefault(path, set()).update(options)
    return found


def test_every_command_is_in_the_readme_and_every_row_is_a_command() -> None:
    in_code = commands_in_code()
    in_readme = commands_in_readme(set(in_code))
    missing = sorted(set(in_code) - set(in_readme))
    stale = sorted(set(in_readme) - set(in_code))
    assert not missing, f"commands without a row in README.md's Command line table: {missing}"
    assert not stale, f"README.md's Command line table lists commands that do not exist: {stale}"


def test_every_option_is_in_the_readme_and_every_documented_option_exists() -> None:
    in_code = commands_in_code()
    in_readme = commands_in_readme(set(in_code))
    problems = []
    for path in sorted(set(in_code) & set(in_readme)):
        if undocumented := sorted(in_code[path] - in_readme[path]):
            problems.append(f"`leadscore {path}` has options the README omits: {undocumented}")
        if unknown := sorted(in_readme[path] - in_code[path]):
            problems.append(f"README.md gives `leadscore {path}` options it lacks: {unknown}")
    assert not problems, "\n".join(problems)
