"""Settings as the environment spells them, and reading the database URL without pydantic.

``Settings`` (``bot.settings``) reads the configuration; importing it loads
pydantic-settings, which costs ``leadscore score EMAIL`` more than its whole
lookup. The names, the default URL and the checks of each value live here,
so ``Settings`` and ``quick_database_url`` share them: the quick reader looks
at the same variables the same way (the environment first, then ``.env`` in
the working directory, names in any case) and runs every check ``Settings``
runs. When anything is unusual it answers None and the caller builds
``Settings``, which reports the problem as it always did.
``tests/cli/test_quick_settings.py`` holds the two readers to the same answers.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_DATABASE_URL = "sqlite:///leadscore.db"

ENV_NAMES = {
    "slack_bot_token": "SLACK_BOT_TOKEN",
    "slack_signing_secret": "SLACK_SIGNING_SECRET",
    "slack_app_token": "SLACK_APP_TOKEN",
    "slack_api_url": "SLACK_API_URL",
    "database_url": "LEADSCORE_DATABASE_URL",
    "rules_file": "LEADSCORE_RULES_FILE",
    "ingest_secret": "LEADSCORE_INGEST_SECRET",
    "segment_write_key": "LEADSCORE_SEGMENT_WRITE_KEY",
    "segment_webhook_secret": "LEADSCORE_SEGMENT_WEBHOOK_SECRET",
    "manager_ids": "LEADSCORE_MANAGER_IDS",
    "digest_channel": "LEADSCORE_DIGEST_CHANNEL",
    "metadata_app_ids": "LEADSCORE_METADATA_APP_IDS",
    "digest_cron": "LEADSCORE_DIGEST_CRON",
    "timezone": "LEADSCORE_TIMEZONE",
    "free_mail_file": "LEADSCORE_FREE_MAIL_FILE",
}
"""Each setting's field name in ``Settings`` and its environment variable."""

ENV_FILE = ".env"

CRON = re.compile(r"^(mon|tue|wed|thu|fri|sat|sun)\s+([01]?\d|2[0-3]):([0-5]\d)$")


def bot_token(value: str | None) -> str | None:
    if value and not value.startswith("xoxb-"):
        raise ValueError("must be a bot token starting with xoxb-")
    return value or None


def app_token(value: str | None) -> str | None:
    if value and not value.startswith("xapp-"):
        raise ValueError("must be an app-level token starting with xapp-")
    return value or None


def api_url(value: str) -> str:
    if not value.startswith(("http://", "https://")):
        raise ValueError("must be an http(s) URL such as https://slack.com/api/")
    return value if value.endswith("/") else value + "/"


def cron(value: str) -> str:
    if not CRON.match(value.strip().lower()):
        raise ValueError("must be a weekday and a time, e.g. 'mon 09:00'")
    return value.strip().lower()


def existing_file(value: Path | None) -> Path | None:
    if value is not None and not value.is_file():
        raise ValueError(f"no such file: {value}")
    return value


def time_zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError("is not an IANA time zone such as Europe/Berlin") from None
    return value


_CHECKS: dict[str, Callable[[str], object]] = {
    "slack_bot_token": bot_token,
    "slack_app_token": app_token,
    "slack_api_url": api_url,
    "digest_cron": cron,
    "free_mail_file": lambda value: existing_file(Path(value)),
    "timezone": time_zone,
}
"""What ``Settings`` checks beyond taking the text (the rest are plain text or split ids)."""


def quick_database_url(environ: Mapping[str, str] | None = None) -> str | None:
    """``Settings().database_url`` when every setting is plainly valid, else None.

    None means "build ``Settings``": a value fails a check, a variable is set
    twice in different case, ``.env`` has a line without a value, or it cannot
    be read. Settings given in code (``load_settings(**overrides)``) are not
    seen here; the CLI gives none.
    """
    values = _lowered(os.environ if environ is None else environ)
    if values is None:
        return None
    if os.path.exists(ENV_FILE):
        from_file = _env_file_values()
        if from_file is None:
            return None
        values = {**from_file, **values}
    for field, name in ENV_NAMES.items():
        value = values.get(name.lower())
        check = _CHECKS.get(field)
        if value is None or check is None:
            continue
        try:
            check(value)
        except (ValueError, OSError):
            return None
    return values.get("leadscore_database_url", DEFAULT_DATABASE_URL)


def _lowered(source: Mapping[str, str | None]) -> dict[str, str] | None:
    """Our variables by lower-case name; None if one is given twice or without a value."""
    ours = {name.lower() for name in ENV_NAMES.values()}
    found: dict[str, str] = {}
    for key, value in source.items():
        lowered = key.lower()
        if lowered not in ours:
            continue
        if lowered in found or value is None:
            return None
        found[lowered] = value
    return found


def _env_file_values() -> dict[str, str] | None:
    """``.env`` read by the parser pydantic-settings uses (python-dotenv)."""
    from dotenv import dotenv_values

    if not os.path.isfile(ENV_FILE):
        return None  # a FIFO or a directory: left to Settings
    try:
        return _lowered(dotenv_values(ENV_FILE, encoding=None))
    except (OSError, UnicodeDecodeError):
        return None
