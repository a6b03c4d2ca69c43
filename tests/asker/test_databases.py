"""The asker's writes on SQLite and PostgreSQL: concurrent Sends make one ticket, votes stay one per user."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import select

from bot.asker.models import FeedbackVote
from bot.tickets.models import Ticket
from devtools.activities import Person, Place, TeamsActivities
from devtools.emulator import ConnectorEmulator
from tests.asker.conversation import Chat, action
from tests.conftest import SettingsFactory
from tests.harness import BotUnderTest


async def test_simultaneous_sends_and_votes(
    make_settings: SettingsFactory,
    database_url: str,
    teams: TeamsActivities,
    emulator: ConnectorEmulator,
    alice: Person,
    schemas_dir: Path,
):
    bot = await BotUnderTest.start(make_settings(database_url=database_url))
    try:
        chat = Chat(bot, teams, emulator, alice, Place.personal(alice), schemas_dir)
        escalation = await chat.card("犬の散歩")
        other = await chat.card("株価")
        sends = [chat.click(action(escalation, "escalate")) for _ in range(8)]
        sends += [chat.click(action(other, "escalate")) for _ in range(8)]
        replies = await asyncio.gather(*sends)
        titles = {reply.body["value"]["body"][0]["text"] for reply in replies}
        assert titles == {"ICT担当に送りました(受付番号 #1)", "ICT担当に送りました(受付番号 #2)"}
        answer = await chat.card("wifiつながんない")
        votes = [chat.click(action(answer, verb)) for verb in ("helpful", "not_helpful") * 4]
        await asyncio.gather(*votes)
        async with bot.runtime.services.sessions() as session:
            tickets = (await session.scalars(select(Ticket).order_by(Ticket.number))).all()
            # Which Send wins the first number is a race; that each question has exactly one is not.
            assert sorted(ticket.question for ticket in tickets) == sorted(["犬の散歩", "株価"])
            assert len((await session.scalars(select(FeedbackVote))).all()) == 1
    finally:
        await bot.close()
