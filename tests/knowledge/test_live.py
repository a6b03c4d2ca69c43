from __future__ import annotations

import asyncio
import logging
import os
import threading
import time
from datetime import datetime
from pathlib import Path

import pytest

from knowledge import KnowledgeError, LiveKnowledge, MatchSettings

from .conftest import WriteKb

ENTRY = "entries:\n  - id: {id}\n    question: {question}\n    answer: {answer}\n"


async def wait_for(condition) -> None:
    # Polls status() from outside, as /readyz would; LiveKnowledge offers no event to wait on.
    async with asyncio.timeout(10):
        while not condition():  # noqa: ASYNC110
            await asyncio.sleep(0.05)


def write(root: Path, name: str, text: str) -> None:
    # Write then rename, as editors do, so the watcher never reads half a file.
    temporary = root / f".{name}.tmp"
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(root / name)


def move(source: Path, target: Path) -> None:
    source.rename(target)


@pytest.fixture
def kb_folder(write_kb: WriteKb) -> Path:
    return write_kb(
        {"net.yaml": ENTRY.format(id="wifi", question="Wi-Fiにつながらない", answer="再起動してください。")}
    )


# With file events the periodic check is set far beyond the test's patience: only events can act.
@pytest.mark.parametrize(
    ("force_polling", "poll_interval"), [(False, 60.0), (True, 0.1)], ids=["file-events", "polling"]
)
async def test_reloads_on_change_and_keeps_last_good_on_a_broken_edit(
    kb_folder: Path, force_polling: bool, poll_interval: float
) -> None:
    live = LiveKnowledge(kb_folder, MatchSettings(), poll_interval=poll_interval, force_polling=force_polling)
    await live.start()
    await asyncio.sleep(0.3)  # let the watcher start, as a service would long before an edit
    try:
        status = live.status()
        assert status["version"] == 1
        assert status["entries"] == 1
        assert status["last_error"] is None
        assert status["path"] == str(kb_folder)
        datetime.fromisoformat(status["loaded_at"])
        first = live.matcher

        write(
            kb_folder,
            "pdf.yaml",
            ENTRY.format(id="pdf", question="PDFを結合したい", answer="結合ツールを使います。"),
        )
        await wait_for(lambda: live.status()["version"] == 2)
        assert live.matcher is not first
        assert live.matcher.ask("PDFくっつけたい").best.entry.id == "pdf"

        write(kb_folder, "pdf.yaml", "entries:\n  - id: pdf\n    question: PDFを結合したい\n")
        await wait_for(lambda: live.status()["last_error"] is not None)
        error = live.status()["last_error"]
        assert error["problems"] == [
            f"{kb_folder / 'pdf.yaml'}:2:5: error: required field 'answer' is missing."
        ]
        datetime.fromisoformat(error["at"])
        assert live.status()["version"] == 2  # the last good knowledge base keeps serving
        assert live.matcher.ask("PDFくっつけたい").best.entry.id == "pdf"

        write(
            kb_folder,
            "pdf.yaml",
            ENTRY.format(id="pdf", question="PDFを分割したい", answer="分割ツールを使います。"),
        )
        await wait_for(lambda: live.status()["version"] == 3)
        assert live.status()["last_error"] is None
        assert live.matcher.kb.get("pdf").question == "PDFを分割したい"
    finally:
        await live.stop()


async def test_start_refuses_an_invalid_kb(write_kb: WriteKb) -> None:
    live = LiveKnowledge(write_kb({"a.yaml": "entries: {}\n"}), MatchSettings())
    with pytest.raises(KnowledgeError):
        await live.start()
    with pytest.raises(RuntimeError, match="start"):
        _ = live.matcher


async def test_the_index_is_built_off_the_event_loop(kb_folder: Path) -> None:
    live = LiveKnowledge(kb_folder, MatchSettings())
    built_on: list[threading.Thread] = []
    original = live._build

    def recording_build():
        built_on.append(threading.current_thread())
        return original()

    live._build = recording_build  # type: ignore[method-assign]
    await live.start()
    try:
        assert await live.reload() is True
        assert built_on
        assert threading.main_thread() not in built_on
    finally:
        await live.stop()


async def test_a_change_missed_by_the_watcher_is_found_by_the_periodic_check(
    kb_folder: Path,
) -> None:
    live = LiveKnowledge(kb_folder, MatchSettings(), poll_interval=0.2)
    await live.start()
    try:
        # Written before the watcher has started: no event will ever report it.
        write(
            kb_folder,
            "pdf.yaml",
            ENTRY.format(id="pdf", question="PDFを結合したい", answer="結合ツールを使います。"),
        )
        await wait_for(lambda: live.status()["version"] == 2)
    finally:
        await live.stop()


