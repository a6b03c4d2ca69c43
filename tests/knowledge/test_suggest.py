"""`python -m knowledge suggest`: suggested alternates reviewed and written into copies of the
shipped FAQ files, which change by the added lines only and still load."""

from __future__ import annotations

import difflib
import json
import shutil
from pathlib import Path

import pytest

from knowledge import load

from .conftest import WriteKb
from .test_cli import run

SHIPPED = Path(__file__).parents[2] / "knowledge" / "faq"


def suggestions(tmp_path: Path, *records: dict[str, object]) -> Path:
    path = tmp_path / "suggested.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def changed_lines(before: str, after: str) -> list[str]:
    """The lines of a diff from before to after that are not context ('+ …' or '- …')."""
    diff = difflib.ndiff(before.splitlines(keepends=True), after.splitlines(keepends=True))
    return [line for line in diff if line.startswith(("+ ", "- ", "? "))]


@pytest.fixture
def kb(tmp_path: Path) -> Path:
    return shutil.copytree(SHIPPED, tmp_path / "faq")


def test_apply_adds_only_the_new_lines_validates_and_is_idempotent(tmp_path: Path, kb: Path) -> None:
    source = suggestions(
        tmp_path,
        {"entry": "pdf-merge", "alternate": "PDFを合わせて1ファイルにしたい", "count": 4},
        {"entry": "pdf-split", "alternate": "PDFの3ページ目だけ欲しい", "count": 2},
        {"entry": "pdf-merge", "alternate": "何個かのＰＤＦをまとめたい！", "count": 9},  # has it, folded
        {"entry": "pdf-split", "alternate": "何個かのPDFをまとめたい", "count": 1},  # pdf-merge has it
        {"entry": "no-such-entry", "alternate": "PDF", "count": 1},
    )
    before = {path.name: path.read_bytes() for path in kb.iterdir()}
    code, out, _ = run("suggest", "--from", str(source), "--kb", str(kb))
    assert code == 0
    assert {path.name: path.read_bytes() for path in kb.iterdir()} == before  # a preview writes nothing
    assert out.splitlines() == [
        'skipped: pdf-merge already has "何個かのＰＤＦをまとめたい！"',
        f'{kb / "pdf.yaml"}:5: add to pdf-merge: "PDFを合わせて1ファイルにしたい" (4 times)',
        f'{kb / "pdf.yaml"}:29: add to pdf-split: "PDFの3ページ目だけ欲しい" (2 times)',
        'skipped: "何個かのPDFをまとめたい" is already a wording of entry pdf-merge (suggested for pdf-split)',
        'skipped: entry no-such-entry is not in the knowledge base ("PDF")',
        "2 alternates to add; run again with --apply to write them.",
    ]

    code, out, _ = run("suggest", "--from", str(source), "--kb", str(kb), "--apply")
    assert code == 0
    assert out.splitlines()[-1] == "2 alternates written into 1 file."
    for name, old in before.items():
        new = (kb / name).read_bytes()
        if name != "pdf.yaml":
            assert new == old
    added = changed_lines(before["pdf.yaml"].decode(), (kb / "pdf.yaml").read_text(encoding="utf-8"))
    assert added == ["+       - PDFを合わせて1ファイルにしたい\n", "+       - PDFの3ページ目だけ欲しい\n"]
    assert run("validate", str(kb))[0] == 0
    loaded = load(kb)
    assert [loaded.get(entry_id).alternates[-1] for entry_id in ("pdf-merge", "pdf-split")] == [  # type: ignore[union-attr]
        "PDFを合わせて1ファイルにしたい",
        "PDFの3ページ目だけ欲しい",
    ]

    applied = (kb / "pdf.yaml").read_bytes()
    code, out, _ = run("suggest", "--from", str(source), "--kb", str(kb), "--apply")
    assert code == 0
    assert out.splitlines()[-1] == "0 alternates written into 0 files."
    assert (kb / "pdf.yaml").read_bytes() == applied


