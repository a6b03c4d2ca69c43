"""The built package: its files, the manifest's content, and both documents against the schemas."""

from __future__ import annotations

import copy
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from manifest.content import command_lists
from manifest.package import InvalidPackage, PackageReport, build_package, check_package, package_files
from manifest.settings import DEFAULT_MANIFEST_VERSION, ManifestSettings
from manifest.validation import Schemas, duplicate_command_problems, schema_problems


def _manifest(files: dict[str, bytes]) -> dict[str, Any]:
    return json.loads(files["manifest.json"])


def test_zip_holds_manifest_localisation_and_icons_at_its_root(package: PackageReport) -> None:
    assert package.path.name == "kotae-teams-app.zip"
    with zipfile.ZipFile(package.path) as archive:
        assert archive.testzip() is None
        assert sorted(archive.namelist()) == ["color.png", "en.json", "manifest.json", "outline.png"]


def test_manifest_names_files_the_zip_holds(zip_members: dict[str, bytes]) -> None:
    manifest = _manifest(zip_members)
    named = {manifest["icons"]["color"], manifest["icons"]["outline"]}
    named |= {entry["file"] for entry in manifest["localizationInfo"]["additionalLanguages"]}
    assert named | {"manifest.json"} == set(zip_members)


def test_ids_version_and_publisher_come_from_settings(
    zip_members: dict[str, bytes], package_settings: ManifestSettings
) -> None:
    manifest = _manifest(zip_members)
    assert manifest["manifestVersion"] == package_settings.manifest_version == "1.30"
    assert manifest["$schema"].endswith("/teams/v1.30/MicrosoftTeams.schema.json")
    assert manifest["id"] == package_settings.app_id
    assert manifest["bots"][0]["botId"] == package_settings.app_id
    assert manifest["version"] == "1.2.3"
    assert manifest["validDomains"] == ["kotae.example.lg.jp"]
    assert manifest["developer"]["name"] == "情報政策課"
    assert manifest["developer"]["privacyUrl"] == "https://www.example.lg.jp/ict/privacy"
    assert manifest["name"] == {"short": "Kotae", "full": "Kotae 答え — ICTヘルプデスク"}


def test_bot_is_conversational_in_three_scopes_without_channel_read_consent(
    zip_members: dict[str, bytes],
) -> None:
    manifest = _manifest(zip_members)
    bot = manifest["bots"][0]
    assert sorted(bot["scopes"]) == ["groupChat", "personal", "team"]
    assert bot["supportsFiles"] is False
    assert bot["isNotificationOnly"] is False
    assert "authorization" not in manifest
    assert "ChannelMessage.Read.Group" not in zip_members["manifest.json"].decode()
    assert [command_list["scopes"] for command_list in bot["commandLists"]] == [
        ["personal", "groupChat"],
        ["team"],
    ]


def test_default_language_is_japanese_and_english_file_translates_every_command(
    zip_members: dict[str, bytes],
) -> None:
    manifest = _manifest(zip_members)
    english = json.loads(zip_members["en.json"])
    assert manifest["localizationInfo"]["defaultLanguageTag"] == "ja"
    assert manifest["localizationInfo"]["additionalLanguages"] == [{"languageTag": "en", "file": "en.json"}]
    for list_index, command_list in enumerate(command_lists()):
        for command_index, command in enumerate(command_list.commands):
            path = f"bots[0].commandLists[{list_index}].commands[{command_index}]"
            shown = manifest["bots"][0]["commandLists"][list_index]["commands"][command_index]
            assert shown["title"] == command.text["ja"].title
            assert english[f"{path}.title"] == command.text["en"].title
            assert english[f"{path}.description"] == command.text["en"].description
    assert english["name.full"] == "Kotae 答え — ICT Help Desk"
    assert english["description.short"] != manifest["description"]["short"]


def test_built_manifest_and_localisation_are_valid_against_the_schemas(
    zip_members: dict[str, bytes], schemas: Schemas, package: PackageReport
) -> None:
    assert package.schema_check_skipped is None
    assert schema_problems(schemas.manifest, _manifest(zip_members), "manifest.json") == []
    assert schema_problems(schemas.localization, json.loads(zip_members["en.json"]), "en.json") == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        # A draft-04 validator ignores `const` and would let an old manifestVersion through.
        (lambda m: m.update(manifestVersion="1.17"), "manifestVersion"),
        (lambda m: m["bots"][0].update(scopes=["personal", "channel"]), "scopes"),
        (lambda m: m.update(id="not-a-guid"), "$.id"),
        (lambda m: m.pop("developer"), "developer"),
        (lambda m: m.update(colour="#FFFFFF"), "colour"),
        (lambda m: m["name"].update(short="K" * 31), "name.short"),
    ],
)
def test_schema_rejects_a_wrong_manifest(
    zip_members: dict[str, bytes], schemas: Schemas, change: Any, expected: str
) -> None:
    manifest = copy.deepcopy(_manifest(zip_members))
    change(manifest)
    problems = schema_problems(schemas.manifest, manifest, "manifest.json")
    assert problems
    assert any(expected in problem for problem in problems), problems


