"""The bot's Teams credentials and dev-mode guard: what is derived, what is refused, and in which words."""

from __future__ import annotations

import re
from typing import Any

import pytest

from bot.config import AppType, SettingsError, load_operator_settings, load_settings

APP_ID = "11111111-2222-3333-4444-555555555555"
TENANT = "00000000-0000-0000-0000-0000000000aa"
OTHER_TENANT = "00000000-0000-0000-0000-0000000000bb"


def _settings(**values: Any):
    return load_settings(_env_file=None, **values)


def test_the_app_tenant_is_the_allowed_tenant_unless_a_list_is_given() -> None:
    assert _settings(app_id=APP_ID, app_password="s", app_tenant_id=TENANT).allowed_tenants == (TENANT,)
    listed = _settings(app_id=APP_ID, app_password="s", app_tenant_id=TENANT, allowed_tenants=OTHER_TENANT)
    assert listed.allowed_tenants == (OTHER_TENANT,)
    assert _settings(dev_mode=True).allowed_tenants == ()
    assert _settings(dev_mode=True, app_tenant_id=TENANT).allowed_tenants == (TENANT,)


def test_the_settings_stay_frozen() -> None:
    settings = _settings(dev_mode=True)
    with pytest.raises(ValueError, match="frozen"):
        settings.port = 1  # type: ignore[misc]


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({}, "MicrosoftAppId is empty"),
        ({"app_id": APP_ID, "app_tenant_id": TENANT}, "no credentials: set MicrosoftAppPassword"),
        ({"app_id": APP_ID, "app_password": "s"}, "MicrosoftAppType=SingleTenant needs MicrosoftAppTenantId"),
        (
            {"app_id": APP_ID, "app_type": AppType.USER_ASSIGNED_MSI},
            "MicrosoftAppType=UserAssignedMSI needs MicrosoftAppTenantId",
        ),
        (
            {"app_id": APP_ID, "app_tenant_id": TENANT, "certificate_thumbprint": "AB12"},
            "no credentials",
        ),
    ],
)
def test_missing_credentials_are_named(values: dict[str, Any], message: str) -> None:
    with pytest.raises(SettingsError, match=message) as raised:
        _settings(**values)
    assert str(raised.value).startswith("Settings are not usable: ")


def test_every_missing_credential_is_named_at_once() -> None:
    with pytest.raises(SettingsError) as raised:
        _settings()
    assert str(raised.value) == (
        "Settings are not usable: MicrosoftAppId is empty: set the Azure Bot's app id (or KOTAE_DEV_MODE=true); "
        "no credentials: set MicrosoftAppPassword (client secret), or KOTAE_CERTIFICATE_THUMBPRINT and "
        "KOTAE_CERTIFICATE_KEY_FILE, or MicrosoftAppType=UserAssignedMSI for a managed identity; "
        "MicrosoftAppType=SingleTenant needs MicrosoftAppTenantId"
    )


@pytest.mark.parametrize(
    "values",
    [
        {"app_id": APP_ID, "app_password": "s", "app_tenant_id": TENANT},
        {"app_id": APP_ID, "app_password": "s", "app_type": AppType.MULTI_TENANT},
        {"app_id": APP_ID, "app_type": AppType.USER_ASSIGNED_MSI, "app_tenant_id": TENANT},
        {
            "app_id": APP_ID,
            "app_tenant_id": TENANT,
            "certificate_thumbprint": "AB12",
            "certificate_key_file": "key.pem",
        },
    ],
)
def test_complete_credentials_are_accepted(values: dict[str, Any]) -> None:
    assert _settings(**values).app_id == APP_ID


def test_dev_mode_needs_no_credentials_but_a_loopback_host() -> None:
    assert _settings(dev_mode=True, host="::1").dev_mode
    assert _settings(dev_mode=True, host="localhost").dev_mode
    with pytest.raises(SettingsError, match=re.escape("HOST='0.0.0.0' is not a loopback address")):
        _settings(dev_mode=True, host="0.0.0.0")
    assert _settings(dev_mode=True, host="0.0.0.0", dev_allow_remote=True).host == "0.0.0.0"


def test_the_default_language_is_ja_or_en() -> None:
    assert _settings(dev_mode=True, default_locale="en").default_locale == "en"
    with pytest.raises(SettingsError) as raised:
        _settings(dev_mode=True, default_locale="fr")
    assert str(raised.value) == "Setting KOTAE_DEFAULT_LOCALE='fr' is not allowed: expected ja or en"


def test_operator_commands_need_no_credentials() -> None:
    settings = load_operator_settings(_env_file=None)
    assert settings.app_id == ""
    assert not settings.dev_mode
