"""The one catalogue of user-facing text, Japanese and English.

Text lives in `catalogue/*.yaml` (one file per area, so features do not edit the same file); each key
has a `ja` and an `en` text with the same `{placeholders}`. The catalogue is read and checked by the
loader every store of text shares (`knowledge.catalogue`).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from knowledge.catalogue import Catalogue, CatalogueError
from knowledge.languages import LANGUAGES, Lang, is_lang, lang_or

__all__ = [
    "LANGUAGES",
    "Catalogue",
    "CatalogueError",
    "Lang",
    "catalogue",
    "is_lang",
    "lang_or",
    "language_of_locale",
]

_DIRECTORY = Path(__file__).resolve().parent / "catalogue"


@cache
def catalogue() -> Catalogue:
    """The shipped catalogue, loaded once on first use (it is read-only data)."""
    return Catalogue.load(_DIRECTORY)


def language_of_locale(locale: str | None, default: Lang = "ja") -> Lang:
    """Teams sends BCP-47 locales such as ja-JP or en-US; anything not Japanese is answered in English."""
    if not locale:
        return default
    return "ja" if locale.lower().startswith("ja") else "en"
