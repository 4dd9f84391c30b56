"""The quick database URL reader gives what ``Settings`` gives, or leaves it to ``Settings``.

``leadscore score EMAIL`` reads ``LEADSCORE_DATABASE_URL`` without
pydantic-settings (``bot.settings_env.quick_database_url``); these tests
hold it to ``Settings`` for the same environment and ``.env`` file.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import Settings, SettingsError, load_settings
from bot.settings_env import DEFAULT_DATABASE_URL, ENV_NAMES, quick_database_url


@pytest.fixture
def clean(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    """No setting in the environment, and an empty working directory (no ``.env``)."""
    for name in ENV_NAMES.values():
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    monkeypatch.chdir(tmp_path)
    return monkeypatch


def test_the_names_and_the_default_are_the_ones_settings_reads() -> None:
    aliases = {
        field: info.validation_alias.choices[0]  # type: ignore[union-attr]
        for field, info in Settings.model_fields.items()
    }
    assert aliases == ENV_NAMES
    assert Settings.model_fields["database_url"].default == DEFAULT_DATABASE_URL


PLAIN = [
    pytest.param({}, None, id="nothing set"),
    pytest.param({"LEADSCORE_DATABASE_URL": "sqlite:///env.db"}, None, id="environment"),
    pytest.param({"leadscore_database_url": "sqlite:///lower.db"}, None, id="lower-case name"),
    pytest.param({}, "LEADSCORE_DATABASE_URL=sqlite:///file.db\n", id=".env"),
    pytest.param(
        {"LEADSCORE_DATABASE_URL": "sqlite:///env.db"},
        "LEADSCORE_DATABASE_URL=sqlite:///file.db\n",
        id="environment over .env",
    ),
    pytest.param(
        {},
        "# settings\nexport LEADSCORE_DATABASE_URL='postgresql+psycopg://u:p@h/db'  # prod\n"
        'SLACK_BOT_TOKEN="xoxb-1"\nOTHER=1\n',
        id=".env with quotes, export and comments",
    ),
    pytest.param(
        {
            "SLACK_BOT_TOKEN": "xoxb-1",
            "SLACK_APP_TOKEN": "xapp-1",
            "SLACK_API_URL": "http://localhost:8000/api",
            "LEADSCORE_TIMEZONE": "Europe/Berlin",
            "LEADSCORE_DIGEST_CRON": "Tue 10:30",
            "LEADSCORE_MANAGER_IDS": "U1, U2",
            "LEADSCORE_DATABASE_URL": "sqlite:///all.db",
        },
        None,
        id="every checked setting valid",
    ),
    pytest.param({"SLACK_BOT_TOKEN": ""}, None, id="empty token"),
]


@pytest.mark.parametrize(("environ", "env_file"), PLAIN)
def test_plain_settings_give_the_same_url(
    clean: pytest.MonkeyPatch, environ: dict[str, str], env_file: str | None
) -> None:
    for name, value in environ.items():
        clean.setenv(name, value)
    if env_file is not None:
        Path(".env").write_text(env_file, encoding="utf-8")
    quick = quick_database_url()
    assert quick is not None
    assert quick == load_settings().database_url


UNUSUAL = [
    pytest.param({"SLACK_BOT_TOKEN": "not-a-token"}, None, True, id="bad bot token"),
    pytest.param({"SLACK_APP_TOKEN": "xoxb-1"}, None, True, id="bad app token"),
    pytest.param({"SLACK_API_URL": "slack.com"}, None, True, id="bad api url"),
    pytest.param({"LEADSCORE_TIMEZONE": "Mars/Olympus"}, None, True, id="bad time zone"),
    pytest.param({"LEADSCORE_DIGEST_CRON": "someday"}, None, True, id="bad cron"),
    pytest.param({"LEADSCORE_FREE_MAIL_FILE": "missing.txt"}, None, True, id="missing file"),
    pytest.param({}, "SLACK_BOT_TOKEN=nope\n", True, id="bad token in .env"),
    pytest.param({}, "LEADSCORE_DATABASE_URL\n", False, id=".env name without value"),
    pytest.param(
        {"LEADSCORE_DATABASE_URL": "sqlite:///a.db", "leadscore_database_url": "sqlite:///b.db"},
        None,
        False,
        id="one name twice in different case",
    ),
]


@pytest.mark.parametrize(("environ", "env_file", "refused"), UNUSUAL)
def test_anything_unusual_is_left_to_settings(
    clean: pytest.MonkeyPatch, environ: dict[str, str], env_file: str | None, refused: bool
) -> None:
    for name, value in environ.items():
        clean.setenv(name, value)
    if env_file is not None:
        Path(".env").write_text(env_file, encoding="utf-8")
    assert quick_database_url() is None
    if refused:
        with pytest.raises(SettingsError):
            load_settings()
