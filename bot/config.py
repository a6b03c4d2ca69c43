"""Settings: read once from the environment (and an optional `.env`), validated, passed down.

Nothing else in Kotae reads `os.environ`. A bad value stops the start with a message that names the
key, the value and what is allowed (`SettingsError`, exit code 2 in `app.py`).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal, Self
from urllib.parse import unquote, urlsplit

from pydantic import (
    BeforeValidator,
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.redact import redact
from knowledge.languages import LANGUAGES, Lang

__all__ = [
    "SETTINGS_CONFIG",
    "AppType",
    "Settings",
    "SettingsError",
    "describe_validation_error",
    "load_settings",
    "parse_channel_id",
]

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./data/kotae.db"
# The Bot Framework's OpenID metadata: where its token signing keys are published.
BOT_FRAMEWORK_METADATA_URL = "https://login.botframework.com/v1/.well-known/openidconfiguration"
DEV_BOT_APP_ID = "00000000-0000-0000-0000-00000000c0de"
_GUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_CHANNEL_ID = re.compile(r"19:[^/?#\s]+@thread\.[a-z0-9]+")


class AppType(StrEnum):
    """botbuilder's `MicrosoftAppType` values."""

    SINGLE_TENANT = "SingleTenant"
    MULTI_TENANT = "MultiTenant"
    USER_ASSIGNED_MSI = "UserAssignedMSI"


class SettingsError(Exception):
    """One or more settings are invalid; `str()` is the message for the operator."""


def parse_channel_id(value: str) -> str:
    """Accept a raw channel id, its URL-encoded form (`19%3a…`) or a pasted "Get link to channel" URL."""
    text = value.strip()
    if text.lower().startswith(("http://", "https://")):
        parts = urlsplit(text).path.split("/")
        # https://teams.microsoft.com/l/channel/<encoded id>/<name>?groupId=…&tenantId=…
        if "channel" in parts and parts.index("channel") + 1 < len(parts):
            text = parts[parts.index("channel") + 1]
    text = unquote(text)
    if not _CHANNEL_ID.fullmatch(text):
        raise ValueError(
            "expected a Teams channel id such as 19:abc…@thread.tacv2, its URL-encoded form "
            "19%3aabc…%40thread.tacv2, or the link from the channel's 'Get link to channel'"
        )
    return text


def _split_list(value: Any) -> Any:
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    return value


_HOURS = re.compile(r"((?:[01]\d|2[0-3]):[0-5]\d)-((?:[01]\d|2[0-4]):[0-5]\d)")
_MONTH_DAY = re.compile(r"(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])")


def _parse_routes(value: Any) -> Any:
    """`category=channel id` pairs separated by commas or semicolons (channel ids contain no `=`)."""
    if not isinstance(value, str):
        return value
    routes = {}
    for pair in re.split(r"[;,]", value):
        if not pair.strip():
            continue
        category, separator, channel = pair.partition("=")
        if not separator or not category.strip() or not channel.strip():
            raise ValueError(
                f"{pair.strip()!r} is not category=channel-id; expected e.g. network=19:abc@thread.tacv2"
            )
        routes[category.strip()] = channel.strip()
    return routes


