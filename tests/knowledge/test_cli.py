from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from knowledge.cli import main

from .conftest import FIXTURE_KB, FIXTURES, WriteKb


def run(*argv: str, env_lang: str = "C") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with pytest.MonkeyPatch.context() as patch:
        for name in ("LC_ALL", "LC_MESSAGES"):
            patch.delenv(name, raising=False)
        patch.setenv("LANG", env_lang)
        code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_validate_a_valid_folder() -> None:
    code, out, _ = run("validate", str(FIXTURE_KB))
    assert code == 0
    assert "valid (11 entries, 0 warnings)" in out


def test_validate_prints_every_problem_in_the_locale_language(write_kb: WriteKb) -> None:
    root = write_kb({"a.yaml": "entries:\n  - id: a\n    question: q\n"})
    code, out, _ = run("validate", str(root), env_lang="ja_JP.UTF-8")
    assert code == 1
    assert f"{root / 'a.yaml'}:2:5: エラー: 必須の項目 'answer' がありません。" in out
    code, out, _ = run("validate", str(root), env_lang="en_US.UTF-8")
    assert f"{root / 'a.yaml'}:2:5: error: required field 'answer' is missing." in out


def test_ask_json_output() -> None:
    code, out, _ = run("ask", "--kb", str(FIXTURE_KB), "--json", "--top", "3", "ＰＤＦくっつけたい")
    assert code == 0
    result = json.loads(out)
    assert set(result) == {"query", "decision", "results", "ms"}
    assert result["query"] == "ＰＤＦくっつけたい"
    assert result["results"][0]["id"] == "pdf-merge"
    assert len(result["results"]) <= 3
    assert result["ms"] >= 0


def test_ask_batch_prints_one_json_line_per_question(tmp_path: Path) -> None:
    batch = tmp_path / "questions.txt"
    batch.write_text("wifiつながんない\n\n今日の昼ごはんのおすすめは\n", encoding="utf-8")
    code, out, _ = run("ask", "--kb", str(FIXTURE_KB), "--batch", str(batch))
    assert code == 0
    lines = [json.loads(line) for line in out.splitlines()]
    assert [line["query"] for line in lines] == ["wifiつながんない", "今日の昼ごはんのおすすめは"]
    assert lines[0]["decision"] == "answer"
    assert lines[0]["results"][0]["id"] == "wifi-connect"
    assert lines[1]["decision"] != "answer"
    scores = [r["score"] for r in lines[1]["results"]]
    assert scores == sorted(scores, reverse=True)


def test_ask_human_output() -> None:
    code, out, _ = run("ask", "--kb", str(FIXTURE_KB), "Teams 録画")
    assert code == 0
    assert out.splitlines()[0] == "decision: answer"
    assert "teams-recording" in out.splitlines()[1]


def test_ask_on_an_invalid_kb_exits_1(write_kb: WriteKb) -> None:
    code, _, err = run("ask", "--kb", str(write_kb({"a.yaml": "entries: 3\n"})), "PDF")
    assert code == 1
    assert "a.yaml:1:10: error: entries must be a list." in err


def test_eval_prints_metrics_and_warns_about_copied_questions() -> None:
    code, out, err = run("eval", "--kb", str(FIXTURE_KB), "--cases", str(FIXTURES / "cases.jsonl"), "--json")
    assert code == 0
    metrics = json.loads(out)
    assert metrics["cases"] == 8
    assert metrics["answerable"] == 6
    assert metrics["out_of_scope"] == 2
    assert metrics["p_at_1"] == 1.0
    assert metrics["hit_at_3"] == 1.0
    assert metrics["mrr_at_10"] == 1.0
    assert metrics["confident_wrong_rate"] == 0.0
    assert metrics["out_of_scope_not_answered_rate"] == 1.0
    assert metrics["one_click_rate"] == 1.0
    assert metrics["leaks"] == 1
    assert "cases.jsonl:6: warning: test query is nearly identical to entry en-password" in err


def test_eval_counts_a_confident_wrong_answer(tmp_path: Path) -> None:
    cases = tmp_path / "cases.jsonl"
    cases.write_text(
        '{"query": "複数のPDFを1つに結合したい", "expected": ["printer-jam"]}\n'
        '{"query": "ＰＤＦくっつけたい", "expected": []}\n',
        encoding="utf-8",
    )
    _code, out, _ = run("eval", "--kb", str(FIXTURE_KB), "--cases", str(cases), "--json")
    metrics = json.loads(out)
    assert metrics["p_at_1"] == 0.0
    assert metrics["confident_wrong_rate"] == 1.0
    assert metrics["out_of_scope_not_answered_rate"] == 0.0


@pytest.mark.parametrize(
    ("line", "message"),
    [("not json", "expected a JSON line"), ('{"query": "q", "expected": ["nope"]}', "nope")],
)
def test_eval_rejects_bad_cases_with_their_line(tmp_path: Path, line: str, message: str) -> None:
    cases = tmp_path / "cases.jsonl"
    cases.write_text(line + "\n", encoding="utf-8")
    code, _, err = run("eval", "--kb", str(FIXTURE_KB), "--cases", str(cases))
    assert code == 2
    assert f"{cases}:1:" in err
    assert message in err


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert run("ask", "--kb", str(FIXTURE_KB), "--batch", str(tmp_path / "none.txt"))[0] == 2
    assert run("ask", "--kb", str(FIXTURE_KB), "--top", "0", "PDF")[0] == 2
    with pytest.raises(SystemExit) as raised:
        run("ask")
    assert raised.value.code == 2


def test_module_entry_point() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "knowledge", "validate", str(FIXTURE_KB)],
        capture_output=True,
        text=True,
        check=False,
        env={"LANG": "C", "PATH": ""},
        cwd=Path(__file__).parents[2],
    )
    assert result.returncode == 0, result.stderr
    assert "valid" in result.stdout


def test_validate_counts_in_singular_and_plural(write_kb: WriteKb) -> None:
    root = write_kb({"a.yaml": "entries:\n  - id: a\n    question: q\n"})
    _, out, _ = run("validate", str(root))
    assert out.splitlines()[-1] == f"{root}: 1 error, 0 warnings"
    one = write_kb({"a.yaml": "entries:\n  - id: a\n    question: q\n    answer: a\n"}, folder="one")
    _, out, _ = run("validate", str(one))
    assert out.splitlines()[-1] == f"{one}: valid (1 entry, 0 warnings)"


def test_ask_into_a_pipe_closed_early_ends_without_a_traceback(tmp_path: Path) -> None:
    questions = tmp_path / "questions.txt"
    questions.write_text("PDFを結合したい\n" * 5000, encoding="utf-8")
    result = subprocess.run(
        f"{sys.executable} -m knowledge ask --kb {FIXTURE_KB} --batch {questions} | head -n 1",
        shell=True,
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).parents[2],
    )
    assert result.stdout.count("\n") == 1
    assert result.stderr == ""
