"""Running ``leadscore import`` as a user would, and reading back what it stored."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import select

from bot.cli.main import cli
from bot.services import Services
from storage.engine import session_scope
from storage.lookup import lead_by_email
from storage.models import Activity, DeadLetter, EventRecord, Lead
from tests.conftest import FIXTURES


def write(tmp_path: Path, name: str, text: str) -> Path:
    """A file with ``text`` dedented, written byte for byte (no newline translation)."""
    path = tmp_path / name
    path.write_bytes(textwrap.dedent(text).lstrip("\n").encode("utf-8"))
    return path


def run_import(
    services: Services, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, *args: str
) -> Result:
    """``leadscore import ARGS`` against the services' database, in a clean directory."""
    monkeypatch.chdir(tmp_path)
    env = {
        "LEADSCORE_DATABASE_URL": services.settings.database_url,
        "LEADSCORE_RULES_FILE": str(FIXTURES / "rules.yml"),
    }
    return CliRunner().invoke(cli, ["import", *args], env=env, catch_exceptions=False)


def lead(services: Services, email: str) -> Lead | None:
    with session_scope(services.engine) as session:
        return lead_by_email(session=session, email=email)


def event_ids(services: Services) -> set[str]:
    with session_scope(services.engine) as session:
        return set(session.scalars(select(EventRecord.event_id)))


def activities(services: Services) -> list[Activity]:
    with session_scope(services.engine) as session:
        return list(session.scalars(select(Activity).order_by(Activity.event_id)))


def dead_letters(services: Services) -> list[DeadLetter]:
    with session_scope(services.engine) as session:
        return list(session.scalars(select(DeadLetter).order_by(DeadLetter.id)))
