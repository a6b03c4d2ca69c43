"""Whether an asker has an ICT answer waiting for their "did this solve it?".

Asked for every 1:1 message, so "nothing waits" is remembered for a few seconds per asker: on
SQLite every read takes the write lock, and a read per message was the bot's p99 under load. A
waiting ticket is always read fresh (few askers have one), so a stale "yes" never shows. The time
is jittered so that askers who started together do not all read again at the same moment.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.asker.tickets import AskerTickets
from bot.cards.ticket import TicketView
from bot.tickets.views import ticket_view

__all__ = ["AwaitingAnswers"]

_NOTHING_WAITS_FOR = 15.0
# After "no, it's a new question", the asker is not asked again for a while.
_DISMISSED_FOR = 600.0
_MAX_REMEMBERED = 50_000


class AwaitingAnswers:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        tickets: AskerTickets,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._sessions = sessions
        self._tickets = tickets
        self._clock = clock
        self._quiet_until: dict[str, float] = {}

    async def ticket_for(self, aad_object_id: str) -> TicketView | None:
        if self._quiet_until.get(aad_object_id, 0.0) > self._clock():
            return None
        async with self._sessions() as session:
            ticket = await self._tickets.awaiting_reply(session, aad_object_id)
        if ticket is None:
            self._quiet(aad_object_id, _NOTHING_WAITS_FOR * random.uniform(0.5, 1.0))
            return None
        return ticket_view(ticket)

    def dismiss(self, aad_object_id: str) -> None:
        """The asker said their message is a new question: do not ask about the ticket for a while."""
        self._quiet(aad_object_id, _DISMISSED_FOR)

    def _quiet(self, aad_object_id: str, seconds: float) -> None:
        if len(self._quiet_until) >= _MAX_REMEMBERED:
            self._quiet_until.clear()
        self._quiet_until[aad_object_id] = self._clock() + seconds
