"""The question log over real HTTP: each question's decision and what followed, masked text, purge, export."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import select, text

from bot.asker.disclosure import export_asker_records
from bot.asker.models import LoggedQuestion
from bot.asker.retention import purge_asker_texts
from bot.storage.models import utcnow
from bot.tickets.models import Ticket
from devtools.activities import Person, Place, TeamsActivities
from devtools.emulator import ConnectorEmulator
from tests.asker.conversation import Chat, action
from tests.conftest import SettingsFactory
from tests.harness import BotUnderTest


async def _log(chat: Chat) -> list[LoggedQuestion]:
    """The rows, once the writer has written what the turns queued."""
    assert await chat.bot.runtime.question_log.flush()
    async with chat.bot.runtime.services.sessions() as session:
        return list((await session.scalars(select(LoggedQuestion).order_by(LoggedQuestion.asked_at))).all())


async def test_each_kind_of_question_is_logged_with_what_followed(chat: Chat):
    answered = await chat.card("wifiつながんない")
    await chat.click(action(answered, "helpful"))
    clarified = await chat.card("PDF")
    picked = action(clarified, "choose")
    await chat.click(picked)
    disliked = await chat.card("wifiつながんない")
    alternatives = (await chat.click(action(disliked, "not_helpful"))).body["value"]
    alternative = action(alternatives, "choose")
    await chat.click(alternative)
    escalated = await chat.card("犬の散歩")
    await chat.click(action(escalated, "escalate"), {"details": "3階です"})
    await chat.card("PDF")  # abandoned: nobody clicks
    none_of_these = await chat.card("PDF")
    escalation = (await chat.click(action(none_of_these, "ask_ict"))).body["value"]
    await chat.click(action(escalation, "escalate"))

    rows = await _log(chat)
    async with chat.bot.runtime.services.sessions() as session:
        tickets = {ticket.question: ticket.id for ticket in (await session.scalars(select(Ticket))).all()}
    summary = [
        (row.question, row.decision, row.outcome, row.vote, row.picked_entry, row.picked_after, row.ticket_id)
        for row in rows
    ]
    assert summary == [
        ("wifiつながんない", "answer", "helpful", "helpful", None, None, None),
        ("PDF", "clarify", "picked", None, picked["data"]["entry"], "clarify", None),
        (
            "wifiつながんない",
            "answer",
            "picked",
            "not_helpful",
            alternative["data"]["entry"],
            "alternative",
            None,
        ),
        ("犬の散歩", "escalate", "escalated", None, None, None, tickets["犬の散歩"]),
        ("PDF", "clarify", None, None, None, None, None),
        ("PDF", "clarify", "escalated", None, None, None, tickets["PDF"]),
    ]
    first = rows[0]
    assert first.top_entry == "wifi-cannot-connect" == first.offered[0]["entry"]
    assert 0 < first.offered[0]["score"] <= 1
    assert (first.lang, first.scope, first.voted_entry) == ("ja", "personal", "wifi-cannot-connect")
    assert first.kb_version >= 1
    assert first.kb_loaded_at
    assert len({row.asker_key for row in rows}) == 1
    assert chat.person.aad_object_id not in first.asker_key
    assert len(first.asker_key) == 64
    assert all(row.followed_at is not None for row in rows if row.outcome)


async def test_scope_and_a_forged_log_id_of_someone_else(chat: Chat, bob: Person):
    chat.place = Place.group_chat("office")
    card = await chat.card("wifiつながんない")
    vote = action(card, "not_helpful")
    # Bob's click on a card carrying Alice's row (Bob is the asker named in the data) changes nothing.
    await chat.click({**vote, "data": {**vote["data"], "asker": bob.aad_object_id}}, by=bob)
    (row,) = await _log(chat)
    assert (row.scope, row.outcome) == ("group", None)


async def test_personal_data_is_masked_before_it_is_written(
    make_settings: SettingsFactory,
    teams: TeamsActivities,
    emulator: ConnectorEmulator,
    alice: Person,
    schemas_dir: Path,
):
    bot = await BotUnderTest.start(make_settings(staff_number_pattern=r"S\d{6}"))
    try:
        chat = Chat(bot, teams, emulator, alice, Place.personal(alice), schemas_dir)
        card = await chat.card(
            "wifiつながんない 090-1234-5678 内線 4321 taro.yamada@city.example.lg.jp "
            "番号は1234 5678 9012、職員番号S123456"
        )
        # The pick and the vote on its answer keep the asker's words too (suggested_alternates, feedback_votes).
        answer = (await chat.click(action(card, "choose"))).body["value"]
        await chat.click(action(answer, "helpful"))
        (row,) = await _log(chat)
        masked = "wifiつながんない [phone] [phone] [email] 番号は[number]、職員番号[staff-no]"
        assert row.question == masked
        async with bot.runtime.services.sessions() as session:
            stored = [
                (await session.execute(text(f"SELECT {column} FROM {table}"))).scalar_one()
                for table, column in (
                    ("question_log", "question"),
                    ("feedback_votes", "query"),
                    ("suggested_alternates", "query"),
                )
            ]
        assert stored == [masked] * 3
    finally:
        await bot.close()


async def test_purge_removes_texts_and_keeps_counts(chat: Chat):
    answered = await chat.card("wifiつながんない")
    await chat.click(action(answered, "helpful"))
    await chat.card("犬の散歩")
    assert await chat.bot.runtime.question_log.flush()
    sessions = chat.bot.runtime.services.sessions
    async with sessions.begin() as session:
        kept = await purge_asker_texts(session, older_than=timedelta(days=30), now=utcnow())
        purged = await purge_asker_texts(
            session, older_than=timedelta(days=30), now=utcnow() + timedelta(days=31)
        )
    assert (kept.questions, purged.questions) == (0, 2)
    rows = await _log(chat)
    assert [(row.question, row.decision, row.outcome) for row in rows] == [
        (None, "answer", "helpful"),
        (None, "escalate", None),
    ]


async def test_a_persons_logged_questions_are_exported_by_their_key(chat: Chat, bob: Person):
    await chat.card("wifiつながんない")
    assert await chat.bot.runtime.question_log.flush()
    async with chat.bot.runtime.services.sessions() as session:
        mine = await export_asker_records(session, chat.person.aad_object_id)
        others = await export_asker_records(session, bob.aad_object_id)
    assert [row["question"] for row in mine["question_log"]] == ["wifiつながんない"]
    assert isinstance(mine["question_log"][0]["asked_at"], str)
    assert others["question_log"] == []
