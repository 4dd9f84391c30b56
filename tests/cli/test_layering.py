"""Listeners and commands are adapters: they translate, call a use case and answer.

None of them imports storage: the feature package (``bot/alerts``,
``bot/digest``, ``bot/routing``...) owns the use case and its transaction.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

BOT = Path(__file__).parents[2] / "bot"
ADAPTERS = ("cli", "listeners")


def imported_modules(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


@pytest.mark.parametrize("adapter", ADAPTERS)
def test_no_adapter_module_imports_storage(adapter: str) -> None:
    modules = sorted((BOT / adapter).rglob("*.py"))
    assert modules, f"bot/{adapter} has no modules"
    reaching = {
        str(path.relative_to(BOT)): sorted(
            m for m in imported_modules(path) if m.split(".")[0] == "storage"
        )
        for path in modules
    }
    assert {name: mods for name, mods in reaching.items() if mods} == {}, (
        f"bot/{adapter} modules importing storage (call a use case of the feature package instead)"
    )
