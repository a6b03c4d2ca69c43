"""Checks on a built package: the vendored JSON schemas, localisation keys and the icons.

The Teams schemas declare draft-04 but use draft-06/07 keywords (`const`, `if`/`then`), which a
Draft4Validator silently ignores; Draft7Validator understands every keyword they use. Their one
`\\p{L}` pattern sits in Office add-in definitions a bot-only manifest never reaches, so the schemas
are not meta-validated (`check_schema` would reject that pattern).
"""

from __future__ import annotations

import io
import json
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jsonschema import Draft7Validator
from PIL import Image, UnidentifiedImageError

from manifest.icons import COLOR_SIZE, OUTLINE_SIZE

__all__ = [
    "Schemas",
    "SchemasUnavailable",
    "duplicate_command_problems",
    "icon_problems",
    "load_schemas",
    "localization_key_problems",
    "schema_files",
    "schema_problems",
]


class SchemasUnavailable(Exception):
    """The schema files are not there (or not readable); the schema check is skipped, saying why."""


@dataclass(frozen=True, slots=True)
class Schemas:
    manifest: Draft7Validator
    localization: Draft7Validator


def schema_files(manifest_version: str) -> tuple[str, str]:
    """The vendored file names of the manifest and localisation schemas of one manifest version."""
    return (
        f"teams-manifest-v{manifest_version}.schema.json",
        f"teams-manifest-localization-v{manifest_version}.schema.json",
    )


def load_schemas(directory: Path, manifest_version: str) -> Schemas:
    manifest_file, localization_file = schema_files(manifest_version)
    return Schemas(
        manifest=Draft7Validator(_read_schema(directory / manifest_file)),
        localization=Draft7Validator(_read_schema(directory / localization_file)),
    )


def _read_schema(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SchemasUnavailable(f"{path} does not exist (set KOTAE_SCHEMAS_DIR)") from None
    try:
        schema = json.loads(text)
    except json.JSONDecodeError as error:
        raise SchemasUnavailable(f"{path} is not valid JSON: {error}") from None
    if not isinstance(schema, dict):
        raise SchemasUnavailable(f"{path} is not a JSON schema (expected an object)")
    return schema


def schema_problems(validator: Draft7Validator, document: Any, label: str) -> list[str]:
    """Every schema violation of `document`, as "label at json.path: message", in document order."""
    errors = sorted(validator.iter_errors(document), key=lambda error: list(map(str, error.absolute_path)))
    return [f"{label} at {error.json_path}: {error.message}" for error in errors]


_PATH_STEP = re.compile(r"([A-Za-z_$][A-Za-z0-9_]*)((?:\[[0-9]+\])*)")


def localization_key_problems(
    manifest: dict[str, Any], localization: dict[str, Any], label: str
) -> list[str]:
    """Keys of a localisation file that name no string in the manifest (Teams would ignore them)."""
    problems = []
    for key in localization:
        if key in {"$schema", "localizationKeys"}:
            continue
        if not isinstance(_resolve(manifest, key), str):
            problems.append(f"{label}: key {key!r} names no string in manifest.json")
    return problems


def duplicate_command_problems(
    manifest: dict[str, Any], localizations: dict[str, dict[str, Any]], default_label: str
) -> list[str]:
    """Titles that appear twice in one command list of one language: the menu would show both alike.

    Titles are compared as a person reads them (NFKC, case-folded). A localisation file's title
    replaces the manifest's; where it has none, the manifest's title shows in that language too.
    """
    problems = []
    documents = {default_label: {}, **localizations}
    for list_index, command_list in enumerate(_bot_command_lists(manifest)):
        for label, strings in documents.items():
            seen: dict[str, str] = {}
            for command_index, command in enumerate(command_list.get("commands") or []):
                key = f"bots[0].commandLists[{list_index}].commands[{command_index}].title"
                title = str(strings.get(key, command.get("title", "")))
                folded = unicodedata.normalize("NFKC", title).casefold().strip()
                if folded in seen:
                    problems.append(
                        f"{label}: command list {list_index} ({', '.join(command_list.get('scopes') or [])}) "
                        f"has the title {title!r} twice ({seen[folded]} and {key}); "
                        "give each command its own title or merge them"
                    )
                else:
                    seen[folded] = key
    return problems


def _bot_command_lists(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    bots = manifest.get("bots") or [{}]
    return list(bots[0].get("commandLists") or [])


def _resolve(document: Any, dotted: str) -> Any:
    """`bots[0].commandLists[1].commands[2].title` → that value in `document`, or None."""
    node = document
    for step in dotted.split("."):
        match = _PATH_STEP.fullmatch(step)
        if match is None or not isinstance(node, dict) or match.group(1) not in node:
            return None
        node = node[match.group(1)]
        for index in map(int, re.findall(r"\[([0-9]+)\]", match.group(2))):
            if not isinstance(node, list) or index >= len(node):
                return None
            node = node[index]
    return node


def icon_problems(color_png: bytes, outline_png: bytes) -> list[str]:
    """Teams' icon rules: PNG; colour 192×192; outline 32×32, white on transparency only."""
    problems: list[str] = []
    color = _open_png(color_png, "color icon", problems)
    if color is not None and color.size != (COLOR_SIZE, COLOR_SIZE):
        problems.append(f"color icon is {color.size[0]}×{color.size[1]}, expected {COLOR_SIZE}×{COLOR_SIZE}")
    outline = _open_png(outline_png, "outline icon", problems)
    if outline is None:
        return problems
    if outline.size != (OUTLINE_SIZE, OUTLINE_SIZE):
        problems.append(
            f"outline icon is {outline.size[0]}×{outline.size[1]}, expected {OUTLINE_SIZE}×{OUTLINE_SIZE}"
        )
    rgba = outline.convert("RGBA")
    alpha = rgba.getchannel("A")
    if alpha.getextrema()[0] != 0:
        problems.append("outline icon has no transparent pixel: it must be white on a transparent background")
    # Only visible pixels carry colour; a fully transparent pixel may hold anything.
    # (An RGBA image's pixels are tuples; the check tells the type checker so.)
    visible_colours = {
        pixel[:3] for pixel in rgba.get_flattened_data() if isinstance(pixel, tuple) and pixel[3] > 0
    }
    if visible_colours - {(255, 255, 255)}:
        problems.append(
            f"outline icon has {len(visible_colours - {(255, 255, 255)})} non-white colour(s): "
            "it may use only white and transparency"
        )
    if not visible_colours:
        problems.append("outline icon is empty (fully transparent)")
    return problems


def _open_png(data: bytes, label: str, problems: list[str]) -> Image.Image | None:
    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except (UnidentifiedImageError, OSError):
        problems.append(f"{label} is not a readable image")
        return None
    if image.format != "PNG":
        problems.append(f"{label} is {image.format}, expected PNG")
    return image
