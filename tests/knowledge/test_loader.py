from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from knowledge import Entry, KnowledgeError, Link, Problem, load
from knowledge.loader import MAX_PROBLEMS, inspect
from knowledge.messages import yaml_problem_ja

from .conftest import FIXTURE_KB, WriteKb

TODAY = date(2026, 11, 26)
VALID_ENTRY = """\
entries:
  - id: wifi
    question: Wi-Fiにつながらない
    answer: 再起動してください。
"""


def problems(root: Path) -> list[tuple[str, int, int, str, str]]:
    """(file name, line, col, severity, code) of everything found."""
    return [
        (Path(p.path).name, p.line, p.col, p.severity, p.code) for p in inspect(root, today=TODAY).problems
    ]


def test_fixture_kb_loads_every_field(fixture_kb) -> None:
    entry = fixture_kb.get("wifi-connect")
    assert entry == Entry(
        id="wifi-connect",
        question="庁内Wi-Fiにつながらない",
        answer="ネットワークアイコンで Wi-Fi がオンか確認し、職員用ネットワークに接続し直してください。",
        alternates=("無線LANに接続できません",),
        keywords=("Wi-Fi", "無線LAN", "接続"),
        lang="ja",
        links=(Link("Wi-Fi 接続マニュアル", "http://portal.intra.example/wifi"),),
        owner="ネットワーク担当",
        updated=date(2026, 10, 1),
        review_by=date(2099, 3, 31),
        category="ネットワーク",
        source_path=str(FIXTURE_KB / "network.yaml"),
        source_line=4,
        id_line=4,
        id_col=9,
    )
    assert len(fixture_kb) == 11
    assert fixture_kb.get("missing") is None
    assert fixture_kb.get("en-wifi").lang == "en"  # the file's lang is the default
    assert fixture_kb.synonyms[0] == ("紙詰まり", "ジャム", "紙づまり")
    assert fixture_kb.warnings == ()


def test_unc_paths_and_intranet_hosts_are_valid_links(fixture_kb) -> None:
    assert fixture_kb.get("shared-folder").links == (Link("共有フォルダ", "\\\\fs01\\share"),)


@pytest.mark.parametrize(
    ("yaml_text", "expected"),
    [
        ("entries:\n  - id: a\n    question: q\n    answer: [x\n", ("a.yaml", 5, 1, "error", "yaml-syntax")),
        ("entries:\n  - question: q\n    answer: a\n", ("a.yaml", 2, 5, "error", "missing-field")),
        ("entries:\n  - id: a\n    question: [q]\n    answer: a\n", ("a.yaml", 3, 15, "error", "wrong-type")),
        ("entries:\n  - id: A_1\n    question: q\n    answer: a\n", ("a.yaml", 2, 9, "error", "invalid-id")),
        (
            "entries:\n  - id: a\n    question: q\n    answer: '  '\n",
            ("a.yaml", 4, 13, "error", "empty-text"),
        ),
        (
            "entries:\n  - id: a\n    question: q\n    answer: a\n    colour: red\n",
            ("a.yaml", 5, 5, "error", "unknown-key"),
        ),
        (
            "entries:\n  - id: a\n    question: q\n    answer: a\n    id: b\n",
            ("a.yaml", 5, 5, "error", "duplicate-key"),
        ),
        (
            "entries:\n  - id: a\n    question: q\n    answer: a\n    lang: fr\n",
            ("a.yaml", 5, 11, "error", "invalid-lang"),
        ),
        (
            "entries:\n  - id: a\n    question: q\n    answer: a\n    updated: yesterday\n",
            ("a.yaml", 5, 14, "error", "invalid-date"),
        ),
        (
            "entries:\n  - id: a\n    question: q\n    answer: a\n    links:\n"
            "      - title: t\n        url: portal/page\n",
            ("a.yaml", 7, 14, "error", "invalid-url"),
        ),
        (
            "entries:\n  - id: a\n    question: q\n    answer: a\n    links:\n      - title: t\n",
            ("a.yaml", 6, 9, "error", "missing-field"),
        ),
        (
            "entries:\n  - id: a\n    question: q\n    answer: a\n    keywords: pdf\n",
            ("a.yaml", 5, 15, "error", "wrong-type"),
        ),
        ("entries:\n  - just a string\n", ("a.yaml", 2, 5, "error", "not-mapping")),
        ("entries: {}\n", ("a.yaml", 1, 10, "error", "not-list")),
        ("title: FAQ\n", ("a.yaml", 1, 1, "error", "unknown-key")),
        ("- [a, b]\n", ("a.yaml", 1, 1, "error", "not-mapping")),
    ],
)
def test_each_error_is_located(write_kb: WriteKb, yaml_text: str, expected: tuple) -> None:
    found = problems(write_kb({"a.yaml": yaml_text}))
    assert expected in found
    with pytest.raises(KnowledgeError) as raised:
        load(write_kb({"a.yaml": yaml_text}, folder="again"))
    assert expected[4] in {p.code for p in raised.value.problems}


