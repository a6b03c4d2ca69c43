"""`python -m knowledge diff`: real edits of the shipped knowledge base, re-asked with both versions."""

from __future__ import annotations

import json
import shutil
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from knowledge import MatchSettings, load
from knowledge.diff import Outcome, QuestionVectors, classify, compare, wordings
from knowledge.semantic import load_embedder
from knowledge.snapshot import build
from tests.knowledge.test_semantic import Counting as CountingTexts

from .conftest import FIXTURE_KB
from .test_cli import run


class Counting(CountingTexts):
    """The real model, counting the texts and the calls that embed questions."""

    calls = 0

    def embed(self, texts: Sequence[str], *, query: bool) -> np.ndarray:
        self.calls += query
        return super().embed(texts, query=query)


SHIPPED = Path(__file__).parents[2] / "knowledge" / "faq"
TUNING = Path(__file__).parents[1] / "questions" / "tuning.jsonl"
# A question of the tuning set that the shipped knowledge base answers with password-change.
ASKED = "パスワードの期限もうすぐ切れるって毎回でる。変え方おしえて"


def edited(tmp_path: Path, old: str, new: str) -> tuple[Path, Path]:
    """The shipped knowledge base and a copy with `old` replaced by `new` in account.yaml."""
    copy = tmp_path / "edited"
    shutil.copytree(SHIPPED, copy)
    path = copy / "account.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1
    path.write_text(text.replace(old, new), encoding="utf-8")
    return SHIPPED, copy


LAST_FORGOT_ALTERNATE = "      - 休み明けでパスワードを思い出せない\n"


def test_an_alternate_taking_an_answered_question_fails_and_is_named(tmp_path: Path) -> None:
    """An editor adds a question staff asked to the wrong entry: it is answered by that entry now."""
    old, new = edited(tmp_path, LAST_FORGOT_ALTERNATE, f"{LAST_FORGOT_ALTERNATE}      - {ASKED}\n")
    code, out, _ = run("diff", str(old), str(new), "--questions", str(TUNING), "--semantic", "off")
    assert code == 1
    lines = out.splitlines()
    assert lines[0] == "answered question now answered by another entry (1):"
    assert lines[1] == f'  "{ASKED}": answer password-change -> answer password-forgot'
    assert lines[-1] == "1 answered question would now get another entry: check that this is intended."
    code, out, _ = run(
        "diff", str(old), str(new), "--questions", str(TUNING), "--semantic", "off", env_lang="ja_JP.UTF-8"
    )
    assert code == 1
    assert out.splitlines()[:2] == [
        "別のエントリが回答するようになった質問（1 件）:",
        f"  「{ASKED}」 回答 password-change → 回答 password-forgot",
    ]


def test_without_questions_a_wording_moved_to_another_entry_is_caught(tmp_path: Path) -> None:
    """The entries' own wordings are the questions: moving one to another entry changes its answer."""
    old, new = edited(tmp_path, "      - ロックを解除してほしい\n", "")
    new_file = new / "account.yaml"
    text = new_file.read_text(encoding="utf-8")
    new_file.write_text(
        text.replace(LAST_FORGOT_ALTERNATE, f"{LAST_FORGOT_ALTERNATE}      - ロックを解除してほしい\n"),
        encoding="utf-8",
    )
    code, out, _ = run("diff", str(old), str(new), "--json", "--semantic", "off")
    assert code == 1
    report = json.loads(out)
    assert report["questions"] == len(set(wordings(load(old))))
    assert report["counts"]["answer-changed"] == 1
    assert report["changes"][0] == {
        "group": "answer-changed",
        "query": "ロックを解除してほしい",
        "lang": "ja",
        "old": {"decision": "answer", "entries": ["account-locked"]},
        "new": {"decision": "answer", "entries": ["password-forgot"]},
    }


def test_an_edit_that_changes_no_answer_exits_0(tmp_path: Path) -> None:
    old, new = edited(
        tmp_path,
        LAST_FORGOT_ALTERNATE,
        f"{LAST_FORGOT_ALTERNATE}      - サインイン用のパスワードを失念した\n",
    )
    for questions in ([], ["--questions", str(TUNING)]):
        code, out, _ = run("diff", str(old), str(new), "--json", "--semantic", "off", *questions)
        assert code == 0
        assert json.loads(out)["counts"]["answer-changed"] == 0