def test_an_entry_without_alternates_gets_the_key_after_its_question(tmp_path: Path, kb: Path) -> None:
    path = kb / "pdf.yaml"
    shipped = path.read_text(encoding="utf-8")
    block = (
        "    alternates:\n"
        "      - PDFをくっつけて一つのファイルにする方法\n"
        "      - 何個かのPDFをまとめたい\n"
        "      - スキャンしたPDFを順番に合体させたい\n"
    )
    without = shipped.replace(block, "", 1)
    path.write_text(without, encoding="utf-8")
    source = suggestions(tmp_path, {"entry": "pdf-merge", "alternate": "PDF: 合体させたい", "count": 3})
    code, out, _ = run("suggest", "--from", str(source), "--kb", str(kb), "--apply", env_lang="ja_JP.UTF-8")
    assert code == 0
    assert out.splitlines()[-1] == "別の言い方 1 件を 1 個のファイルに書き込みました。"
    after = path.read_text(encoding="utf-8")
    assert changed_lines(without, after) == ["+     alternates:\n", "+       - 'PDF: 合体させたい'\n"]
    assert "    question: 複数のPDFファイルを1つに結合したい\n    alternates:\n" in after
    assert run("validate", str(kb))[0] == 0
    entry = load(kb).get("pdf-merge")
    assert entry is not None
    assert entry.alternates == ("PDF: 合体させたい",)


def test_comments_blank_lines_flow_lists_crlf_and_bom_are_kept(tmp_path: Path, write_kb: WriteKb) -> None:
    text = (
        "# 見出しのコメント\n"
        "entries:\n"
        "  - id: a\n"
        "    question: 'PDFを結合したい'  # 代表の質問\n"
        "    answer: 結合の手順\n"
        "    alternates:\n"
        "      - PDFをまとめたい  # よくある言い方\n"
        "\n"
        "  - id: b\n"
        '    question: "PDFを分割したい"\n'
        "    alternates: [PDFを分けたい]\n"
        "    # 次の項目のコメント\n"
        "    answer: |\n"
        "      分割の手順\n"
    )
    original = b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8")
    root = write_kb({"pdf.yaml": original})
    source = suggestions(
        tmp_path,
        {"entry": "a", "alternate": "PDFを一つにしたい", "count": 2},
        {"entry": "b", "alternate": "PDFをばらしたい", "count": 1},
    )
    code, _, _ = run("suggest", "--from", str(source), "--kb", str(root), "--apply")
    assert code == 0
    written = (root / "pdf.yaml").read_bytes()
    expected = text.replace(
        "      - PDFをまとめたい  # よくある言い方\n",
        "      - PDFをまとめたい  # よくある言い方\n      - PDFを一つにしたい\n",
    ).replace("[PDFを分けたい]", "[PDFを分けたい, PDFをばらしたい]")
    assert written == b"\xef\xbb\xbf" + expected.replace("\n", "\r\n").encode("utf-8")


def test_a_file_the_library_would_reformat_is_left_alone(tmp_path: Path, write_kb: WriteKb) -> None:
    original = "entries:\n  - id: a\n    question:   PDFを結合したい\n    answer: 手順\n"
    root = write_kb({"a.yaml": original})
    source = suggestions(tmp_path, {"entry": "a", "alternate": "PDFをまとめたい", "count": 1})
    code, out, err = run("suggest", "--from", str(source), "--kb", str(root), "--apply")
    assert code == 1
    assert (root / "a.yaml").read_text(encoding="utf-8") == original
    assert "a.yaml: not written: the YAML library would not keep this file's layout" in err
    assert out.splitlines()[-1] == "0 alternates written into 0 files."


@pytest.mark.parametrize(
    "line",
    [
        "not json",
        '{"entry": "pdf-merge"}',
        '{"entry": "pdf-merge", "alternate": 3}',
        '{"entry": "pdf-merge", "alternate": "PDF", "count": 0}',
        '{"entry": "pdf-merge", "alternate": "PDF", "count": true}',
    ],
)
def test_a_bad_suggestion_line_is_a_usage_error(tmp_path: Path, kb: Path, line: str) -> None:
    source = tmp_path / "suggested.jsonl"
    source.write_text(line + "\n", encoding="utf-8")
    code, out, err = run("suggest", "--from", str(source), "--kb", str(kb), "--apply")
    assert (code, out) == (2, "")
    assert err.startswith(f"{source}:1: expected a JSON line")


def test_a_wording_without_words_is_skipped_and_missing_paths_are_usage_errors(
    tmp_path: Path, kb: Path
) -> None:
    source = suggestions(tmp_path, {"entry": "pdf-merge", "alternate": "？！…", "count": 2})
    code, out, _ = run("suggest", "--from", str(source), "--kb", str(kb), "--apply")
    assert code == 0
    assert out.splitlines() == [
        'skipped: "？！…" has no words (suggested for pdf-merge)',
        "0 alternates written into 0 files.",
    ]
    assert run("suggest", "--from", str(tmp_path / "none.jsonl"), "--kb", str(kb))[0] == 2
    code, _, err = run("suggest", "--from", str(source), "--kb", str(tmp_path / "nowhere"))
    assert code == 2
    assert err == f"folder {tmp_path / 'nowhere'} does not exist.\n"
