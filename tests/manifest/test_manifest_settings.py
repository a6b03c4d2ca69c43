"""Package settings: defaults, normalisation and the messages for bad values."""

from __future__ import annotations

import tomllib

import pytest

from manifest.settings import (
    DEFAULT_MANIFEST_VERSION,
    MANIFEST_VERSIONS,
    PLACEHOLDER_URL,
    REPO_ROOT,
    SettingsError,
    load_settings,
)

APP_ID = "0B5E7A52-3C1D-4F6E-9A8B-1C2D3E4F5A6B"


def test_defaults_follow_the_project_version_and_mark_placeholders() -> None:
    settings = load_settings(app_id=APP_ID)
    with (REPO_ROOT / "pyproject.toml").open("rb") as file:
        assert settings.app_version == tomllib.load(file)["project"]["version"]
    assert settings.app_id == APP_ID.lower()
    assert settings.app_name == "Kotae"
    assert settings.manifest_version == DEFAULT_MANIFEST_VERSION == "1.22"
    assert settings.valid_domains == []
    assert settings.developer_url.startswith(PLACEHOLDER_URL)
    assert settings.placeholder_keys == ["KOTAE_DEVELOPER_URL", "KOTAE_PRIVACY_URL", "KOTAE_TERMS_URL"]


def test_environment_variables_fill_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MicrosoftAppId", APP_ID)
    monkeypatch.setenv("KOTAE_PUBLIC_HOST", " Kotae.Example.LG.jp ")
    monkeypatch.setenv("KOTAE_DEVELOPER_URL", "https://www.example.lg.jp/ict/")
    monkeypatch.setenv("KOTAE_MANIFEST_VERSION", " 1.30 ")
    settings = load_settings()
    assert settings.manifest_version == "1.30"
    assert settings.valid_domains == ["kotae.example.lg.jp"]
    assert settings.placeholder_keys == ["KOTAE_PRIVACY_URL", "KOTAE_TERMS_URL"]


@pytest.mark.parametrize(
    ("field", "value", "key"),
    [
        ("app_id", "{0b5e7a52-3c1d-4f6e-9a8b-1c2d3e4f5a6b}", "MicrosoftAppId"),
        ("app_version", "01.2.3", "KOTAE_APP_VERSION"),
        ("manifest_version", "1.18", "KOTAE_MANIFEST_VERSION"),
        ("manifest_version", "devPreview", "KOTAE_MANIFEST_VERSION"),
        ("manifest_version", "1.12", "KOTAE_MANIFEST_VERSION"),
        ("app_name", "Kotae ICT ヘルプデスク for every staff member", "KOTAE_APP_NAME"),
        ("developer_name", "", "KOTAE_DEVELOPER_NAME"),
        ("public_host", "kotae.example.lg.jp:443", "KOTAE_PUBLIC_HOST"),
        ("public_host", "localhost", "KOTAE_PUBLIC_HOST"),
        ("terms_url", "www.example.lg.jp/terms", "KOTAE_TERMS_URL"),
    ],
)
def test_a_bad_value_names_the_key_the_value_and_what_is_allowed(field: str, value: str, key: str) -> None:
    overrides = {"app_id": APP_ID, field: value}
    with pytest.raises(SettingsError) as raised:
        load_settings(**overrides)
    message = str(raised.value)
    assert message.startswith(f"Setting {key}={value!r} is not allowed: expected ")


def test_every_bad_value_is_reported_at_once() -> None:
    with pytest.raises(SettingsError) as raised:
        load_settings(app_id="x", app_version="y")
    assert str(raised.value).count("\n") == 1


def test_manifest_versions_are_the_published_ones_kotae_can_fill() -> None:
    assert MANIFEST_VERSIONS[0] == "1.13"
    assert MANIFEST_VERSIONS[-1] == "1.30"
    assert "1.18" not in MANIFEST_VERSIONS  # never published
