"""Reads of tickets for the desk's commands and cards (`tickets`, `ticket N`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.tickets.models import OutboxMessage, OutboxState, Ticket, TicketEvent, TicketState

__all__ = ["ActiveTicket", "active_tickets", "events_of", "ticket_by_number", "tickets_of_asker"]


@dataclass(frozen=True, slots=True)
class ActiveTicket:
    ticket: Ticket
    # A message about this ticket that Teams refused for good (e.g. 403/404: the bot was removed).
    delivery_failed: bool


async def active_tickets(
    session: AsyncSession, *, channel_id: str, limit: int = 50
) -> Sequence[ActiveTicket]:
    """Open and claimed tickets routed to the ICT channel `channel_id`, oldest first, flagged when a
    message about them could not be delivered."""
    failed = exists().where(
        OutboxMessage.ticket_id == Ticket.id, OutboxMessage.state == OutboxState.FAILED.value
    )
    rows = await session.execute(
        select(Ticket, failed.label("failed"))
        .where(
            Ticket.state.in_([TicketState.OPEN.value, TicketState.CLAIMED.value]),
            Ticket.channel_id == channel_id,
        )
        .order_by(Ticket.created_at, Ticket.id)
        .limit(limit)
    )
    return [ActiveTicket(ticket, bool(delivery_failed)) for ticket, delivery_failed in rows]


async def ticket_by_number(session: AsyncSession, number: int) -> Ticket | None:
    return await session.scalar(select(Ticket).where(Ticket.number == number))


async def events_of(session: AsyncSession, ticket_id: int) -> Sequence[TicketEvent]:
    """The audit trail of one ticket, in order."""
    result = await session.scalars(
        select(TicketEvent).where(TicketEvent.ticket_id == ticket_id).order_by(TicketEvent.id)
    )
    return result.all()


async def tickets_of_asker(
    session: AsyncSession,
    aad_object_id: str,
    *,
    states: Sequence[TicketState] = tuple(TicketState),
    limit: int = 20,
) -> Sequence[Ticket]:
    """One person's tickets in `states`, newest first (`my questions`, "is this about ticket #N?")."""
    result = await session.scalars(
        select(Ticket)
        .where(
            Ticket.asker_aad_object_id == aad_object_id, Ticket.state.in_([state.value for state in states])
        )
        .order_by(Ticket.created_at.desc(), Ticket.id.desc())
        .limit(limit)
    )
    return result.all()
