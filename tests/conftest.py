"""Fixtures every test package shares: databases, services, emulator, live server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from slack_sdk import WebClient

from bot.rules_admin import apply_rules
from bot.runtime import open_services
from bot.services import Services
from bot.settings import Settings
from bot.slack_emulator import SlackEmulator
from tests.support.databases import migrated_sqlite_url, postgres_schema_url, sqlite_url
from tests.support.hypothesis_profiles import load_profile

FIXTURES = Path(__file__).parent / "fixtures"
SIGNING_SECRET = "test-signing-secret"
INGEST_SECRET = "test-ingest-secret"
MANAGER = "UMANAGER"
HYPOTHESIS_PROFILE = load_profile()


def pytest_report_header() -> str:
    return f"hypothesis profile: {HYPOTHESIS_PROFILE} (HYPOTHESIS_PROFILE=dev|ci|thorough)"


@pytest.fixture
def emulator() -> Iterator[SlackEmulator]:
    with SlackEmulator() as emu:
        yield emu


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Each store test runs on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        yield migrated_sqlite_url(tmp_path)
    else:
        yield from postgres_schema_url(migrated=True)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database no migration has touched yet, for the tests of the migrations themselves."""
    if request.param == "sqlite":
        yield sqlite_url(tmp_path)
    else:
        yield from postgres_schema_url()


@pytest.fixture
def sqlite_database_url(tmp_path: Path) -> str:
    return migrated_sqlite_url(tmp_path)


@pytest.fixture
def postgres_url() -> Iterator[str]:
    yield from postgres_schema_url()


def make_settings(database_url: str, emulator: SlackEmulator, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "slack_bot_token": "xoxb-test",
        "slack_signing_secret": SIGNING_SECRET,
        "slack_api_url": emulator.api_url,
        "database_url": database_url,
        "ingest_secret": INGEST_SECRET,
        "manager_ids": frozenset({MANAGER}),
        "digest_channel": "C0DIGEST",
        "rules_file": FIXTURES / "rules.yml",
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def make_services(settings: Settings, emulator: SlackEmulator) -> Services:
    client = WebClient(token=settings.slack_bot_token, base_url=emulator.api_url, timeout=5)
    services = open_services(settings, client=client)
    apply_rules(services, text=(FIXTURES / "rules.yml").read_text(), applied_by="tests")
    return services


@pytest.fixture
def services(database_url: str, emulator: SlackEmulator) -> Iterator[Services]:
    """Services on a fresh database (SQLite and PostgreSQL) with the test rule set."""
    built = make_services(make_settings(database_url, emulator), emulator)
    yield built
    built.engine.dispose()


@pytest.fixture
def sqlite_services(sqlite_database_url: str, emulator: SlackEmulator) -> Iterator[Services]:
    """Services on SQLite only, for tests about Slack behaviour rather than storage."""
    built = make_services(make_settings(sqlite_database_url, emulator), emulator)
    yield built
    built.engine.dispose()