def test_the_same_folder_changes_nothing() -> None:
    code, out, _ = run("diff", str(FIXTURE_KB), str(FIXTURE_KB), "--semantic", "off")
    assert code == 0
    assert out == "15 questions asked of both versions; 0 changed.\n"


def test_groups() -> None:
    answer_a, answer_b = Outcome("answer", ("a",)), Outcome("answer", ("b",))
    clarify, escalate = Outcome("clarify", ("a", "b", "c")), Outcome("escalate", ())
    assert classify(answer_a, answer_a) is None
    assert classify(answer_a, answer_b) == "answer-changed"
    assert classify(answer_a, clarify) == "answer-lost"
    assert classify(escalate, answer_b) == "newly-answered"
    assert classify(clarify, Outcome("clarify", ("a", "c", "b"))) == "choices-changed"
    assert classify(clarify, escalate) == "choices-changed"


def test_the_bot_export_and_the_test_questions_are_read(tmp_path: Path) -> None:
    export = tmp_path / "questions.jsonl"
    export.write_text(
        '{"query": "PDFを結合したい", "lang": "ja", "at": "2026-12-01"}\n\n'
        '{"query": "How do I merge PDFs?", "lang": "ja"}\n'
        '{"query": "ＰＤＦくっつけたい", "expected": ["pdf-merge"]}\n',
        encoding="utf-8",
    )
    code, out, _ = run("diff", str(FIXTURE_KB), str(FIXTURE_KB), "--questions", str(export), "--json")
    assert code == 0
    assert json.loads(out)["questions"] == 3


@pytest.mark.parametrize(
    "line", ["not json", '{"question": "PDF"}', '{"query": 3}', '{"query": "PDF", "lang": "fr"}']
)
def test_a_bad_questions_line_is_a_usage_error(tmp_path: Path, line: str) -> None:
    questions = tmp_path / "questions.jsonl"
    questions.write_text('{"query": "PDF"}\n' + line + "\n", encoding="utf-8")
    code, out, err = run("diff", str(FIXTURE_KB), str(FIXTURE_KB), "--questions", str(questions))
    assert (code, out) == (2, "")
    assert err.startswith(f"{questions}:2: expected a JSON line")


def test_missing_folders_and_files_are_usage_errors(tmp_path: Path) -> None:
    code, _, err = run("diff", str(FIXTURE_KB), str(tmp_path / "nowhere"), "--semantic", "off")
    assert code == 2
    assert err == f"folder {tmp_path / 'nowhere'} does not exist.\n"
    code, _, err = run("diff", str(FIXTURE_KB), str(FIXTURE_KB), "--questions", str(tmp_path / "none"))
    assert code == 2


def test_an_invalid_new_version_exits_1_with_its_problems(tmp_path: Path) -> None:
    broken = tmp_path / "kb"
    shutil.copytree(FIXTURE_KB, broken)
    (broken / "office.yaml").write_text("entries: 3\n", encoding="utf-8")
    code, _, err = run("diff", str(FIXTURE_KB), str(broken), "--semantic", "off")
    assert code == 1
    assert "office.yaml:1:10: error: entries must be a list." in err


def test_with_the_semantic_layer_each_question_is_embedded_once(tmp_path: Path) -> None:
    """The questions are embedded ahead in batches, once for both versions, and the new version is
    built on the old one's entry vectors."""
    embedder, reason = load_embedder()
    assert embedder is not None, reason
    counting = Counting(embedder)
    kept = QuestionVectors(counting)
    old = build(FIXTURE_KB, MatchSettings(), embedder=kept)
    passages = counting.passages
    new = build(shutil.copytree(FIXTURE_KB, tmp_path / "kb"), MatchSettings(), earlier=old, embedder=kept)
    assert new is not old
    assert counting.passages == passages  # the same texts: nothing embedded again
    questions = wordings(old.kb)
    assert compare(old, new, questions, kept) == []
    assert counting.queries == len(set(questions))
    assert counting.calls == 1  # 15 questions: one batch
