"""Settings, named exactly as the contract's configuration table.

Loaded from the environment or a ``.env`` file. A malformed value stops
start-up with one line naming the variable (see ``load_settings``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

from pydantic import AliasChoices, Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot import settings_env as checks
from bot.settings_env import DEFAULT_DATABASE_URL, ENV_FILE

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_CRON = checks.CRON


class SettingsError(ValueError):
    """A setting is missing or malformed; the message is one line for the operator."""


def _env(name: str) -> AliasChoices:
    return AliasChoices(name, name.lower())


class Settings(BaseSettings):
    """Everything ``leadscore`` reads from its environment."""

    model_config = SettingsConfigDict(env_file=ENV_FILE, extra="ignore", populate_by_name=True)

    slack_bot_token: str | None = Field(default=None, validation_alias=_env("SLACK_BOT_TOKEN"))
    slack_signing_secret: str | None = Field(
        default=None, validation_alias=_env("SLACK_SIGNING_SECRET")
    )
    slack_app_token: str | None = Field(default=None, validation_alias=_env("SLACK_APP_TOKEN"))
    slack_api_url: str = Field(
        default="https://slack.com/api/", validation_alias=_env("SLACK_API_URL")
    )
    database_url: str = Field(
        default=DEFAULT_DATABASE_URL, validation_alias=_env("LEADSCORE_DATABASE_URL")
    )
    rules_file: Path | None = Field(default=None, validation_alias=_env("LEADSCORE_RULES_FILE"))
    ingest_secret: str | None = Field(
        default=None, validation_alias=_env("LEADSCORE_INGEST_SECRET")
    )
    segment_write_key: str | None = Field(
        default=None, validation_alias=_env("LEADSCORE_SEGMENT_WRITE_KEY")
    )
    segment_webhook_secret: str | None = Field(
        default=None, validation_alias=_env("LEADSCORE_SEGMENT_WEBHOOK_SECRET")
    )
    manager_ids: Annotated[frozenset[str], NoDecode] = Field(
        default=frozenset(), validation_alias=_env("LEADSCORE_MANAGER_IDS")
    )
    digest_channel: str | None = Field(
        default=None, validation_alias=_env("LEADSCORE_DIGEST_CHANNEL")
    )
    metadata_app_ids: Annotated[frozenset[str], NoDecode] = Field(
        default=frozenset(), validation_alias=_env("LEADSCORE_METADATA_APP_IDS")
    )
    digest_cron: str = Field(default="mon 09:00", validation_alias=_env("LEADSCORE_DIGEST_CRON"))
    timezone: str = Field(default="UTC", validation_alias=_env("LEADSCORE_TIMEZONE"))
    free_mail_file: Path | None = Field(
        default=None, validation_alias=_env("LEADSCORE_FREE_MAIL_FILE")
    )

    @field_validator("manager_ids", "metadata_app_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> frozenset[str]:
        if isinstance(value, str):
            return frozenset(part.strip() for part in value.split(",") if part.strip())
        return frozenset(value or ())  # type: ignore[call-overload]

    @field_validator("slack_bot_token")
    @classmethod
    def _bot_token(cls, value: str | None) -> str | None:
        return checks.bot_token(value)

    @field_validator("slack_app_token")
    @classmethod
    def _app_token(cls, value: str | None) -> str | None:
        return checks.app_token(value)

    @field_validator("slack_api_url")
    @classmethod
    def _api_url(cls, value: str) -> str:
        return checks.api_url(value)

    @field_validator("digest_cron")
    @classmethod
    def _cron(cls, value: str) -> str:
        return checks.cron(value)

    @field_validator("free_mail_file")
    @classmethod
    def _free_mail(cls, value: Path | None) -> Path | None:
        return checks.existing_file(value)

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        return checks.time_zone(value)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def digest_day_and_time(self) -> tuple[str, int, int]:
        """The digest cron as (day, hour, minute)."""
        match = _CRON.match(self.digest_cron)
        assert match is not None  # validated above
        return match.group(1), int(match.group(2)), int(match.group(3))

    def is_manager(self, user_id: str) -> bool:
        return user_id in self.manager_ids

    def accepts_metadata_from(self, app_id: str | None) -> bool:
        """Message metadata from ``app_id`` is ingested (any app when none are named)."""
        return not self.metadata_app_ids or app_id in self.metadata_app_ids

    def require(self, *names: str) -> None:
        """Refuse to go on without these settings (by their environment names)."""
        for name in names:
            attr = _ATTRS[name]
            if not getattr(self, attr):
                raise SettingsError(f"{name} is not set: {_HINTS[name]}")


_ATTRS = {
    "SLACK_BOT_TOKEN": "slack_bot_token",
    "SLACK_SIGNING_SECRET": "slack_signing_secret",
    "SLACK_APP_TOKEN": "slack_app_token",
    "LEADSCORE_INGEST_SECRET": "ingest_secret",
}
_HINTS = {
    "SLACK_BOT_TOKEN": "set it to the app's Bot User OAuth Token (xoxb-...), "
    "from OAuth & Permissions",
    "SLACK_SIGNING_SECRET": "set it to the Signing Secret from Basic Information "
    "(or use --socket-mode with SLACK_APP_TOKEN)",
    "SLACK_APP_TOKEN": "socket mode needs an app-level token (xapp-...) with "
    "connections:write, from Basic Information > App-Level Tokens",
    "LEADSCORE_INGEST_SECRET": "set it to a long random string shared with the sender",
}


def load_settings(**overrides: object) -> Settings:
    """Read settings, turning pydantic's report into one line naming the variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        field = str(first["loc"][0]) if first["loc"] else "settings"
        name = _env_name(field)
        message = first["msg"].removeprefix("Value error, ")
        raise SettingsError(f"{name} {message}") from None


def _env_name(field: str) -> str:
    upper = field.upper()
    if upper.startswith("SLACK_") or upper.startswith("LEADSCORE_"):
        return upper
    return f"LEADSCORE_{upper}"
