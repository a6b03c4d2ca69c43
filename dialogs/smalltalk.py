"""Greetings and thanks: a short friendly reply instead of a search or an escalation."""

from __future__ import annotations

import unicodedata
from enum import StrEnum

__all__ = ["SmallTalk", "small_talk"]


class SmallTalk(StrEnum):
    GREETING = "greeting"
    THANKS = "thanks"


# Written as they are after `_fold` (NFKC, case-folded, no spaces, punctuation or symbols).
_PHRASES: dict[str, SmallTalk] = {
    phrase: SmallTalk.GREETING
    for phrase in (
        "こんにちは",
        "こんにちわ",
        "こんばんは",
        "おはよう",
        "おはようございます",
        "お疲れ様です",
        "おつかれさまです",
        "お疲れさまです",
        "はじめまして",
        "よろしくお願いします",
        "よろしくおねがいします",
        "hello",
        "hi",
        "hey",
        "goodmorning",
        "goodafternoon",
        "goodevening",
        "kotae",
    )
} | {
    phrase: SmallTalk.THANKS
    for phrase in (
        "ありがとう",
        "ありがとうございます",
        "ありがとうございました",
        "どうも",
        "助かりました",
        "助かります",
        "たすかりました",
        "了解です",
        "了解しました",
        "わかりました",
        "分かりました",
        "解決しました",
        "thanks",
        "thankyou",
        "thx",
        "ty",
        "thanksalot",
        "thankyousomuch",
        "great",
        "ok",
        "okay",
        "gotit",
    )
}
_LONGEST_FIRST = sorted(_PHRASES, key=len, reverse=True)
# Trailing long-vowel marks and small vowels people add for warmth: ありがとー, こんにちはー, どうもっ.
_DECORATION = "ーっ〜~"


def _fold(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(
        char for char in folded if unicodedata.category(char)[0] not in "PSZ" and char not in _DECORATION
    )


def small_talk(text: str) -> SmallTalk | None:
    """THANKS or GREETING when the message is nothing but such phrases; None for anything else."""
    rest = _fold(text)
    if not rest:
        return None
    kinds: set[SmallTalk] = set()
    while rest:
        phrase = next((phrase for phrase in _LONGEST_FIRST if rest.startswith(phrase)), None)
        if phrase is None:
            return None
        kinds.add(_PHRASES[phrase])
        rest = rest[len(phrase) :]
    return SmallTalk.THANKS if SmallTalk.THANKS in kinds else SmallTalk.GREETING