def test_duplicate_ids_and_questions_across_files_point_at_both(write_kb: WriteKb) -> None:
    root = write_kb(
        {
            "a.yaml": VALID_ENTRY,
            "b/c.yaml": "entries:\n  - id: other\n    question: q\n    answer: a\n"
            "  - id: wifi\n    question: ｗｉ－ｆｉにつながらない\n    answer: a\n",
        }
    )
    report = inspect(root, today=TODAY)
    by_code = {p.code: p for p in report.problems}
    assert by_code["duplicate-id"].line == 5
    assert f"{root / 'a.yaml'}:2" in by_code["duplicate-id"].message_en
    # Width and case folding make these the same question.
    assert by_code["duplicate-question"].path == str(root / "b" / "c.yaml")


def test_empty_folder_and_missing_folder_are_errors(write_kb: WriteKb, tmp_path: Path) -> None:
    assert [p[4] for p in problems(write_kb({}))] == ["no-entries"]
    assert [p[4] for p in problems(tmp_path / "nowhere")] == ["no-directory"]


def test_utf8_with_bom_is_accepted(write_kb: WriteKb) -> None:
    kb = load(write_kb({"a.yaml": "\ufeff".encode() + VALID_ENTRY.encode()}))
    assert kb.get("wifi").question == "Wi-Fiにつながらない"


def test_shift_jis_file_says_to_save_as_utf8(write_kb: WriteKb) -> None:
    root = write_kb({"a.yaml": VALID_ENTRY.encode("cp932")})
    [problem] = inspect(root).problems
    assert (problem.code, problem.line) == ("encoding-shift-jis", 3)
    assert "UTF-8" in problem.message_ja
    assert "Shift_JIS" in problem.message_en


def test_other_bytes_are_not_called_shift_jis(write_kb: WriteKb) -> None:
    [problem] = inspect(write_kb({"a.yaml": b"entries:\n  - id: \x85\x40\n"})).problems
    assert problem.code == "encoding-invalid"


def test_full_width_space_indentation_is_named(write_kb: WriteKb) -> None:
    text = VALID_ENTRY.replace("    answer", "\u3000\u3000answer")
    [problem] = inspect(write_kb({"a.yaml": text})).problems
    assert (problem.code, problem.line, problem.col) == ("indent-fullwidth-space", 4, 1)
    assert "全角スペース" in problem.message_ja


def test_tab_indentation_is_named(write_kb: WriteKb) -> None:
    text = VALID_ENTRY.replace("    answer", "\tanswer")
    [problem] = inspect(write_kb({"a.yaml": text})).problems
    assert (problem.code, problem.line) == ("indent-tab", 4)


def test_warnings_do_not_stop_loading(write_kb: WriteKb) -> None:
    root = write_kb(
        {
            "a.yaml": """\
entries:
  - id: one
    question: 共有フォルダにアクセスできない
    answer: |
      手順:

      | 項目 | 値 |
      |---|---|
      | a | b |
    review_by: 2020-01-01
  - id: two
    question: 共有フォルダにアクセスができない
    answer: "![図](http://portal/x.png)"
""",
            "old.yml": VALID_ENTRY,
        }
    )
    found = problems(root)
    assert ("a.yaml", 7, 1, "warning", "markdown-table") in found
    assert ("a.yaml", 10, 16, "warning", "review-overdue") in found
    assert ("a.yaml", 13, 13, "warning", "markdown-image") in found
    assert ("a.yaml", 11, 1, "warning", "near-duplicate-question") in found
    assert ("old.yml", 1, 1, "warning", "ignored-file") in found
    kb = load(root, today=TODAY)
    assert len(kb) == 2
    assert len(kb.warnings) == 5


