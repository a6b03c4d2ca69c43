"""The question log is written off the reply path: replies never wait for it or fail with it, the rows
and what followed still land, a stop writes what is queued, and a full queue drops and counts."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select, text

from bot.asker.log_writer import FollowUpWrite, QuestionLogWriter, RowWrite
from bot.asker.masking import QuestionMasker
from bot.asker.models import LoggedQuestion
from bot.storage.engine import create_engine, create_session_factory
from devtools.activities import Person, Place, TeamsActivities
from devtools.emulator import ConnectorEmulator
from tests.asker.conversation import Chat, action
from tests.conftest import SettingsFactory
from tests.harness import BotUnderTest

# Long enough that nothing is written by the writer's own clock during a test.
_NEVER = 60.0


@pytest.fixture
async def slow_chat(
    make_settings: SettingsFactory,
    database_url: str,
    teams: TeamsActivities,
    emulator: ConnectorEmulator,
    alice: Person,
    schemas_dir: Path,
) -> AsyncIterator[Chat]:
    """A chat with a bot whose writer writes only when flushed or stopped, on SQLite and PostgreSQL."""
    bot = await BotUnderTest.start(
        make_settings(database_url=database_url, question_log_flush_seconds=_NEVER)
    )
    try:
        yield Chat(bot, teams, emulator, alice, Place.personal(alice), schemas_dir)
    finally:
        await bot.close()


async def _rows(database_url: str) -> list[tuple[str | None, str | None, str | None]]:
    """(question, decision, outcome) of every row, read through an engine of its own."""
    engine = create_engine(database_url)
    try:
        async with create_session_factory(engine)() as session:
            rows = await session.scalars(select(LoggedQuestion).order_by(LoggedQuestion.asked_at))
            return [(row.question, row.decision, row.outcome) for row in rows]
    finally:
        await engine.dispose()


async def test_replies_do_not_wait_for_the_log_and_a_stop_writes_it(slow_chat: Chat):
    answer = await slow_chat.card("wifiつながんない")
    await slow_chat.click(action(answer, "helpful"))  # the follow-up is queued behind its row
    url = slow_chat.bot.settings.database_url
    assert await _rows(url) == []  # answered and voted on, nothing written yet
    await slow_chat.bot.close()
    assert await _rows(url) == [("wifiつながんない", "answer", "helpful")]


async def test_a_failing_write_breaks_no_reply_and_the_rows_land_once_it_works(slow_chat: Chat):
    runtime = slow_chat.bot.runtime
    sessions = runtime.services.sessions
    async with sessions.begin() as session:
        await session.execute(text("ALTER TABLE question_log RENAME TO question_log_away"))
    answer = await slow_chat.card("wifiつながんない")
    alternatives = (await slow_chat.click(action(answer, "not_helpful"))).body["value"]
    await slow_chat.click(action(alternatives, "choose"))
    assert not await runtime.question_log.flush()  # refused, counted, logged, kept
    assert runtime.question_log.failed_writes == 1
    async with sessions.begin() as session:
        await session.execute(text("ALTER TABLE question_log_away RENAME TO question_log"))
    assert await runtime.question_log.flush()
    assert await _rows(slow_chat.bot.settings.database_url) == [("wifiつながんない", "answer", "picked")]
    assert (runtime.question_log.dropped, runtime.question_log.lost) == (0, 0)


async def test_a_follow_up_that_comes_before_its_row_waits_for_it(bot: BotUnderTest):
    """Two replicas: the click reaches one before the other has written the question's row."""
    sessions = bot.runtime.services.sessions
    asking, clicked = (QuestionLogWriter(sessions, QuestionMasker(), interval=_NEVER) for _ in range(2))
    row = {
        "id": "row-1",
        "asked_at": datetime(2026, 12, 3, 10, 0),
        "lang": "ja",
        "scope": "personal",
        "decision": "answer",
        "offered": [],
        "top_entry": None,
        "kb_version": 1,
        "kb_loaded_at": None,
    }
    clicked.put(FollowUpWrite("row-1", "alice", {"outcome": "helpful", "vote": "helpful"}))
    assert await clicked.flush()  # no row yet: the follow-up waits
    asking.put(RowWrite(row, "alice", "wifi"))
    assert await asking.flush()
    assert await clicked.flush()
    async with sessions() as session:
        stored = await session.get(LoggedQuestion, "row-1")
    assert stored is not None
    assert (stored.question, stored.outcome, stored.vote) == ("wifi", "helpful", "helpful")


async def test_a_full_queue_drops_and_counts(bot: BotUnderTest):
    writer = QuestionLogWriter(bot.runtime.services.sessions, QuestionMasker(), interval=_NEVER, capacity=2)
    for number in range(3):
        writer.put(FollowUpWrite(f"none-{number}", "alice", {"outcome": "helpful"}))
    assert writer.dropped == 1
