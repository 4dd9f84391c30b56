"""The quick read-only path of ``score`` and ``top`` answers as the full path does.

``bot.quick_lookup`` reads rows with the database driver alone
(``storage.quick_read``) when the settings are plain, the schema is at the
newest migration and a rule set is active; these tests print the same lead
both ways on SQLite and PostgreSQL, and check every case it leaves to the
full path.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from alembic.script import ScriptDirectory
from click.testing import CliRunner
from freezegun import freeze_time
from sqlalchemy import text

from bot import quick_lookup
from bot.cli.main import cli
from bot.ingest import Item
from bot.services import Services
from storage.quick_read import head_revision
from storage.schema import alembic_config
from tests.conftest import FIXTURES
from tests.support.events import activity, hot_lead, lead_created

NOW = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)


def run(url: str, *args: str) -> tuple[int, str]:
    env = {"LEADSCORE_DATABASE_URL": url, "LEADSCORE_RULES_FILE": str(FIXTURES / "rules.yml")}
    result = CliRunner().invoke(cli, list(args), env=env)
    return result.exit_code, result.output


def both_ways(
    url: str, monkeypatch: pytest.MonkeyPatch, *args: str
) -> tuple[tuple[int, str], tuple[int, str]]:
    """``leadscore ARGS`` by the quick path, then by the full path."""
    quick = run(url, *args)
    with monkeypatch.context() as patch:
        patch.setattr(quick_lookup, "quick_database_url", lambda: None)
        full = run(url, *args)
    return quick, full


def store(services: Services, *events: dict[str, object]) -> None:
    items = [Item(position=f"test {i}", data=event) for i, event in enumerate(events)]
    assert not services.ingestor.ingest(items, source="test").rejected


def test_the_newest_migration_is_the_head_alembic_sees() -> None:
    from storage.engine import make_engine

    engine = make_engine("sqlite://")
    assert head_revision() == ScriptDirectory.from_config(alembic_config(engine)).get_current_head()


@freeze_time(NOW)
def test_score_and_top_print_the_same_both_ways(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = services.settings.database_url
    store(
        services,
        hot_lead("ana@acme.io"),
        activity("ana@acme.io", "pricing_page", at="2026-11-28T10:00:00Z", url="/pricing"),
        lead_created("bo@gmail.com", title="Intern", company="Beta", company_size=5),
        lead_created("cy@acme.io", name="Cy", title="CTO", company="Acme", region="EMEA"),
    )
    with services.engine.begin() as connection:
        connection.execute(text("UPDATE alerts SET claimed_by = 'U1'"))
    with monkeypatch.context() as patch:
        patch.setenv("LEADSCORE_DATABASE_URL", url)
        assert isinstance(quick_lookup.quick_score_card("ana@acme.io"), quick_lookup.QuickCard)

    for args in (
        ["score", "Ana@Acme.io "],
        ["score", "ana@acme.io", "--json"],
        ["score", "bo@gmail.com", "--json"],
        ["score", "cy@acme.io"],
        ["score", "nobody@acme.io"],
        ["top", "3"],
        ["top", "10", "--json"],
    ):
        quick, full = both_ways(url, monkeypatch, *args)
        assert quick == full, args
    card = json.loads(run(url, "score", "ana@acme.io", "--json")[1])
    assert card["claimed_by"] == "U1" and card["account"] == "acme.io"


def test_a_new_database_takes_the_full_path(tmp_path: pytest.TempPathFactory) -> None:
    url = f"sqlite:///{tmp_path}/new.db"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LEADSCORE_DATABASE_URL", url)
        assert quick_lookup.quick_score_card("ana@acme.io") is quick_lookup.FULL_PATH
        code, shown = run(url, "score", "ana@acme.io")  # migrates and applies the rule file
        assert (code, shown.strip()) == (2, "error: no lead with email ana@acme.io")
        assert quick_lookup.quick_score_card("ana@acme.io") is None  # now set up: quick


def test_an_older_schema_or_no_rule_set_takes_the_full_path(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LEADSCORE_DATABASE_URL", services.settings.database_url)
    store(services, hot_lead("ana@acme.io"))
    assert quick_lookup.quick_score_card("ana@acme.io") is not quick_lookup.FULL_PATH
    with services.engine.begin() as connection:
        connection.execute(text("DELETE FROM rule_set_versions"))
    assert quick_lookup.quick_score_card("ana@acme.io") is quick_lookup.FULL_PATH
    assert quick_lookup.quick_ranking(5) is quick_lookup.FULL_PATH
    with services.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0001'"))
    assert quick_lookup.quick_score_card("ana@acme.io") is quick_lookup.FULL_PATH


@pytest.mark.parametrize(
    "url",
    [
        "sqlite://",
        "sqlite:///:memory:",
        "sqlite+pysqlite:///x.db",
        "postgresql://postgres@127.0.0.1/test",
        "postgresql+psycopg://postgres@h1,h2/test",
        "mysql://u@h/db",
    ],
)
def test_urls_it_does_not_read_plainly_take_the_full_path(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LEADSCORE_DATABASE_URL", url)
    assert quick_lookup.quick_score_card("ana@acme.io") is quick_lookup.FULL_PATH