@pytest.mark.parametrize(
    "change",
    [
        lambda strings: strings.update({"name.short": ""}),
        lambda strings: strings.pop("description.full"),
        lambda strings: strings.update({"bots[0].commandLists[3].commands[0].title": "help"}),
    ],
)
def test_schema_rejects_a_wrong_localisation_file(
    zip_members: dict[str, bytes], schemas: Schemas, change: Any
) -> None:
    strings = json.loads(zip_members["en.json"])
    change(strings)
    assert schema_problems(schemas.localization, strings, "en.json")


def test_package_check_reports_a_translation_for_a_field_the_manifest_lacks(
    package_settings: ManifestSettings, tmp_path: Path
) -> None:
    files = package_files(package_settings)
    strings = json.loads(files["en.json"])
    strings["bots[0].commandLists[1].commands[9].title"] = "ghost"
    files["en.json"] = json.dumps(strings).encode()
    with pytest.raises(InvalidPackage, match=r"commands\[9\]\.title"):
        check_package(files, tmp_path / "no-schemas")


def test_package_check_rejects_a_manifest_the_schema_rejects(
    package_settings: ManifestSettings, schemas: Schemas
) -> None:
    files = package_files(package_settings)
    manifest = json.loads(files["manifest.json"])
    manifest["bots"][0]["scopes"] = ["channel"]
    files["manifest.json"] = json.dumps(manifest).encode()
    with pytest.raises(InvalidPackage, match=r"manifest\.json at \$\.bots\[0\]\.scopes"):
        check_package(files, package_settings.schemas_dir)


def test_build_without_schemas_still_checks_the_rest_and_says_it_skipped(
    package_settings: ManifestSettings, tmp_path: Path
) -> None:
    no_schemas = package_settings.model_copy(update={"schemas_dir": tmp_path / "absent"})
    report = build_package(no_schemas, tmp_path / "out")
    assert report.path.is_file()
    assert report.schema_check_skipped is not None
    assert "absent" in report.schema_check_skipped


def test_two_builds_of_the_same_settings_are_byte_identical(
    package_settings: ManifestSettings, package: PackageReport, tmp_path: Path
) -> None:
    again = build_package(package_settings, tmp_path / "again")
    assert again.path.read_bytes() == package.path.read_bytes()


def test_the_manifest_version_setting_decides_the_schema_version_everywhere(
    package_settings: ManifestSettings,
) -> None:
    settings = package_settings.model_copy(update={"manifest_version": DEFAULT_MANIFEST_VERSION})
    files = package_files(settings)
    manifest, strings = _manifest(files), json.loads(files["en.json"])
    assert manifest["manifestVersion"] == "1.22"
    assert (
        manifest["$schema"]
        == "https://developer.microsoft.com/json-schemas/teams/v1.22/MicrosoftTeams.schema.json"
    )
    assert strings["$schema"].endswith("/teams/v1.22/MicrosoftTeams.Localization.schema.json")


def test_a_version_without_vendored_schemas_is_built_saying_which_schema_is_missing(
    package_settings: ManifestSettings, schemas: Schemas, tmp_path: Path
) -> None:
    settings = package_settings.model_copy(update={"manifest_version": "1.13"})
    report = build_package(settings, tmp_path / "out")
    assert report.schema_check_skipped is not None
    assert "teams-manifest-v1.13.schema.json" in report.schema_check_skipped


def test_no_command_list_has_a_title_twice_in_any_language(zip_members: dict[str, bytes]) -> None:
    localizations = {"en.json": json.loads(zip_members["en.json"])}
    assert duplicate_command_problems(_manifest(zip_members), localizations, "manifest.json") == []


@pytest.mark.parametrize(
    ("document", "title"),
    [("manifest.json", "チケット"), ("en.json", "Help"), ("manifest.json", "ＨＥＬＰ")],
)
def test_the_build_refuses_a_title_twice_in_one_list_and_language(
    package_settings: ManifestSettings, tmp_path: Path, document: str, title: str
) -> None:
    files = package_files(package_settings)
    manifest, strings = _manifest(files), json.loads(files["en.json"])
    team = next(i for i, lst in enumerate(manifest["bots"][0]["commandLists"]) if lst["scopes"] == ["team"])
    commands = manifest["bots"][0]["commandLists"][team]["commands"]
    if document == "manifest.json":
        # The team menu as it was: チケット (list) and チケット (one by number).
        commands[0]["title"], commands[1]["title"] = title, "チケット" if title == "チケット" else "help"
    else:
        strings[f"bots[0].commandLists[{team}].commands[1].title"] = title  # beside "help"
    files["manifest.json"], files["en.json"] = json.dumps(manifest).encode(), json.dumps(strings).encode()
    with pytest.raises(InvalidPackage) as raised:
        check_package(files, tmp_path / "no-schemas")
    (problem,) = raised.value.problems
    assert problem.startswith(f"{document}: command list {team} (team) has the title ")
    assert "twice" in problem


def test_the_same_title_in_different_lists_is_fine(package_settings: ManifestSettings) -> None:
    manifest = _manifest(package_files(package_settings))
    titles = [lst["commands"][0]["title"] for lst in manifest["bots"][0]["commandLists"]]
    assert titles == ["ヘルプ", "ヘルプ"]  # help in both menus
    assert duplicate_command_problems(manifest, {}, "manifest.json") == []
