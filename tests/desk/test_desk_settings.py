"""The desk's settings: good values parse, bad ones name the key, the value and what is allowed."""

from __future__ import annotations

import pytest

from bot.config import SettingsError, load_settings


def _settings(**values: object):
    return load_settings(dev_mode=True, _env_file=None, **values)


def test_defaults() -> None:
    settings = _settings()
    assert settings.desk_routes == {}
    assert settings.desk_business_hours == "08:30-17:15"
    assert "12-29" in settings.desk_closed_dates
    assert settings.retention_days == 365


def test_routes_accept_pasted_channel_links() -> None:
    link = "https://teams.microsoft.com/l/channel/19%3aabc%40thread.tacv2/ICT?groupId=x&tenantId=y"
    settings = _settings(desk_routes=f"network={link}; mail=19:mail@thread.tacv2")
    assert settings.desk_routes == {"network": "19:abc@thread.tacv2", "mail": "19:mail@thread.tacv2"}


@pytest.mark.parametrize(
    ("field", "value", "key"),
    [
        ("desk_routes", "network", "KOTAE_DESK_ROUTES"),
        ("desk_routes", "network=not-a-channel", "KOTAE_DESK_ROUTES"),
        ("desk_business_hours", "17:00-09:00", "KOTAE_DESK_BUSINESS_HOURS"),
        ("desk_business_hours", "9-17", "KOTAE_DESK_BUSINESS_HOURS"),
        ("desk_closed_dates", "12/29", "KOTAE_DESK_CLOSED_DATES"),
        ("desk_reminder_max", -1, "KOTAE_DESK_REMINDER_MAX"),
        ("outbox_max_attempts", 0, "KOTAE_OUTBOX_MAX_ATTEMPTS"),
    ],
)
def test_bad_values_name_the_key(field: str, value: object, key: str) -> None:
    with pytest.raises(SettingsError, match=key):
        _settings(**{field: value})
