"""Text folding shared by the index, the fuzzy matcher and the validator.

Everything that compares text compares folded text, so that 「ＰＤＦ」, 「pdf」,
「ぴーでぃーえふ」 and 「ピーディーエフ」 meet: NFKC (full/half width), lower case, hiragana to
katakana, dash-like marks after kana read as the long-vowel mark, and the long-vowel mark at the
end of a katakana word of three or more letters dropped (プリンター/プリンタ, サーバー/サーバ:
both spellings are official in Japanese IT writing).
"""

from __future__ import annotations

import functools
import re
import unicodedata

_HIRAGANA = "\u3041-\u3096\u309d\u309e"
_KATAKANA = "\u30a1-\u30fa\u30fd\u30fe"
_HIRAGANA_TO_KATAKANA = {code: code + 0x60 for code in range(0x3041, 0x3097)}
_HIRAGANA_TO_KATAKANA.update({0x309D: 0x30FD, 0x309E: 0x30FE})  # iteration marks ゝゞ

# NFKC already turns half-width ｰ into ー; these are the dashes and tildes people type instead.
_DASH_AFTER_KANA = re.compile(rf"(?<=[{_HIRAGANA}{_KATAKANA}ー])[-‐‑‒–—―−〜~～]")
_LONG_VOWEL_RUN = re.compile("ー{2,}")
# 「WiーFi」: a long-vowel mark or dash between Latin letters or digits is a hyphen.
_DASH_IN_LATIN = re.compile(r"(?<=[A-Za-z0-9])[ー‐‑‒–—―−](?=[A-Za-z0-9])")
# A long-vowel mark after three kana (or marks); whether it ends a word is decided in _word_end.
_LONG_VOWEL_AFTER_WORD = re.compile(rf"(?<=[{_HIRAGANA}{_KATAKANA}ー]{{3}})ー")
_IS_HIRAGANA = re.compile(f"[{_HIRAGANA}]")
_IS_KATAKANA = re.compile(f"[{_KATAKANA}ー]")
_NOT_WORD = re.compile(r"[\W_]+")


def _same_script(a: str, b: str) -> bool:
    return bool(
        (_IS_HIRAGANA.match(a) and _IS_HIRAGANA.match(b)) or (_IS_KATAKANA.match(a) and _IS_KATAKANA.match(b))
    )


def _drop_word_final_long_vowel(text: str) -> str:
    # A word ends where the script changes: 「プリンターが」 ends at が, 「ぷりんたーが」 does not.
    def replace(match: re.Match[str]) -> str:
        end = match.end()
        ends_word = end == len(text) or not _same_script(text[match.start() - 1], text[end])
        return "" if ends_word else "ー"

    return _LONG_VOWEL_AFTER_WORD.sub(replace, text)


def tidy(text: str) -> str:
    """Width (NFKC) and hyphen repairs that keep the text readable for a tokenizer."""
    return _DASH_IN_LATIN.sub("-", unicodedata.normalize("NFKC", text))


def fold(text: str) -> str:
    """Fold width, case, kana and long-vowel spelling; keep punctuation and spaces."""
    text = unicodedata.normalize("NFKC", tidy(text).lower())
    text = _LONG_VOWEL_RUN.sub("ー", _DASH_AFTER_KANA.sub("ー", text))
    return _drop_word_final_long_vowel(text).translate(_HIRAGANA_TO_KATAKANA)


def normalize(text: str) -> str:
    """Fold, then drop punctuation and spaces: the key for exact and fuzzy comparison."""
    return _NOT_WORD.sub("", fold(text))


# Loading a knowledge base normalises each entry question three times (the duplicate check, the
# near-duplicate check, the index): they share this cache, sized for 10k entries. Askers' questions
# never go through it, so it holds nothing they typed.
normalize_entry_text = functools.lru_cache(maxsize=1 << 15)(normalize)


def bigrams(text: str) -> tuple[str, ...]:
    """Character bigrams of the normalised text: robust to typos and unknown words."""
    return key_bigrams(normalize(text))


def key_bigrams(key: str) -> tuple[str, ...]:
    """bigrams() of text that is already normalised (normalize is idempotent)."""
    if len(key) < 2:
        return (key,) if key else ()
    return tuple(key[i : i + 2] for i in range(len(key) - 1))