async def test_stop_ends_the_watcher_promptly(kb_folder: Path) -> None:
    live = LiveKnowledge(kb_folder, MatchSettings(), poll_interval=60.0)
    await live.start()
    await asyncio.sleep(0.2)
    await asyncio.wait_for(live.stop(), timeout=5)


async def test_a_folder_that_disappears_and_returns(kb_folder: Path) -> None:
    live = LiveKnowledge(kb_folder, MatchSettings(), poll_interval=0.1)
    await live.start()
    try:
        hidden = kb_folder.with_name("moved-away")
        move(kb_folder, hidden)
        await wait_for(lambda: live.status()["last_error"] is not None)
        assert live.matcher.kb.get("wifi") is not None  # still serving
        move(hidden, kb_folder)
        write(
            kb_folder,
            "pdf.yaml",
            ENTRY.format(id="pdf", question="PDFを結合したい", answer="結合ツールを使います。"),
        )
        await wait_for(lambda: live.status()["last_error"] is None and live.status()["entries"] == 2)
    finally:
        await live.stop()


async def test_an_undecodable_file_name_falls_back_to_polling(
    kb_folder: Path, caplog: pytest.LogCaptureFixture
) -> None:
    live = LiveKnowledge(kb_folder, MatchSettings(), poll_interval=0.1)
    with caplog.at_level(logging.WARNING, logger="knowledge.live"):
        await live.start()
        try:
            await asyncio.sleep(0.3)  # the watcher is waiting for events
            # watchfiles cannot name this file (WatchfilesRustInternalError): its events break.
            os.close(
                os.open(os.path.join(os.fsencode(kb_folder), b"notes-\xff.txt"), os.O_CREAT | os.O_WRONLY)
            )
            await wait_for(lambda: live.status()["reloading"] == "polling")
            assert "WatchfilesRustInternalError" in live.status()["reloading_problem"]
            write(
                kb_folder,
                "pdf.yaml",
                ENTRY.format(id="pdf", question="PDFを結合したい", answer="結合ツールを使います。"),
            )
            await wait_for(lambda: live.status()["version"] == 2)
            assert live.status()["alerts"] == []
        finally:
            await live.stop()
    assert sum("for file events" in record.getMessage() for record in caplog.records) == 1


async def test_status_says_when_reloading_has_stopped(kb_folder: Path) -> None:
    live = LiveKnowledge(kb_folder, MatchSettings(), poll_interval=0.1)
    await live.start()
    try:
        assert live.status()["reloading"] == "events"
        live._watcher.cancel()  # whatever ends the watcher, short of stop()
        await wait_for(lambda: live.status()["reloading"] == "stopped")
        assert live.status()["alerts"] == ["reloading stopped"]
    finally:
        await live.stop()


async def test_a_file_rewritten_in_place_is_never_served_half_written(write_kb: WriteKb) -> None:
    entries = 300
    lines = [
        f"  - id: e{n}\n    question: 質問その{n}について\n    answer: 回答{n}です。\n"
        for n in range(entries)
    ]
    # Ten pieces that end between entries: read in between, the file is valid with fewer entries.
    pieces = ["entries:\n", *("".join(lines[start : start + 30]) for start in range(0, entries, 30))]
    folder = write_kb({"many.yaml": "".join(pieces)})
    live = LiveKnowledge(folder, MatchSettings(), poll_interval=0.05, force_polling=True, settle=0.05)
    await live.start()
    served: list[int] = []
    stop = threading.Event()

    def rewrite_without_rename() -> None:
        # As a careless editor or a copy over a share does: truncate, then write in pieces.
        while not stop.is_set():
            with (folder / "many.yaml").open("w", encoding="utf-8") as file:
                for piece in pieces:
                    file.write(piece)
                    file.flush()
                    time.sleep(0.003)
            time.sleep(0.15)  # then a pause, in which the folder is stable

    writer = threading.Thread(target=rewrite_without_rename)
    writer.start()
    try:
        async with asyncio.timeout(20):
            while live.status()["version"] < 8:  # several reloads happened under the writer
                served.append(len(live.matcher.kb))
                await asyncio.sleep(0.005)
    finally:
        stop.set()
        writer.join()
        await live.stop()
    assert min(served) == entries
