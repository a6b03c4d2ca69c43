"""Greetings and thanks: a short friendly reply instead of a search or an escalation."""

from __future__ import annotations

from enum import StrEnum

from knowledge.normalize import normalize

__all__ = ["SmallTalk", "small_talk"]


class SmallTalk(StrEnum):
    GREETING = "greeting"
    THANKS = "thanks"


# Written as people type them; compared after `_fold`.
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
# Long-vowel marks and small tsu people add for warmth (こんにちはー, どうもっ), as folded: the folding
# turns hiragana into katakana and 〜 or ~ after kana into ー.
_DECORATION = str.maketrans("", "", "ーッ")


def _fold(text: str) -> str:
    """The knowledge base's folding without spaces, punctuation, symbols or decoration."""
    return normalize(text).translate(_DECORATION)


_FOLDED_PHRASES = {_fold(phrase): kind for phrase, kind in _PHRASES.items()}
_LONGEST_FIRST = sorted(_FOLDED_PHRASES, key=len, reverse=True)


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
        kinds.add(_FOLDED_PHRASES[phrase])
        rest = rest[len(phrase) :]
    return SmallTalk.THANKS if SmallTalk.THANKS in kinds else SmallTalk.GREETING
