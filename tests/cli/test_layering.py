"""Commands are adapters: they parse, call a use case and print, and never import storage."""

from __future__ import annotations

import ast
from pathlib import Path

CLI = Path(__file__).parents[2] / "bot" / "cli"


def imported_modules(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def test_no_command_module_imports_storage() -> None:
    reaching = {
        path.name: sorted(m for m in imported_modules(path) if m.split(".")[0] == "storage")
        for path in sorted(CLI.glob("*.py"))
    }
    assert {name: mods for name, mods in reaching.items() if mods} == {}, (
        "bot/cli modules importing storage (call a use case of the feature package instead)"
    )
