"""Fixtures for the Teams app package tests: clean settings, the schemas, a built package."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from manifest.package import PackageReport, build_package
from manifest.settings import ManifestSettings, load_settings
from manifest.validation import Schemas, load_schemas, schema_files
from tests.conftest import schemas_missing

# The manifest version whose schemas are vendored (KOTAE_SCHEMAS_DIR): the package tests build for it.
VENDORED_MANIFEST_VERSION = "1.30"

# Every variable the package settings read, except KOTAE_SCHEMAS_DIR, which says where the schemas are.
_SETTING_VARIABLES = (
    "MicrosoftAppId",
    "KOTAE_APP_VERSION",
    "KOTAE_MANIFEST_VERSION",
    "KOTAE_APP_NAME",
    "KOTAE_PUBLIC_HOST",
    "KOTAE_DEVELOPER_NAME",
    "KOTAE_DEVELOPER_URL",
    "KOTAE_PRIVACY_URL",
    "KOTAE_TERMS_URL",
)


@pytest.fixture(autouse=True)
def _isolated_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No developer's environment or .env leaks into a test."""
    for name in _SETTING_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def package_settings() -> ManifestSettings:
    return load_settings(
        app_id="0b5e7a52-3c1d-4f6e-9a8b-1c2d3e4f5a6b",
        app_version="1.2.3",
        manifest_version=VENDORED_MANIFEST_VERSION,
        public_host="kotae.example.lg.jp",
        developer_name="情報政策課",
        developer_url="https://www.example.lg.jp/ict/",
        privacy_url="https://www.example.lg.jp/ict/privacy",
        terms_url="https://www.example.lg.jp/ict/terms",
    )


@pytest.fixture
def schemas(package_settings: ManifestSettings) -> Schemas:
    directory = package_settings.schemas_dir
    for name in schema_files(package_settings.manifest_version):
        if not (directory / name).is_file():
            pytest.skip(schemas_missing(directory))
    return load_schemas(directory, package_settings.manifest_version)


@pytest.fixture
def package(package_settings: ManifestSettings, tmp_path: Path) -> PackageReport:
    return build_package(package_settings, tmp_path / "build")


@pytest.fixture
def zip_members(package: PackageReport) -> dict[str, bytes]:
    """The built zip's members, read back from the file on disk."""
    with zipfile.ZipFile(package.path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}
