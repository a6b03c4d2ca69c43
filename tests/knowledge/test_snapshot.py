"""Snapshots: a restart reuses the matcher it built last time, or reads only what changed."""

from __future__ import annotations

import dataclasses
import logging
import pickle
import shutil
from datetime import date
from pathlib import Path

import pytest

from knowledge import KnowledgeError, LiveKnowledge, Matcher, MatchSettings, Snapshots, load
from knowledge import loader as loader_module
from knowledge.snapshot import build, code_fingerprint, collector_paused, engine_fingerprint

from .conftest import FIXTURE_KB

TODAY = date(2026, 11, 26)
QUESTIONS = ("wifiつながんない", "ﾁｰﾑｽﾞ 録画", "PDF 結合", "printer not working", "庁舎の駐車場")


@pytest.fixture
def kb_dir(tmp_path: Path) -> Path:
    return Path(shutil.copytree(FIXTURE_KB, tmp_path / "kb"))


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files parsed from here on."""
    labels: list[str] = []
    read_file = loader_module._read_file

    def counting(label: str, *args: object):
        labels.append(Path(label).name)
        return read_file(label, *args)

    monkeypatch.setattr(loader_module, "_read_file", counting)
    return labels


def answers(matcher: Matcher) -> list[object]:
    return [matcher.ask(question) for question in QUESTIONS]


def test_a_saved_matcher_answers_as_the_one_built(kb_dir: Path, tmp_path: Path, parsed: list[str]) -> None:
    snapshots = Snapshots(tmp_path / "cache")
    built = build(kb_dir, MatchSettings(), today=TODAY)
    snapshots.save(built)
    parsed.clear()

    saved = snapshots.read(kb_dir)
    assert saved is not None
    assert saved is not built
    assert build(kb_dir, MatchSettings(), earlier=saved, today=TODAY) is saved
    assert parsed == []
    assert answers(saved) == answers(built)
    assert saved.kb == built.kb
    assert (tmp_path / "cache").stat().st_mode & 0o077 == 0  # the bot's account only


def test_after_an_edit_only_the_changed_file_is_read_again(
    kb_dir: Path, tmp_path: Path, parsed: list[str]
) -> None:
    snapshots = Snapshots(tmp_path / "cache")
    snapshots.save(build(kb_dir, MatchSettings(), today=TODAY))
    network = kb_dir / "network.yaml"
    network.write_text(network.read_text(encoding="utf-8").replace("再起動", "電源を入れ直"), "utf-8")
    parsed.clear()

    saved = snapshots.read(kb_dir)
    rebuilt = build(kb_dir, MatchSettings(), earlier=saved, today=TODAY)
    assert rebuilt is not saved
    assert parsed == ["network.yaml"]
    fresh = Matcher(load(kb_dir, today=TODAY))
    assert answers(rebuilt) == answers(fresh)
    assert rebuilt.kb == fresh.kb


def test_new_settings_or_a_passed_review_date_rebuild(kb_dir: Path, tmp_path: Path) -> None:
    snapshots = Snapshots(tmp_path / "cache")
    snapshots.save(build(kb_dir, MatchSettings(), today=TODAY))
    saved = snapshots.read(kb_dir)

    stricter = MatchSettings(answer_threshold=0.99)
    rebuilt = build(kb_dir, stricter, earlier=saved, today=TODAY)
    assert rebuilt is not saved
    assert rebuilt.settings == stricter

    review_by = max(entry.review_by for entry in saved.kb.entries if entry.review_by)
    later = build(kb_dir, MatchSettings(), earlier=saved, today=date.fromordinal(review_by.toordinal() + 1))
    assert later is not saved
    assert "review-overdue" in [warning.code for warning in later.kb.warnings]
    assert "review-overdue" not in [warning.code for warning in saved.kb.warnings]
    # A later day on which no review date passed changes nothing.
    assert build(kb_dir, MatchSettings(), earlier=saved, today=date(2026, 11, 27)) is saved


def test_a_snapshot_of_other_code_or_a_torn_one_is_not_used(
    kb_dir: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    snapshots = Snapshots(tmp_path / "cache")
    snapshots.save(build(kb_dir, MatchSettings(), today=TODAY))
    [path] = (tmp_path / "cache").iterdir()
    whole = path.read_bytes()

    path.write_bytes(whole[: len(whole) // 2])
    with caplog.at_level(logging.WARNING):
        assert snapshots.read(kb_dir) is None
    assert "not used" in caplog.text

    other_engine = (
        pickle.dumps("another version of the engine") + whole[len(pickle.dumps(engine_fingerprint())) :]
    )
    path.write_bytes(other_engine)
    assert snapshots.read(kb_dir) is None
    assert Snapshots(tmp_path / "elsewhere").read(kb_dir) is None


def test_an_unwritable_cache_is_only_a_slower_start(
    kb_dir: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocked = tmp_path / "cache"
    blocked.write_text("a file where the folder should be", encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        Snapshots(blocked).save(build(kb_dir, MatchSettings(), today=TODAY))
    assert "not saved" in caplog.text
    assert blocked.read_text(encoding="utf-8") == "a file where the folder should be"


async def test_live_knowledge_starts_from_its_snapshot(
    kb_dir: Path, tmp_path: Path, parsed: list[str]
) -> None:
    snapshots = Snapshots(tmp_path / "cache")
    first = LiveKnowledge(kb_dir, MatchSettings(), snapshots=snapshots)
    await first.start()
    await first.stop()
    assert sorted(parsed) == ["english.yaml", "network.yaml", "office.yaml", "synonyms.yaml"]
    parsed.clear()

    second = LiveKnowledge(kb_dir, MatchSettings(), snapshots=snapshots)
    await second.start()
    try:
        assert parsed == []
        assert answers(second.matcher) == answers(first.matcher)
        # A reload after an edit still reads only the changed file.
        office = kb_dir / "office.yaml"
        office.write_text(office.read_text(encoding="utf-8") + "\n", encoding="utf-8")
        assert await second.reload()
        assert parsed == ["office.yaml"]
    finally:
        await second.stop()


def test_the_fingerprint_covers_the_engine_code(tmp_path: Path) -> None:
    # Any edit of knowledge/*.py changes it: a snapshot never outlives the code that wrote it.
    package = Path(shutil.copytree(Path(loader_module.__file__).parent, tmp_path / "knowledge"))
    assert code_fingerprint(package) == engine_fingerprint()
    with (package / "analyzer.py").open("a", encoding="utf-8") as source:
        source.write("# edited\n")
    assert code_fingerprint(package) != engine_fingerprint()


def test_the_fingerprint_covers_the_messages(tmp_path: Path) -> None:
    # Problems are kept in a snapshot as text: an edited message must not be served from an old one.
    package = Path(shutil.copytree(Path(loader_module.__file__).parent, tmp_path / "knowledge"))
    with (package / "texts" / "problems.yaml").open("a", encoding="utf-8") as texts:
        texts.write("# edited\n")
    assert code_fingerprint(package) != engine_fingerprint()


def test_the_collector_is_paused_only_while_building() -> None:
    import gc

    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():  # nested, as reading a snapshot inside a build would be
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(ValueError, match="a broken build"), collector_paused():
        raise ValueError("a broken build")
    assert gc.isenabled()


def test_what_changes_the_folder_rebuilds(kb_dir: Path) -> None:
    first = build(kb_dir, MatchSettings(), today=TODAY)
    (kb_dir / "notes.yml").write_text("entries: []\n", encoding="utf-8")
    with_yml = build(kb_dir, MatchSettings(), earlier=first, today=TODAY)
    assert with_yml is not first
    assert "ignored-file" in [warning.code for warning in with_yml.kb.warnings]
    (kb_dir / "notes.yml").unlink()
    (kb_dir / "english.yaml").unlink()
    fewer = build(kb_dir, MatchSettings(), earlier=with_yml, today=TODAY)
    assert fewer.kb == load(kb_dir, today=TODAY)
    assert not any(entry.lang == "en" for entry in fewer.kb.entries)
    # An edited synonyms file changes the glossary: the same as building from scratch.
    synonyms = kb_dir / "synonyms.yaml"
    synonyms.write_text(synonyms.read_text(encoding="utf-8") + "- [結合, くっつける]\n", encoding="utf-8")
    rebuilt = build(kb_dir, MatchSettings(), earlier=fewer, today=TODAY)
    assert rebuilt.kb.synonyms[-1] == ("結合", "くっつける")
    assert answers(rebuilt) == answers(Matcher(load(kb_dir, today=TODAY)))
    assert rebuilt.ask("PDF くっつける") == Matcher(load(kb_dir, today=TODAY)).ask("PDF くっつける")


def test_readings_of_another_folder_are_not_reused(tmp_path: Path) -> None:
    parent = tmp_path / "parent"
    child = Path(shutil.copytree(FIXTURE_KB, parent / "kb"))
    from_child = load(child, today=TODAY)
    # Below `parent`, kb/synonyms.yaml is not the synonyms file but a file of entries (a list of
    # lists is not one): the same path, read from another folder, means something else.
    with pytest.raises(KnowledgeError):
        load(parent, today=TODAY, earlier=from_child)
    assert not loader_module.is_unchanged(from_child, parent, TODAY)
    assert not loader_module.is_unchanged(dataclasses.replace(from_child, files={}), child, TODAY)
    assert loader_module.is_unchanged(from_child, child, TODAY)


def test_a_snapshot_others_could_have_written_is_not_read(
    kb_dir: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder = tmp_path / "cache"
    snapshots = Snapshots(folder)
    snapshots.save(build(kb_dir, MatchSettings(), today=TODAY))
    [path] = folder.iterdir()
    assert path.stat().st_mode & 0o077 == 0
    folder.chmod(0o777)
    with caplog.at_level(logging.WARNING):
        assert snapshots.read(kb_dir) is None
    assert "others may write it" in caplog.text
    folder.chmod(0o700)
    assert snapshots.read(kb_dir) is not None
    # A link in place of the file is not followed.
    moved = path.rename(tmp_path / "elsewhere.snapshot")
    path.symlink_to(moved)
    assert snapshots.read(kb_dir) is None


def test_any_failure_to_save_is_only_logged(
    kb_dir: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "cache"

    def unpicklable(*_: object, **__: object) -> None:
        raise pickle.PicklingError("cannot pickle this")

    monkeypatch.setattr("knowledge.snapshot.pickle.dump", unpicklable)
    with caplog.at_level(logging.WARNING):
        Snapshots(folder).save(build(kb_dir, MatchSettings(), today=TODAY))
    assert "not saved" in caplog.text
    assert list(folder.iterdir()) == []  # no partial file left behind
