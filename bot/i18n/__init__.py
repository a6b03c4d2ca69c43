"""The one catalogue of user-facing text, Japanese and English.

Text lives in `catalogue/*.yaml` (one file per area, so features do not edit the same file); each key
has a `ja` and an `en` text with the same `{placeholders}`. The catalogue is checked when it loads.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from knowledge.languages import LANGUAGES, Lang

__all__ = ["LANGUAGES", "Catalogue", "CatalogueError", "Lang", "catalogue", "language_of_locale"]

_DIRECTORY = Path(__file__).resolve().parent / "catalogue"


class CatalogueError(Exception):
    """The catalogue files are inconsistent (a missing language, a mismatched placeholder, a duplicate key)."""


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@dataclass(frozen=True)
class Catalogue:
    texts: Mapping[str, Mapping[str, str]]

    @classmethod
    def load(cls, directory: Path = _DIRECTORY) -> Catalogue:
        texts: dict[str, dict[str, str]] = {}
        for path in sorted(directory.glob("*.yaml")):
            document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            for key, entry in document.items():
                if key in texts:
                    raise CatalogueError(f"{path.name}: key {key!r} is defined twice")
                if not isinstance(entry, dict) or set(entry) != set(LANGUAGES):
                    raise CatalogueError(
                        f"{path.name}: key {key!r} needs exactly the texts {list(LANGUAGES)}"
                    )
                if _placeholders(entry["ja"]) != _placeholders(entry["en"]):
                    raise CatalogueError(f"{path.name}: key {key!r} has different placeholders in ja and en")
                texts[key] = {lang: str(entry[lang]).rstrip("\n") for lang in LANGUAGES}
        return cls(texts)

    def text(self, key: str, lang: Lang, /, **values: object) -> str:
        """The text of `key` in `lang`, with `{placeholders}` filled from `values`."""
        return self.texts[key][lang].format(**values)

    def both(self, key: str, /, **values: object) -> tuple[str, str]:
        return self.text(key, "ja", **values), self.text(key, "en", **values)


@cache
def catalogue() -> Catalogue:
    """The shipped catalogue, loaded once on first use (it is read-only data)."""
    return Catalogue.load()


def language_of_locale(locale: str | None, default: Lang = "ja") -> Lang:
    """Teams sends BCP-47 locales such as ja-JP or en-US; anything not Japanese is answered in English."""
    if not locale:
        return default
    return "ja" if locale.lower().startswith("ja") else "en"