def test_synonyms_file_problems(write_kb: WriteKb) -> None:
    root = write_kb({"a.yaml": VALID_ENTRY, "synonyms.yaml": "- [PC, パソコン]\n- [ひとつ]\n"})
    assert problems(root) == [("synonyms.yaml", 2, 3, "error", "synonym-group")]


def test_problem_formats_in_both_languages() -> None:
    problem = Problem("faq/a.yaml", 3, 5, "warning", "x", "日本語", "English")
    assert problem.format("ja") == "faq/a.yaml:3:5: 警告: 日本語"
    assert problem.format("en") == "faq/a.yaml:3:5: warning: English"


def test_knowledge_error_lists_problems(write_kb: WriteKb) -> None:
    with pytest.raises(KnowledgeError, match="required field") as raised:
        load(write_kb({"a.yaml": "entries:\n  - id: a\n"}))
    assert {p.code for p in raised.value.problems} == {"missing-field"}
    assert len(raised.value.problems) == 2  # question and answer


def test_reload_parses_only_the_files_that_changed(write_kb: WriteKb) -> None:
    other = VALID_ENTRY.replace("wifi", "vpn").replace("Wi-Fiにつながらない", "VPNが遅い")
    root = write_kb({"a.yaml": VALID_ENTRY, "b.yaml": other, "synonyms.yaml": "- [Wi-Fi, 無線LAN]\n"})
    first = load(root, today=TODAY)
    (root / "b.yaml").write_text(other.replace("再起動", "接続し直"), encoding="utf-8")
    (root / "c.yaml").write_text(VALID_ENTRY.replace("wifi", "pdf").replace("Wi-Fi", "PDF"), "utf-8")
    second = load(root, today=TODAY, earlier=first)

    assert second == load(root, today=TODAY)
    assert second.get("vpn").answer == "接続し直してください。"
    assert second.get("pdf") is not None
    assert second.synonyms == (("Wi-Fi", "無線LAN"),)
    unchanged = [str(root / "a.yaml"), str(root / "synonyms.yaml")]
    assert all(second.files[path] is first.files[path] for path in unchanged)
    assert second.files[str(root / "b.yaml")] is not first.files[str(root / "b.yaml")]

    (root / "c.yaml").unlink()
    assert load(root, today=TODAY, earlier=second).get("pdf") is None


def test_reload_checks_across_files_and_dates_again(write_kb: WriteKb) -> None:
    root = write_kb(
        {"a.yaml": VALID_ENTRY.replace("  - id: wifi", "  - id: wifi\n    review_by: 2026-12-01")}
    )
    first = load(root, today=TODAY)
    assert first.warnings == ()
    # A later day reads the unchanged file again: its review date has passed.
    later = load(root, today=date(2027, 1, 4), earlier=first)
    assert [w.code for w in later.warnings] == ["review-overdue"]
    # A new file that repeats an id is an error even though the first file is not read again.
    (root / "b.yaml").write_text(VALID_ENTRY.replace("Wi-Fiにつながらない", "無線が切れる"), "utf-8")
    with pytest.raises(KnowledgeError) as raised:
        load(root, today=TODAY, earlier=first)
    assert [p.code for p in raised.value.problems] == ["duplicate-id"]


def test_a_duplicate_id_is_reported_at_the_id(write_kb: WriteKb) -> None:
    root = write_kb(
        {
            "a.yaml": VALID_ENTRY,
            "b.yaml": "entries:\n  - question: 別の質問\n    answer: a\n    id:   wifi\n",
        }
    )
    assert ("b.yaml", 4, 11, "error", "duplicate-id") in problems(root)


