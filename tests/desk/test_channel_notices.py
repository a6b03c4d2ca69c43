"""Notices about the bot itself, queued for the ICT channels."""

from __future__ import annotations

from sqlalchemy import select

from bot.desk.channel_notices import queue_knowledge_broken
from bot.tickets.models import OutboxMessage
from knowledge import Problem
from tests.desk.conftest import Database
from tests.desk.factories import ICT_CHANNEL, T0

# The name of a file that is not UTF-8 (byte 0xff) as Python reads it from the folder.
ODD_FILE = "/srv/faq/\udcff.yaml"


async def test_a_broken_knowledge_base_is_announced_once_per_day_even_with_an_odd_file_name(
    db: Database,
) -> None:
    problem = Problem(
        ODD_FILE, 2, 5, "error", "missing-field", "必須の項目がありません。", "a field is missing."
    )
    for _restart in range(2):
        async with db.sessions.begin() as session:
            await queue_knowledge_broken(
                session, [ICT_CHANNEL], directory="/srv/faq", problems=[problem], now=T0
            )
    async with db.sessions() as session:
        [row] = (await session.scalars(select(OutboxMessage))).all()
    assert (row.kind, row.target_conversation_id, row.ticket_id) == ("channel_notice", ICT_CHANNEL, None)
    assert row.payload["problems"]["en"] == ["/srv/faq/\\udcff.yaml:2:5: error: a field is missing."]
    assert row.payload["count"] == 1
