"""`python -m manifest build` as `make package` runs it: a real process, real environment."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from manifest.settings import REPO_ROOT

GOOD_APP_ID = "0b5e7a52-3c1d-4f6e-9a8b-1c2d3e4f5a6b"


def _run(tmp_path: Path, *arguments: str, **environment: str) -> subprocess.CompletedProcess[str]:
    # Settings names are case-insensitive, so drop every spelling of the developer's own values.
    env = {
        key: value
        for key, value in os.environ.items()
        if key.upper() == "KOTAE_SCHEMAS_DIR"
        or not (key.upper().startswith("KOTAE_") or key.upper() == "MICROSOFTAPPID")
    }
    env.update(PYTHONPATH=str(REPO_ROOT), **environment)
    return subprocess.run(
        [sys.executable, "-m", "manifest", "build", "--out", str(tmp_path / "build"), *arguments],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_build_writes_the_zip_with_the_app_id_from_the_environment(tmp_path: Path) -> None:
    result = _run(tmp_path, MicrosoftAppId=GOOD_APP_ID, KOTAE_PUBLIC_HOST="kotae.example.lg.jp")
    assert result.returncode == 0, result.stderr
    package = tmp_path / "build" / "kotae-teams-app.zip"
    assert f"Wrote {package}" in result.stdout
    with zipfile.ZipFile(package) as archive:
        assert GOOD_APP_ID in archive.read("manifest.json").decode()
    # The publisher URLs are still placeholders here: the operator is told before uploading.
    assert "KOTAE_PRIVACY_URL is still a placeholder" in result.stderr


def test_app_id_argument_wins_over_the_environment(tmp_path: Path) -> None:
    other = "11111111-2222-3333-4444-555555555555"
    result = _run(tmp_path, "--app-id", other, MicrosoftAppId=GOOD_APP_ID)
    assert result.returncode == 0, result.stderr
    with zipfile.ZipFile(tmp_path / "build" / "kotae-teams-app.zip") as archive:
        manifest = archive.read("manifest.json").decode()
    assert other in manifest
    assert GOOD_APP_ID not in manifest


def test_a_non_guid_app_id_exits_2_naming_key_value_and_what_is_allowed(tmp_path: Path) -> None:
    result = _run(tmp_path, "--app-id", "kotae-bot")
    assert result.returncode == 2
    assert "MicrosoftAppId='kotae-bot'" in result.stderr
    assert "GUID" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "build").exists()


def test_a_missing_app_id_exits_2_and_says_how_to_give_one(tmp_path: Path) -> None:
    result = _run(tmp_path)
    assert result.returncode == 2
    assert "MicrosoftAppId is missing" in result.stderr
    assert "--app-id" in result.stderr


@pytest.mark.parametrize(
    ("key", "value", "allowed"),
    [
        ("KOTAE_APP_VERSION", "1.0", "MAJOR.MINOR.PATCH"),
        ("KOTAE_APP_VERSION", "1.0.0-beta", "MAJOR.MINOR.PATCH"),
        ("KOTAE_PUBLIC_HOST", "https://kotae.example.lg.jp/api/messages", "host name only"),
        ("KOTAE_PRIVACY_URL", "http://example.lg.jp/privacy", "https://"),
    ],
)
def test_a_bad_setting_exits_2_naming_it(tmp_path: Path, key: str, value: str, allowed: str) -> None:
    result = _run(tmp_path, MicrosoftAppId=GOOD_APP_ID, **{key: value})
    assert result.returncode == 2
    assert f"{key}={value!r} is not allowed" in result.stderr
    assert allowed in result.stderr


def test_settings_come_from_a_dot_env_file_in_the_working_directory(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(
        f"MicrosoftAppId={GOOD_APP_ID}\nKOTAE_APP_VERSION=2.0.1\nMicrosoftAppPassword=ignored-here\n",
        encoding="utf-8",
    )
    result = _run(tmp_path)
    assert result.returncode == 0, result.stderr
    assert "version 2.0.1" in result.stdout


def test_a_missing_schemas_directory_skips_the_schema_check_and_says_so(tmp_path: Path) -> None:
    result = _run(tmp_path, MicrosoftAppId=GOOD_APP_ID, KOTAE_SCHEMAS_DIR=str(tmp_path / "nowhere"))
    assert result.returncode == 0, result.stderr
    assert "schema check skipped" in result.stderr
    assert "schemas NOT checked" in result.stdout
