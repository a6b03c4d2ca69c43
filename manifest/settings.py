"""Settings for the Teams app package, read once from the environment (and an optional `.env`).

Only the package builder reads these; the bot has its own settings. A bad value is reported with
the key, the value and what is allowed (`SettingsError`, exit code 2 in the CLI).
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings

from bot.config import SETTINGS_CONFIG, describe_validation_error

__all__ = [
    "DEFAULT_MANIFEST_VERSION",
    "MANIFEST_VERSIONS",
    "PLACEHOLDER_URL",
    "REPO_ROOT",
    "ManifestSettings",
    "SettingsError",
    "load_settings",
]

REPO_ROOT = Path(__file__).resolve().parent.parent
# An address that can never resolve (RFC 2606), so a forgotten placeholder is obvious, not misleading.
PLACEHOLDER_URL = "https://kotae.example.invalid/"

_GUID = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")
# Teams takes MAJOR.MINOR.PATCH only: no pre-release or build suffix.
_VERSION = re.compile(r"(?:0|[1-9][0-9]*)\.(?:0|[1-9][0-9]*)\.(?:0|[1-9][0-9]*)")
_HOST_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")

# Manifest schema versions the package can be built for: every field Kotae writes exists in all of them
# (there is no 1.18). The default is the version Microsoft Learn's "App manifest schema" page calls
# current in the newest copy we could read: Teams accepts it and every earlier one. Newer versions work
# in tenants that are up to date; choose one with KOTAE_MANIFEST_VERSION.
MANIFEST_VERSIONS = tuple(f"1.{minor}" for minor in range(13, 31) if minor != 18)
DEFAULT_MANIFEST_VERSION = "1.22"


class SettingsError(Exception):
    """One or more settings are invalid; `str()` is the message for the operator."""


def _project_version() -> str:
    """The app version follows the project's version unless KOTAE_APP_VERSION says otherwise."""
    with (REPO_ROOT / "pyproject.toml").open("rb") as file:
        return str(tomllib.load(file)["project"]["version"])


def _default_schemas_dir() -> Path:
    return REPO_ROOT.parent / "shared" / "schemas"


class ManifestSettings(BaseSettings):
    """What the manifest takes from the deployment: ids, name, version, host and publisher."""

    model_config = SETTINGS_CONFIG

    app_id: str = Field(validation_alias="MicrosoftAppId")
    app_version: str = Field(default_factory=_project_version, validation_alias="KOTAE_APP_VERSION")
    manifest_version: str = Field(DEFAULT_MANIFEST_VERSION, validation_alias="KOTAE_MANIFEST_VERSION")
    app_name: str = Field("Kotae", validation_alias="KOTAE_APP_NAME")
    public_host: str = Field("", validation_alias="KOTAE_PUBLIC_HOST")
    developer_name: str = Field("ICT Help Desk", validation_alias="KOTAE_DEVELOPER_NAME")
    developer_url: str = Field(PLACEHOLDER_URL, validation_alias="KOTAE_DEVELOPER_URL")
    privacy_url: str = Field(PLACEHOLDER_URL + "privacy", validation_alias="KOTAE_PRIVACY_URL")
    terms_url: str = Field(PLACEHOLDER_URL + "terms", validation_alias="KOTAE_TERMS_URL")
    schemas_dir: Path = Field(default_factory=_default_schemas_dir, validation_alias="KOTAE_SCHEMAS_DIR")

    @field_validator("app_id")
    @classmethod
    def _guid(cls, value: str) -> str:
        value = value.strip()
        if not _GUID.fullmatch(value):
            raise ValueError(
                "expected the Azure Bot's Microsoft App ID, a GUID such as "
                "12345678-90ab-cdef-1234-567890abcdef"
            )
        return value.lower()

    @field_validator("app_version")
    @classmethod
    def _version(cls, value: str) -> str:
        value = value.strip()
        if not _VERSION.fullmatch(value):
            raise ValueError(
                "expected MAJOR.MINOR.PATCH such as 1.4.0 (numbers only, no leading zeros, "
                "no suffix such as -beta: Teams rejects those)"
            )
        return value

    @field_validator("manifest_version")
    @classmethod
    def _manifest_version(cls, value: str) -> str:
        value = value.strip()
        if value not in MANIFEST_VERSIONS:
            raise ValueError(
                f"expected a Teams manifest schema version from {MANIFEST_VERSIONS[0]} to "
                f"{MANIFEST_VERSIONS[-1]} (no 1.18), e.g. {DEFAULT_MANIFEST_VERSION}"
            )
        return value

    @field_validator("app_name")
    @classmethod
    def _name(cls, value: str) -> str:
        value = value.strip()
        if not 1 <= len(value) <= 30:
            raise ValueError("expected a short app name of 1 to 30 characters")
        return value

    @field_validator("developer_name")
    @classmethod
    def _developer(cls, value: str) -> str:
        value = value.strip()
        if not 1 <= len(value) <= 32:
            raise ValueError("expected the publisher's name (e.g. the ICT section), 1 to 32 characters")
        return value

    @field_validator("public_host")
    @classmethod
    def _host(cls, value: str) -> str:
        host = value.strip().lower()
        labels = host.split(".")
        if host and not (len(host) <= 253 and len(labels) >= 2 and all(map(_HOST_LABEL.fullmatch, labels))):
            raise ValueError(
                "expected the bot's public host name only, such as kotae.example.lg.jp "
                "(no https://, no path, no port), or nothing"
            )
        return host

    @field_validator("developer_url", "privacy_url", "terms_url")
    @classmethod
    def _https(cls, value: str) -> str:
        value = value.strip()
        if not re.fullmatch(r"https://[^\s/]+(?:/\S*)?", value) or len(value) > 2048:
            raise ValueError("expected an https:// URL of at most 2048 characters")
        return value

    @property
    def valid_domains(self) -> list[str]:
        return [self.public_host] if self.public_host else []

    @property
    def placeholder_keys(self) -> list[str]:
        """Publisher settings still on their placeholder, worth a warning before an upload."""
        return [
            str(field.validation_alias)
            for name, field in type(self).model_fields.items()
            if name in {"developer_url", "privacy_url", "terms_url"}
            and getattr(self, name).startswith(PLACEHOLDER_URL)
        ]


_MISSING_HINTS = {
    "MicrosoftAppId": "set it to the Azure Bot's Microsoft App ID (a GUID), or pass --app-id",
}


def load_settings(**overrides: Any) -> ManifestSettings:
    """Build the settings once; `overrides` (by field name) win over the environment."""
    try:
        return ManifestSettings(**overrides)
    except ValidationError as error:
        message = describe_validation_error(error, ManifestSettings, missing_hints=_MISSING_HINTS)
        raise SettingsError(message) from None
