from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from knowledge.normalize import fold, normalize

HIRAGANA = st.text(st.characters(min_codepoint=0x3041, max_codepoint=0x3096), max_size=20)
ASCII = st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), max_size=20)


def to_fullwidth(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if 0x21 <= ord(c) <= 0x7E else c for c in text)


def to_katakana(text: str) -> str:
    return "".join(chr(ord(c) + 0x60) for c in text)


@pytest.mark.parametrize(
    ("typed", "folded"),
    [
        ("ＰＤＦ", "pdf"),
        ("ﾁｰﾑｽﾞ", "チームズ"),
        ("ぴーでぃーえふ", "ピーディーエフ"),
        ("プリンター", "プリンタ"),
        ("サーバーーー", "サーバ"),
        ("コンピューターの電源", "コンピュータノ電源"),
        ("パスワ〜ド", "パスワード"),
        ("コピー", "コピー"),  # two letters before the mark: not a long word, kept
        ("メール", "メール"),
    ],
)
def test_examples(typed: str, folded: str) -> None:
    assert fold(typed) == folded


def test_normalize_drops_punctuation_and_spaces() -> None:
    assert normalize("Wi-Fi に、つながらない！？") == normalize("wifiにつながらない")


@given(st.text(max_size=40))
def test_fold_is_idempotent(text: str) -> None:
    assert fold(fold(text)) == fold(text)
    assert normalize(normalize(text)) == normalize(text)


@given(st.text(max_size=40))
def test_fold_output_has_no_hiragana_and_is_nfkc(text: str) -> None:
    folded = fold(text)
    assert not any("\u3041" <= c <= "\u3096" for c in folded)
    assert unicodedata.normalize("NFKC", folded) == folded


@given(ASCII)
def test_width_and_case_do_not_matter(text: str) -> None:
    assert fold(to_fullwidth(text)) == fold(text) == fold(text.upper()) == fold(text.lower())


@given(HIRAGANA)
def test_hiragana_and_katakana_fold_alike(text: str) -> None:
    assert fold(text) == fold(to_katakana(text))


@given(st.text(max_size=40))
def test_normalize_keeps_only_word_characters(text: str) -> None:
    assert all(c.isalnum() or unicodedata.category(c).startswith("M") for c in normalize(text))
