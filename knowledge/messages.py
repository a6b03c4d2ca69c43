"""The loader's and the CLI's messages in Japanese and English, keyed by a stable problem code."""

from __future__ import annotations

from collections.abc import Mapping

from knowledge.languages import Lang

# code -> (Japanese, English); placeholders are filled with str.format.
PROBLEMS: Mapping[str, tuple[str, str]] = {
    "no-directory": (
        "ナレッジベースのフォルダ {directory} がありません。",
        "knowledge base folder {directory} does not exist.",
    ),
    "no-entries": (
        "エントリが 1 件もありません。*.yaml ファイルに entries: を書いてください。",
        "no entries found: add *.yaml files with an 'entries:' list.",
    ),
    "encoding-shift-jis": (
        "このファイルは Shift_JIS で保存されています。UTF-8 で保存し直してください"
        "（メモ帳: 名前を付けて保存 → 文字コード「UTF-8」）。",
        "this file is saved as Shift_JIS; save it again as UTF-8 (Notepad: Save As -> Encoding 'UTF-8').",
    ),
    "encoding-invalid": (
        "UTF-8 として読めないバイトがあります。UTF-8 で保存し直してください。",
        "bytes that are not UTF-8; save the file again as UTF-8.",
    ),
    "indent-fullwidth-space": (
        "行頭に全角スペースがあります。インデントは半角スペースにしてください。",
        "full-width space (U+3000) in the indentation; indent with ASCII spaces.",
    ),
    "indent-tab": (
        "行頭にタブがあります。インデントは半角スペースにしてください。",
        "tab in the indentation; YAML allows only ASCII spaces there.",
    ),
    "yaml-syntax": ("YAML の構文エラー: {detail_ja}", "YAML syntax error: {detail_en}"),
    "duplicate-key": (
        "キー '{key}' が同じ場所に 2 回あります（{first_line} 行目が先）。",
        "key '{key}' appears twice in the same mapping (first at line {first_line}).",
    ),
    "not-mapping": (
        "{what_ja} はキーと値の組（mapping）にしてください。",
        "{what_en} must be a mapping of keys to values.",
    ),
    "not-list": ("{what_ja} はリストにしてください。", "{what_en} must be a list."),
    "unknown-key": (
        "不明なキー '{key}' です。使えるキー: {allowed}",
        "unknown key '{key}'; allowed keys: {allowed}.",
    ),
    "missing-field": (
        "必須の項目 '{field}' がありません。",
        "required field '{field}' is missing.",
    ),
    "wrong-type": (
        "'{field}' は{expected_ja}にしてください（いまは {actual_ja}）。",
        "'{field}' must be {expected_en} (found {actual_en}).",
    ),
    "invalid-id": (
        "id '{value}' は使えません。英小文字・数字・ハイフンで、英小文字か数字で始めてください"
        "（例: wifi-password）。",
        "id '{value}' is invalid: use lower-case letters, digits and hyphens, starting with a "
        "letter or digit (e.g. wifi-password).",
    ),
    "invalid-lang": (
        "lang は ja か en にしてください（いまは '{value}'）。",
        "lang must be 'ja' or 'en' (found '{value}').",
    ),
    "empty-text": ("'{field}' が空です。", "'{field}' is empty."),
    "invalid-date": (
        "'{field}' は日付 YYYY-MM-DD にしてください（いまは '{value}'）。",
        "'{field}' must be a date YYYY-MM-DD (found '{value}').",
    ),
    "invalid-url": (
        "リンク先 '{value}' は http(s)://、file:// か \\\\サーバ\\共有 の形にしてください。",
        "link url '{value}' must be http(s)://…, file://… or a \\\\server\\share path.",
    ),
    "symlink-outside": (
        "フォルダの外のファイル {target} へのシンボリックリンクです。読み込みません。"
        "ファイルをフォルダの中にコピーしてください。",
        "a symbolic link to {target}, outside the folder; it is not read. Copy the file into the folder.",
    ),
    "more-problems": (
        "ほかに{severity_ja} {count} 件（最初の {limit} 件だけを表示しています）。",
        "{count} more {severity_en}{plural} (only the first {limit} are listed).",
    ),
    "duplicate-id": (
        "id '{value}' は {other} でも使われています。id はフォルダ全体で一意にしてください。",
        "id '{value}' is also used at {other}; ids must be unique across the folder.",
    ),
    "duplicate-question": (
        "同じ質問「{value}」が {other} にもあります。どちらの回答を出すか決められません。",
        "the question '{value}' also appears at {other}; the bot cannot tell which answer to give.",
    ),
    "near-duplicate-question": (
        "質問「{value}」が {other} の「{other_value}」とほぼ同じです（類似度 {similarity}%）。"
        "ボットが迷うので、統合するか言い回しを分けてください。",
        "question '{value}' is nearly the same as '{other_value}' at {other} "
        "({similarity}% similar); merge them or make them distinct, or the bot will be unsure.",
    ),
    "review-overdue": (
        "見直し期限 review_by {value} を過ぎています。内容を確認して日付を更新してください。",
        "review date review_by {value} has passed; check the answer and move the date.",
    ),
    "markdown-table": (
        "Markdown の表は Teams のカードで表示できません。箇条書きにしてください。",
        "Markdown tables do not render in Teams cards; use a list instead.",
    ),
    "markdown-image": (
        "Markdown の画像は Teams のカードで表示できません。リンクにしてください。",
        "Markdown images do not render in Teams cards; link to the image instead.",
    ),
    "link-outside-domains": (
        "エントリ {id} のリンク {url} は、指定したドメイン（{domains}）の外にあります。"
        "職員の端末のネットワークから開けるか確認してください。",
        "entry {id} links to {url}, outside the given domains ({domains}); check that staff "
        "terminals on the office's network can open it.",
    ),
    "ignored-file": (
        "拡張子 .yml のファイルは読み込まれません。.yaml に名前を変えてください。",
        "files ending in .yml are not read; rename it to .yaml.",
    ),
    "synonym-group": (
        "synonyms.yaml の各グループは 2 語以上の文字列のリストにしてください。",
        "each group in synonyms.yaml must be a list of two or more strings.",
    ),
}

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


# Words the loader puts into messages, in each language: what a node is, and which part of a file.
WORDS: Mapping[str, tuple[str, str]] = {
    "mapping": ("キーと値の組（mapping）", "mapping"),
    "list": ("リスト", "list"),
    "null": ("空", "null"),
    "file": ("ファイル全体", "file"),
    "entry": ("エントリ", "entry"),
}


def words(word: str) -> tuple[str, str]:
    """(Japanese, English) of a word from WORDS; anything else (a key, a quoted value) as it is."""
    return WORDS.get(word, (word, word))


# Type names as editors know them, for 'wrong-type' messages.
EXPECTED: Mapping[str, tuple[str, str]] = {
    "str": ("文字列", "a string"),
    "list[str]": ("文字列のリスト", "a list of strings"),
    "date": ("日付 YYYY-MM-DD", "a date YYYY-MM-DD"),
    "list[link]": ("{title, url} のリスト", "a list of {title, url}"),
}


def render(code: str, **values: object) -> tuple[str, str]:
    """The (Japanese, English) text of a problem code with its placeholders filled."""
    ja, en = PROBLEMS[code]
    return ja.format(**values), en.format(**values)


def locale_lang(environ: Mapping[str, str]) -> Lang:
    """'ja' when the POSIX locale variables say Japanese, else 'en'."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(name)
        if value:
            return "ja" if value.lower().startswith("ja") else "en"
    return "en"