def _blank_is_none(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


# Shared by every settings class of Kotae's commands (the bot, the manifest build).
SETTINGS_CONFIG = SettingsConfigDict(
    env_file=".env",
    env_file_encoding="utf-8",
    extra="ignore",
    frozen=True,
    case_sensitive=False,
    populate_by_name=True,
)


class Settings(BaseSettings):
    """Every setting Kotae reads. Documented in README.md (a test keeps the two in step)."""

    model_config = SETTINGS_CONFIG

    host: str = Field("127.0.0.1", validation_alias="HOST")
    port: int = Field(3978, ge=1, le=65535, validation_alias="PORT")
    app_id: str = Field("", validation_alias="MicrosoftAppId")
    app_password: Annotated[SecretStr | None, BeforeValidator(_blank_is_none)] = Field(
        None, validation_alias="MicrosoftAppPassword"
    )
    app_tenant_id: str = Field("", validation_alias="MicrosoftAppTenantId")
    app_type: AppType = Field(AppType.SINGLE_TENANT, validation_alias="MicrosoftAppType")
    certificate_thumbprint: str = Field("", validation_alias="KOTAE_CERTIFICATE_THUMBPRINT")
    certificate_key_file: Annotated[Path | None, BeforeValidator(_blank_is_none)] = Field(
        None, validation_alias="KOTAE_CERTIFICATE_KEY_FILE"
    )
    database_url: str = Field(DEFAULT_DATABASE_URL, validation_alias="DATABASE_URL")
    migrate_on_start: bool = Field(True, validation_alias="KOTAE_MIGRATE_ON_START")
    knowledge_dir: Path = Field(Path("knowledge/faq"), validation_alias="KOTAE_KNOWLEDGE_DIR")
    knowledge_poll_interval: float = Field(
        2.0, gt=0, le=3600, validation_alias="KOTAE_KNOWLEDGE_POLL_INTERVAL"
    )
    knowledge_force_polling: bool = Field(False, validation_alias="KOTAE_KNOWLEDGE_FORCE_POLLING")
    # Where the built index is kept between starts (knowledge/snapshot.py); blank: not kept.
    knowledge_cache_dir: Annotated[Path | None, BeforeValidator(_blank_is_none)] = Field(
        Path("data/knowledge-cache"), validation_alias="KOTAE_KNOWLEDGE_CACHE_DIR"
    )
    # Rank with the sentence-embedding model as well as words (knowledge/semantic.py); off: words only.
    semantic: bool = Field(True, validation_alias="KOTAE_SEMANTIC")
    # Unset means the knowledge engine's tuned default (knowledge.MatchSettings).
    match_answer_threshold: float | None = Field(
        None, ge=0, le=1, validation_alias="KOTAE_MATCH_ANSWER_THRESHOLD"
    )
    match_answer_margin: float | None = Field(None, ge=0, le=1, validation_alias="KOTAE_MATCH_ANSWER_MARGIN")
    match_clarify_threshold: float | None = Field(
        None, ge=0, le=1, validation_alias="KOTAE_MATCH_CLARIFY_THRESHOLD"
    )
    ict_channel_id: Annotated[str | None, BeforeValidator(_blank_is_none)] = Field(
        None, validation_alias="KOTAE_ICT_CHANNEL_ID"
    )
    # Where the Bot Framework's signing keys are found, and how long fetching them may take.
    openid_metadata_url: str = Field(BOT_FRAMEWORK_METADATA_URL, validation_alias="KOTAE_OPENID_METADATA_URL")
    openid_timeout_seconds: float = Field(5.0, gt=0, le=60, validation_alias="KOTAE_OPENID_TIMEOUT_SECONDS")
    # Unset means the bot's own tenant (MicrosoftAppTenantId), if it has one.
    allowed_tenants: Annotated[tuple[str, ...], NoDecode, BeforeValidator(_split_list)] = Field(
        (), validation_alias="KOTAE_ALLOWED_TENANTS", validate_default=True
    )
    dev_mode: bool = Field(False, validation_alias="KOTAE_DEV_MODE")
    dev_allow_remote: bool = Field(False, validation_alias="KOTAE_DEV_ALLOW_REMOTE")
    log_level: str = Field("INFO", validation_alias="LOG_LEVEL")
    log_format: Literal["text", "json"] = Field("text", validation_alias="KOTAE_LOG_FORMAT")
    max_body_bytes: int = Field(
        256 * 1024, ge=1024, le=16 * 1024 * 1024, validation_alias="KOTAE_MAX_BODY_BYTES"
    )
    body_read_timeout_seconds: float = Field(
        10.0, gt=0, le=300, validation_alias="KOTAE_BODY_READ_TIMEOUT_SECONDS"
    )
    default_locale: Lang = Field("ja", validation_alias="KOTAE_DEFAULT_LOCALE")
    timezone: str = Field("Asia/Tokyo", validation_alias="KOTAE_TIMEZONE")
    # --- ICT desk (bot/desk; documented in docs/desk.md) ---
    desk_routes: Annotated[dict[str, str], NoDecode, BeforeValidator(_parse_routes)] = Field(
        default_factory=dict, validation_alias="KOTAE_DESK_ROUTES"
    )
    desk_force_release_after_hours: float = Field(
        72.0, gt=0, le=24 * 365, validation_alias="KOTAE_DESK_FORCE_RELEASE_AFTER_HOURS"
    )
    desk_auto_resolve_days: float = Field(7.0, gt=0, le=365, validation_alias="KOTAE_DESK_AUTO_RESOLVE_DAYS")
    desk_reminder_after_minutes: float = Field(
        60.0, gt=0, le=7 * 24 * 60, validation_alias="KOTAE_DESK_REMINDER_AFTER_MINUTES"
    )
    desk_reminder_interval_minutes: float = Field(
        120.0, gt=0, le=7 * 24 * 60, validation_alias="KOTAE_DESK_REMINDER_INTERVAL_MINUTES"
    )
    desk_reminder_max: int = Field(3, ge=0, le=100, validation_alias="KOTAE_DESK_REMINDER_MAX")
    desk_business_hours: str = Field("08:30-17:15", validation_alias="KOTAE_DESK_BUSINESS_HOURS")
    desk_closed_dates: Annotated[tuple[str, ...], NoDecode, BeforeValidator(_split_list)] = Field(
        ("12-29", "12-30", "12-31", "01-01", "01-02", "01-03"), validation_alias="KOTAE_DESK_CLOSED_DATES"
    )
    staff_number_pattern: Annotated[str | None, BeforeValidator(_blank_is_none)] = Field(
        None, validation_alias="KOTAE_STAFF_NUMBER_PATTERN"
    )
    question_log_flush_seconds: float = Field(
        0.5, gt=0, le=60, validation_alias="KOTAE_QUESTION_LOG_FLUSH_SECONDS"
    )
    retention_days: int = Field(365, ge=0, le=36500, validation_alias="KOTAE_RETENTION_DAYS")
    outbox_max_attempts: int = Field(8, ge=1, le=100, validation_alias="KOTAE_OUTBOX_MAX_ATTEMPTS")
    outbox_poll_seconds: float = Field(1.0, gt=0, le=60, validation_alias="KOTAE_OUTBOX_POLL_SECONDS")
    outbox_lease_seconds: float = Field(120.0, ge=5, le=3600, validation_alias="KOTAE_OUTBOX_LEASE_SECONDS")
    # --- colleagues' know-how (bot/knowhow; documented in docs/knowhow.md) ---
    knowhow_daily_cap: int = Field(3, ge=0, le=100, validation_alias="KOTAE_KNOWHOW_DAILY_CAP")
    knowhow_match_threshold: float = Field(0.5, gt=0, le=1, validation_alias="KOTAE_KNOWHOW_MATCH_THRESHOLD")

    @field_validator("desk_routes")
    @classmethod
    def _routes(cls, value: dict[str, str]) -> dict[str, str]:
        return {category: parse_channel_id(channel) for category, channel in value.items()}

    @field_validator("desk_business_hours")
    @classmethod
    def _business_hours(cls, value: str) -> str:
        match = _HOURS.fullmatch(value.strip())
        if not match or match.group(1) >= match.group(2):
            raise ValueError(
                "expected HH:MM-HH:MM in 24-hour time with the start before the end, e.g. 08:30-17:15"
            )
        return value.strip()

    @field_validator("desk_closed_dates")
    @classmethod
    def _closed_dates(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for day in value:
            if not _MONTH_DAY.fullmatch(day):
                raise ValueError(f"{day!r} is not MM-DD; expected a comma-separated list such as 12-29,01-03")
        return value

    # --- end ICT desk ---

    @field_validator("ict_channel_id")
    @classmethod
    def _channel(cls, value: str | None) -> str | None:
        return parse_channel_id(value) if value else None

    @field_validator("staff_number_pattern")
    @classmethod
    def _staff_number_pattern(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            re.compile(value)
        except re.error as error:
            raise ValueError(f"not a regular expression: {error}") from error
        return value

    @field_validator("log_level")
    @classmethod
    def _log_level(cls, value: str) -> str:
        level = value.strip().upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError("expected one of DEBUG, INFO, WARNING, ERROR, CRITICAL")
        return level

    @field_validator("default_locale", mode="before")
    @classmethod
    def _locale(cls, value: object) -> object:
        # Before the type's own check, so that the message is ours.
        if isinstance(value, str) and value not in LANGUAGES:
            raise ValueError("expected ja or en")
        return value

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError("expected an IANA time zone such as Asia/Tokyo") from error
        return value

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError(
                "expected an async SQLAlchemy URL: sqlite+aiosqlite:///path/to/file.db or "
                "postgresql+asyncpg://user:password@host:5432/database"
            )
        return value

    @field_validator("openid_metadata_url")
    @classmethod
    def _openid_metadata_url(cls, value: str) -> str:
        if not value.startswith(("https://", "http://")):
            raise ValueError(f"expected an https:// URL such as {BOT_FRAMEWORK_METADATA_URL}")
        return value

    @field_validator("app_id", "app_tenant_id")
    @classmethod
    def _guid_or_blank(cls, value: str) -> str:
        value = value.strip()
        if value and not _GUID.fullmatch(value):
            raise ValueError("expected a GUID such as 12345678-90ab-cdef-1234-567890abcdef")
        return value

    @field_validator("allowed_tenants")
    @classmethod
    def _tenants(cls, value: tuple[str, ...], info: ValidationInfo) -> tuple[str, ...]:
        for tenant in value:
            if not _GUID.fullmatch(tenant):
                raise ValueError(f"{tenant!r} is not a tenant GUID; expected a comma-separated list of GUIDs")
        # app_tenant_id is declared first, so it is in `info.data` once it is valid.
        own_tenant = info.data.get("app_tenant_id")
        return value or ((own_tenant,) if own_tenant else ())

    @model_validator(mode="after")
    def _credentials(self) -> Self:
        problems = _dev_mode_problems(self) if self.dev_mode else _credential_problems(self)
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @property
    def bot_app_id(self) -> str:
        """The app id for proactive sends; dev mode has none, and botbuilder needs a non-empty one."""
        return self.app_id or DEV_BOT_APP_ID

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def _dev_mode_problems(settings: Settings) -> list[str]:
    """Dev mode turns off authentication, so it must not listen beyond this machine by accident."""
    if settings.dev_allow_remote or _is_loopback(settings.host):
        return []
    return [
        f"HOST={settings.host!r} is not a loopback address, and KOTAE_DEV_MODE turns off "
        "authentication: bind 127.0.0.1, or set KOTAE_DEV_ALLOW_REMOTE=true if you really mean it"
    ]


def _credential_problems(settings: Settings) -> list[str]:
    """Everything missing for the bot to prove who it is to Teams, all at once."""
    problems = []
    if not settings.app_id:
        problems.append("MicrosoftAppId is empty: set the Azure Bot's app id (or KOTAE_DEV_MODE=true)")
    if settings.app_type is AppType.USER_ASSIGNED_MSI:
        if not settings.app_tenant_id:
            problems.append("MicrosoftAppType=UserAssignedMSI needs MicrosoftAppTenantId")
    elif not settings.app_password and not (
        settings.certificate_thumbprint and settings.certificate_key_file
    ):
        problems.append(
            "no credentials: set MicrosoftAppPassword (client secret), or KOTAE_CERTIFICATE_THUMBPRINT "
            "and KOTAE_CERTIFICATE_KEY_FILE, or MicrosoftAppType=UserAssignedMSI for a managed identity"
        )
    if settings.app_type is AppType.SINGLE_TENANT and not settings.app_tenant_id:
        problems.append("MicrosoftAppType=SingleTenant needs MicrosoftAppTenantId")
    return problems


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


_SECRET_KEYS = frozenset({"MicrosoftAppPassword"})


def describe_validation_error(
    error: ValidationError,
    model: type[BaseSettings],
    *,
    secret_keys: frozenset[str] = _SECRET_KEYS,
    missing_hints: Mapping[str, str] | None = None,
) -> str:
    """One line per problem, naming the environment variable, its value and what is allowed."""
    lines = []
    for problem in error.errors():
        location = problem.get("loc") or ()
        if not location:
            lines.append(f"Settings are not usable: {str(problem['msg']).removeprefix('Value error, ')}")
            continue
        field = model.model_fields.get(str(location[0]))
        # pydantic names either the environment variable or the field: always show the variable.
        key = str(field.validation_alias) if field and field.validation_alias else str(location[0])
        if problem["type"] == "missing":
            lines.append(f"Setting {key} is missing: {(missing_hints or {}).get(key, 'set it')}")
            continue
        # Secrets are never shown; other values lose any credential they carry (a URL's password).
        shown = "'***'" if key in secret_keys else redact(repr(problem.get("input")))
        lines.append(
            f"Setting {key}={shown} is not allowed: {str(problem['msg']).removeprefix('Value error, ')}"
        )
    return "\n".join(lines)


class OperatorSettings(Settings):
    """The settings of operator commands that never talk to Teams (`python -m bot migrate`, `drafts
    export`, `export-person`): everything but the Teams credentials is checked."""

    @model_validator(mode="after")
    def _credentials(self) -> Self:  # replaces Settings' check of the Teams credentials
        return self


def load_operator_settings(**overrides: Any) -> Settings:
    """Like `load_settings`, without requiring MicrosoftAppId and its credentials."""
    try:
        return OperatorSettings(**overrides)
    except ValidationError as error:
        raise SettingsError(describe_validation_error(error, OperatorSettings)) from None


def load_settings(**overrides: Any) -> Settings:
    """Build the settings once; `overrides` (by field name) win over the environment, for tests and tools."""
    try:
        return Settings(**overrides)
    except ValidationError as error:
        raise SettingsError(describe_validation_error(error, Settings)) from None
