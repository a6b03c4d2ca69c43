"""The audit trail: every change of a ticket writes one event in the change's own transaction."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot.tickets.actors import Actor
from bot.tickets.models import Ticket, TicketEvent

__all__ = ["record_events"]


async def record_events(
    session: AsyncSession,
    tickets: Iterable[Ticket],
    *,
    action: str,
    from_state: str | None,
    actor: Actor,
    at: datetime,
    note: str | None = None,
) -> None:
    """One event per ticket, each recording the ticket's state and version after the change."""
    rows = [
        {
            "ticket_id": ticket.id,
            "action": action,
            "from_state": from_state,
            "to_state": ticket.state,
            "version": ticket.version,
            "actor_id": actor.aad_object_id,
            "actor_name": actor.name,
            "note": note,
            "at": at,
        }
        for ticket in tickets
    ]
    if rows:
        await session.execute(insert(TicketEvent), rows)
