"""The loader's and the CLI's messages in Japanese and English, keyed by a stable problem code.

The texts are in `texts/*.yaml`, read by Kotae's one text loader (`knowledge.catalogue`).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from pathlib import Path

from knowledge.catalogue import Catalogue
from knowledge.languages import Lang

_TEXTS = Path(__file__).resolve().parent / "texts"

# libyaml's problem texts (PyYAML's own parser words a few differently) in Japanese. A text not
# listed here is shown in English: better than nothing.
YAML_PROBLEMS_JA: Mapping[str, str] = {
    "while parsing a block mapping": "ブロック形式の mapping を読んでいるところで",
    "while parsing a block collection": "ブロック形式のリストを読んでいるところで",
    "while parsing a flow sequence": "[ ] のリストを読んでいるところで",
    "while parsing a flow mapping": "{ } の mapping を読んでいるところで",
    "while parsing a flow node": "[ ] か { } の中の値を読んでいるところで",
    "while parsing a block node": "値を読んでいるところで",
    "while parsing a node": "値を読んでいるところで",
    "while parsing a quoted scalar": "引用符で囲んだ文字列を読んでいるところで",
    "while scanning a quoted scalar": "引用符で囲んだ文字列を読んでいるところで",
    "while scanning a plain scalar": "文字列を読んでいるところで",
    "while scanning a block scalar": "| か > の複数行の文字列を読んでいるところで",
    "while scanning a simple key": "キーを読んでいるところで",
    "while scanning for the next token": "次の要素を探しているところで",
    "while scanning a tag": "タグ（!）を読んでいるところで",
    "while scanning an alias": "エイリアス（*）を読んでいるところで",
    "while scanning an anchor": "アンカー（&）を読んでいるところで",
    "while scanning a directive": "ディレクティブ（%）を読んでいるところで",
    "while parsing a block mapping or a block sequence": "mapping かリストを読んでいるところで",
    "mapping values are not allowed in this context": "ここには「キー: 値」を書けません（: の後に空白があるか、インデントを確認してください）",
    "mapping values are not allowed here": "ここには「キー: 値」を書けません（: の後に空白があるか、インデントを確認してください）",
    "block sequence entries are not allowed in this context": "ここにはリストの「- 」を書けません",
    "block sequence entries are not allowed here": "ここにはリストの「- 」を書けません",
    "did not find expected key": "キーがあるはずの場所にありません（インデントがずれていないか確認してください）",
    "expected <block end>, but found '<block mapping start>'": "インデントがずれています",
    "did not find expected '-' indicator": "リストの「- 」があるはずの場所にありません（インデントを確認してください）",
    "did not find expected ',' or ']'": "「,」か「]」があるはずの場所にありません",
    "did not find expected ',' or '}'": "「,」か「}」があるはずの場所にありません",
    "did not find expected node content": "値があるはずの場所にありません",
    "could not find expected ':'": "「:」があるはずの場所にありません",
    "found unexpected end of stream": "閉じる引用符がないままファイルが終わりました",
    "found unexpected ':'": "予期しない「:」があります",
    "found character that cannot start any token": "ここに書けない文字があります（@ や ` で始まる値は引用符で囲んでください）",
    "found unknown escape character": "\\ の後に使えない文字があります（\\ を書くなら ' ' で囲んでください）",
    "found a tab character that violates indentation": "インデントにタブがあります",
    "found a tab character where an indentation space is expected": "インデントにタブがあります",
    "found undefined alias": "定義されていないエイリアス（*）です",
    "found duplicate anchor; first occurrence": "同じ名前のアンカー（&）が 2 つあります。1 つ目",
    "second occurrence": "2 つ目",
    "expected a single document in the stream": "1 つのファイルには 1 つの文書だけを書いてください",
    "but found another document": "「---」で 2 つ目の文書が始まっています",
    "found unknown directive name": "不明なディレクティブ（%）です",
    "did not find the expected '>'": "「>」があるはずの場所にありません",
    "did not find expected '>'": "「>」があるはずの場所にありません",
    "did not find expected alphabetic or numeric character": "英数字があるはずの場所にありません",
    "did not find expected comment or line break": "コメントか改行があるはずの場所にありません",
    "control characters are not allowed": "制御文字は使えません",
}


def yaml_problem_ja(text: str) -> str:
    """libyaml's English problem `text` in Japanese; an unknown one as it is."""
    return YAML_PROBLEMS_JA.get(text, text)


@cache
def messages() -> Catalogue:
    """The loader's and the CLI's texts (`texts/*.yaml`), loaded once on first use."""
    return Catalogue.load(_TEXTS)


def render(code: str, **values: object) -> tuple[str, str]:
    """The (Japanese, English) text of a problem code with its placeholders filled."""
    return messages().both(f"problem.{code}", **values)


def problem_codes() -> list[str]:
    """Every problem code the loader and the CLI may report."""
    return sorted(key.removeprefix("problem.") for key in messages().texts if key.startswith("problem."))


def words(word: str) -> tuple[str, str]:
    """(Japanese, English) of a word the loader puts into messages (what a node is, which part of a
    file); anything else (a key, a quoted value) as it is."""
    key = f"word.{word}"
    return messages().both(key) if key in messages().texts else (word, word)


def expected_type(name: str) -> tuple[str, str]:
    """(Japanese, English) of a type name as editors know it, for 'wrong-type' messages."""
    return messages().both(f"expected.{name}")


def locale_lang(environ: Mapping[str, str]) -> Lang:
    """'ja' when the POSIX locale variables say Japanese, else 'en'."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(name)
        if value:
            return "ja" if value.lower().startswith("ja") else "en"
    return "en"
