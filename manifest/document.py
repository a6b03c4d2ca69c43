"""The manifest and its localisation files as plain dicts, built from settings and `content`.

Built in code rather than from a JSON template so that the localisation file's keys
(`bots[0].commandLists[1].commands[2].title`) are derived from the same lists as the manifest itself
and cannot drift from it.
"""

from __future__ import annotations

from typing import Any

from manifest.content import DEFAULT_LANGUAGE, OTHER_LANGUAGES, Lang, app_text, command_lists
from manifest.settings import ManifestSettings

__all__ = [
    "ACCENT_COLOR",
    "COLOR_ICON",
    "OUTLINE_ICON",
    "build_localization",
    "build_manifest",
    "localization_file_name",
]

_SCHEMAS_URL = "https://developer.microsoft.com/json-schemas/teams/v{version}/"
COLOR_ICON = "color.png"
OUTLINE_ICON = "outline.png"
# Kotae's brand colour (a deep indigo, 藍色), shared by the colour icon's background.
ACCENT_COLOR = "#1D4E89"
BOT_SCOPES = ("personal", "team", "groupChat")


def localization_file_name(language: Lang) -> str:
    return f"{language}.json"


def build_manifest(settings: ManifestSettings) -> dict[str, Any]:
    """The manifest.json document, its strings in `DEFAULT_LANGUAGE`."""
    manifest = _manifest_in(DEFAULT_LANGUAGE, settings)
    manifest["localizationInfo"] = {
        "defaultLanguageTag": DEFAULT_LANGUAGE,
        "additionalLanguages": [
            {"languageTag": language, "file": localization_file_name(language)}
            for language in OTHER_LANGUAGES
        ],
    }
    return manifest


def build_localization(settings: ManifestSettings, language: Lang) -> dict[str, Any]:
    """The localisation file for `language`: every translatable string of the manifest, by its path."""
    manifest = _manifest_in(language, settings)
    strings: dict[str, Any] = {
        "$schema": _SCHEMAS_URL.format(version=settings.manifest_version)
        + "MicrosoftTeams.Localization.schema.json",
        "name.short": manifest["name"]["short"],
        "name.full": manifest["name"]["full"],
        "description.short": manifest["description"]["short"],
        "description.full": manifest["description"]["full"],
    }
    for list_index, command_list in enumerate(manifest["bots"][0]["commandLists"]):
        for command_index, command in enumerate(command_list["commands"]):
            path = f"bots[0].commandLists[{list_index}].commands[{command_index}]"
            strings[f"{path}.title"] = command["title"]
            strings[f"{path}.description"] = command["description"]
    return strings


def _manifest_in(language: Lang, settings: ManifestSettings) -> dict[str, Any]:
    text = app_text(language)
    name = settings.app_name
    return {
        "$schema": _SCHEMAS_URL.format(version=settings.manifest_version) + "MicrosoftTeams.schema.json",
        "manifestVersion": settings.manifest_version,
        "version": settings.app_version,
        "id": settings.app_id,
        "developer": {
            "name": settings.developer_name,
            "websiteUrl": settings.developer_url,
            "privacyUrl": settings.privacy_url,
            "termsOfUseUrl": settings.terms_url,
        },
        "name": {"short": name, "full": text.full_name.format(name=name)},
        "description": {
            "short": text.short_description.format(name=name),
            "full": text.full_description.format(name=name),
        },
        "icons": {"color": COLOR_ICON, "outline": OUTLINE_ICON},
        "accentColor": ACCENT_COLOR,
        "bots": [
            {
                "botId": settings.app_id,
                "scopes": list(BOT_SCOPES),
                "supportsFiles": False,
                "isNotificationOnly": False,
                "commandLists": [
                    {
                        "scopes": list(command_list.scopes),
                        "commands": [
                            {
                                "title": command.text[language].title,
                                "description": command.text[language].description,
                            }
                            for command in command_list.commands
                        ],
                    }
                    for command_list in command_lists()
                ],
            }
        ],
        # Deliberately no authorization.permissions.resourceSpecific (e.g. ChannelMessage.Read.Group):
        # the bot only needs the channel messages that @mention it, which Teams sends without consent.
        "validDomains": settings.valid_domains,
        "defaultInstallScope": "personal",
    }
