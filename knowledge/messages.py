"""The loader's and the CLI's messages in Japanese and English, keyed by a stable problem code."""

from __future__ import annotations

from collections.abc import Mapping

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
    "yaml-syntax": ("YAML の構文エラー: {detail}", "YAML syntax error: {detail}"),
    "duplicate-key": (
        "キー '{key}' が同じ場所に 2 回あります（{first_line} 行目が先）。",
        "key '{key}' appears twice in the same mapping (first at line {first_line}).",
    ),
    "not-mapping": (
        "{what} はキーと値の組（mapping）にしてください。",
        "{what} must be a mapping of keys to values.",
    ),
    "not-list": ("{what} はリストにしてください。", "{what} must be a list."),
    "unknown-key": (
        "不明なキー '{key}' です。使えるキー: {allowed}",
        "unknown key '{key}'; allowed keys: {allowed}.",
    ),
    "missing-field": (
        "必須の項目 '{field}' がありません。",
        "required field '{field}' is missing.",
    ),
    "wrong-type": (
        "'{field}' は{expected_ja}にしてください（いまは {actual}）。",
        "'{field}' must be {expected_en} (found {actual}).",
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


def locale_lang(environ: Mapping[str, str]) -> str:
    """'ja' when the POSIX locale variables say Japanese, else 'en'."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(name)
        if value:
            return "ja" if value.lower().startswith("ja") else "en"
    return "en"
