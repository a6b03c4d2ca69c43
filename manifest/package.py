"""Assemble, check and write the Teams app package (a zip with every file at its root)."""

from __future__ import annotations

import json
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from manifest.content import OTHER_LANGUAGES
from manifest.document import (
    ACCENT_COLOR,
    COLOR_ICON,
    OUTLINE_ICON,
    build_localization,
    build_manifest,
    localization_file_name,
)
from manifest.icons import draw_color_icon, draw_outline_icon, png_bytes
from manifest.settings import ManifestSettings
from manifest.validation import (
    SchemasUnavailable,
    duplicate_command_problems,
    icon_problems,
    load_schemas,
    localization_key_problems,
    schema_problems,
)

__all__ = [
    "MANIFEST_FILE",
    "PACKAGE_NAME",
    "InvalidPackage",
    "PackageReport",
    "build_package",
    "check_package",
    "package_files",
]

MANIFEST_FILE = "manifest.json"
PACKAGE_NAME = "kotae-teams-app.zip"
# A fixed timestamp makes two builds of the same settings byte-identical.
_ZIP_TIME = (2026, 1, 1, 0, 0, 0)


class InvalidPackage(Exception):
    """The package failed a check; `problems` lists every failure."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True, slots=True)
class PackageReport:
    path: Path
    files: tuple[str, ...]
    # None when the schemas were checked; otherwise why the schema check was skipped.
    schema_check_skipped: str | None


def package_files(settings: ManifestSettings) -> dict[str, bytes]:
    """Every file of the package by its name at the zip's root."""
    manifest = build_manifest(settings)
    files = {MANIFEST_FILE: _json_bytes(manifest)}
    for language in OTHER_LANGUAGES:
        files[localization_file_name(language)] = _json_bytes(build_localization(settings, language))
    files[COLOR_ICON] = png_bytes(draw_color_icon(ACCENT_COLOR))
    files[OUTLINE_ICON] = png_bytes(draw_outline_icon())
    return files


def check_package(files: dict[str, bytes], schemas_dir: Path) -> str | None:
    """Raise `InvalidPackage` listing every problem; return why the schema check was skipped, if it was."""
    problems: list[str] = []
    manifest = json.loads(files[MANIFEST_FILE])
    language_files = [entry.get("file") for entry in _additional_languages(manifest)]
    color, outline = (manifest.get("icons", {}).get(kind) for kind in ("color", "outline"))
    if missing := [name for name in (*language_files, color, outline) if name not in files]:
        raise InvalidPackage([f"{MANIFEST_FILE} names {name!r}, which the package lacks" for name in missing])
    # Every name is in `files` now, so none is None.
    localizations = {name: json.loads(files[name]) for name in language_files if name is not None}
    for name, strings in localizations.items():
        problems += localization_key_problems(manifest, strings, name)
    problems += duplicate_command_problems(manifest, localizations, MANIFEST_FILE)
    problems += icon_problems(files[color], files[outline])
    try:
        schemas = load_schemas(schemas_dir, str(manifest.get("manifestVersion")))
    except SchemasUnavailable as unavailable:
        skipped: str | None = str(unavailable)
    else:
        skipped = None
        problems += schema_problems(schemas.manifest, manifest, MANIFEST_FILE)
        for name, strings in localizations.items():
            problems += schema_problems(schemas.localization, strings, name)
    if problems:
        raise InvalidPackage(problems)
    return skipped


def build_package(settings: ManifestSettings, out_dir: Path) -> PackageReport:
    """Build, check and write `out_dir/kotae-teams-app.zip`; nothing is written when a check fails."""
    files = package_files(settings)
    skipped = check_package(files, settings.schemas_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / PACKAGE_NAME
    partial = path.with_name(path.name + ".partial")
    # Write beside the target and rename in one step: an interrupted build never leaves a half-written
    # package where the last good one was.
    try:
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name, data in files.items():
                archive.writestr(
                    zipfile.ZipInfo(name, date_time=_ZIP_TIME), data, compress_type=zipfile.ZIP_DEFLATED
                )
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return PackageReport(path=path, files=tuple(files), schema_check_skipped=skipped)


def _additional_languages(manifest: dict[str, Any]) -> list[dict[str, str]]:
    return list(manifest.get("localizationInfo", {}).get("additionalLanguages", []))


def _json_bytes(document: dict[str, Any]) -> bytes:
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
