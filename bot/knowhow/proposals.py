"""Improvement ideas (`提案` / `idea`): a ticket of kind "proposal" in the ICT channel.

It goes through the desk's `open_ticket` like a question (same audit, outbox and idempotency), but
nothing asked the FAQ first, so the question log and the insights report never count it as an
unanswered question.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.tickets.models import TicketKind
from bot.tickets.opening import Asker, NewTicket, OpenedTicket, TicketRouting, open_ticket

__all__ = ["MAX_PROPOSAL_CHARS", "open_proposal"]

MAX_PROPOSAL_CHARS = 4000


async def open_proposal(
    session: AsyncSession, *, key: str, proposer: Asker, idea: str, language: str, routing: TicketRouting
) -> OpenedTicket:
    """Open the proposal's ticket; `key` (the message's id) makes a Teams retry find the same one."""
    request = NewTicket(
        idempotency_key=key,
        asker=proposer,
        question=idea[:MAX_PROPOSAL_CHARS],
        language=language,
        kind=TicketKind.PROPOSAL,
    )
    return await open_ticket(session, request, routing=routing)