def test_yaml_syntax_errors_are_in_the_chosen_language(write_kb: WriteKb) -> None:
    root = write_kb({"a.yaml": "entries:\n  - id: a\n    question: q: r\n", "b.yaml": "a: *nowhere\n"})
    by_file = {Path(p.path).name: p for p in inspect(root, today=TODAY).problems}
    colon, alias = by_file["a.yaml"], by_file["b.yaml"]
    assert colon.message_en == "YAML syntax error: mapping values are not allowed in this context"
    assert "mapping" not in colon.message_ja
    assert "「キー: 値」" in colon.message_ja
    assert alias.message_ja == "YAML の構文エラー: 定義されていないエイリアス（*）です"


def test_an_unknown_libyaml_text_stays_in_english() -> None:
    assert yaml_problem_ja("while parsing something new") == "while parsing something new"


def test_a_symbolic_link_to_a_file_outside_the_folder_is_refused(write_kb: WriteKb, tmp_path: Path) -> None:
    secret = tmp_path / "elsewhere.yaml"
    secret.write_text(VALID_ENTRY.replace("wifi", "secret"), encoding="utf-8")
    root = write_kb({"a.yaml": VALID_ENTRY, "inside.yaml": VALID_ENTRY.replace("wifi", "other")})
    (root / "linked.yaml").symlink_to(secret)
    report = inspect(root, today=TODAY)
    assert ("linked.yaml", 1, 1, "error", "symlink-outside") in problems(root)
    assert str(secret) in next(p for p in report.problems if p.code == "symlink-outside").message_en
    assert "secret" not in {entry.id for entry in report.entries}
    with pytest.raises(KnowledgeError):
        load(root)


def test_problems_are_capped_per_file_and_folder(write_kb: WriteKb) -> None:
    def bad_ids(prefix: str) -> str:
        return "entries:\n" + "".join(
            f"  - id: Bad{n}\n    question: {prefix}{n}\n    answer: a\n" for n in range(MAX_PROBLEMS + 1)
        )

    root = write_kb({"a.yaml": bad_ids("a"), "b.yaml": bad_ids("b")})
    report = inspect(root, today=TODAY)
    codes = [p.code for p in report.problems]
    assert codes.count("invalid-id") == MAX_PROBLEMS
    summaries = [p for p in report.problems if p.code == "more-problems"]
    # Each file kept 200 and said "1 more"; the folder kept the first 200 of those and said so.
    assert [p.message_en for p in summaries] == [
        f"1 more error (only the first {MAX_PROBLEMS} are listed).",
        f"1 more error (only the first {MAX_PROBLEMS} are listed).",
        f"{MAX_PROBLEMS} more errors (only the first {MAX_PROBLEMS} are listed).",
    ]
    assert all(p.severity == "error" for p in summaries)
    only_one = inspect(write_kb({"a.yaml": bad_ids("a")}, folder="one"), today=TODAY)
    assert only_one.problems[-1].message_en == f"1 more error (only the first {MAX_PROBLEMS} are listed)."
    assert (
        only_one.problems[-1].message_ja
        == f"ほかにエラー 1 件（最初の {MAX_PROBLEMS} 件だけを表示しています）。"
    )


def test_japanese_messages_name_kinds_and_parts_in_japanese(write_kb: WriteKb) -> None:
    root = write_kb(
        {
            "a.yaml": "entries:\n  - just text\n  - id: b\n    question: [x]\n    answer: a\n",
            "b.yaml": "- x\n",
        }
    )
    messages = {(Path(p.path).name, p.code): p for p in inspect(root, today=TODAY).problems}
    assert (
        messages["a.yaml", "not-mapping"].message_ja == "エントリ はキーと値の組（mapping）にしてください。"
    )
    assert messages["a.yaml", "not-mapping"].message_en == "entry must be a mapping of keys to values."
    assert (
        messages["a.yaml", "wrong-type"].message_ja == "'question' は文字列にしてください（いまは リスト）。"
    )
    assert messages["a.yaml", "wrong-type"].message_en == "'question' must be a string (found list)."
    assert messages["b.yaml", "not-mapping"].message_ja.startswith("ファイル全体 は")
