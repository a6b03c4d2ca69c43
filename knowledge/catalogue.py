"""The one loader of Kotae's user-facing text: YAML files of keys, each with a Japanese and an
English text. The bot's catalogue (bot/i18n/catalogue), the knowledge loader's and CLI's messages
(knowledge/texts) and the Teams manifest's strings (manifest/texts) are all read by it.

A text's `{placeholders}` are the same in both languages, but for two forms that only one language
needs: a value given in each language (`{what_ja}` in the Japanese text, `{what_en}` in the English
one) and an English plural ending (`{count_s}` after `{count}`: "" or "s"; `{entry_y}`: "y" or "ies").
The files are checked when they load.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml

from knowledge.languages import LANGUAGES, Lang

__all__ = ["Catalogue", "CatalogueError", "placeholders"]


class CatalogueError(Exception):
    """The catalogue files are inconsistent (a missing language, a mismatched placeholder, a duplicate key)."""


def placeholders(text: str) -> set[str]:
    """The names of the `{placeholders}` of `text`."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def _shared_placeholders(text: str, lang: Lang) -> set[str]:
    """The placeholders of `text` less the forms only its language has (see the module's doc)."""
    names = set()
    for name in placeholders(text):
        if lang == "en" and name.endswith(("_s", "_y")):
            continue
        names.add(name.removesuffix(f"_{lang}"))
    return names


@dataclass(frozen=True)
class Catalogue:
    texts: Mapping[str, Mapping[Lang, str]]

    @classmethod
    def load(cls, directory: Path) -> Catalogue:
        """Every `*.yaml` file of `directory`; a key may be defined in one file only."""
        texts: dict[str, dict[Lang, str]] = {}
        for path in sorted(directory.glob("*.yaml")):
            document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            for key, entry in document.items():
                if key in texts:
                    raise CatalogueError(f"{path.name}: key {key!r} is defined twice")
                if not isinstance(entry, dict) or set(entry) != set(LANGUAGES):
                    raise CatalogueError(
                        f"{path.name}: key {key!r} needs exactly the texts {list(LANGUAGES)}"
                    )
                if _shared_placeholders(entry["ja"], "ja") != _shared_placeholders(entry["en"], "en"):
                    raise CatalogueError(f"{path.name}: key {key!r} has different placeholders in ja and en")
                texts[key] = {lang: str(entry[lang]).rstrip("\n") for lang in LANGUAGES}
        return cls(texts)

    def text(self, key: str, lang: Lang, /, **values: object) -> str:
        """The text of `key` in `lang`, with `{placeholders}` filled from `values`."""
        return self.texts[key][lang].format(**values)

    def both(self, key: str, /, **values: object) -> tuple[str, str]:
        return self.text(key, "ja", **values), self.text(key, "en", **values)
