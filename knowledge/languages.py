"""The languages Kotae speaks: its one `Lang` type, used by the knowledge base and everything above it."""

from __future__ import annotations

from typing import Literal, TypeGuard

__all__ = ["LANGUAGES", "Lang", "is_lang", "lang_or"]

Lang = Literal["ja", "en"]
# Japanese first: the staff's language, and the default wherever one is needed.
LANGUAGES: tuple[Lang, ...] = ("ja", "en")


def is_lang(value: object) -> TypeGuard[Lang]:
    return value in LANGUAGES


def lang_or(value: object, default: Lang = "ja") -> Lang:
    """`value` when it is one of Kotae's languages (e.g. a stored column), else `default`."""
    return value if is_lang(value) else default
