"""Everything the desk holds about one person, as JSON, for a disclosure request."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.tickets.models import Ticket, TicketEvent

__all__ = ["export_person"]

# The asker's conversation reference is routing data for the bot, not something they wrote or were told.
_LEFT_OUT = frozenset({"asker_reference"})


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def _columns(row: Any) -> dict[str, Any]:
    return {
        column.key: _plain(getattr(row, column.key))
        for column in type(row).__table__.columns
        if column.key not in _LEFT_OUT
    }


async def export_person(session: AsyncSession, aad_object_id: str) -> dict[str, Any]:
    """The tickets the person asked (with their audit trails) and the actions they took on others'."""
    asked = (
        await session.scalars(
            select(Ticket).where(Ticket.asker_aad_object_id == aad_object_id).order_by(Ticket.id)
        )
    ).all()
    events = (
        await session.scalars(
            select(TicketEvent)
            .where(TicketEvent.ticket_id.in_([ticket.id for ticket in asked]))
            .order_by(TicketEvent.id)
        )
    ).all()
    acted = (
        await session.scalars(
            select(TicketEvent).where(TicketEvent.actor_id == aad_object_id).order_by(TicketEvent.id)
        )
    ).all()
    trails: dict[int, list[dict[str, Any]]] = {}
    for event in events:
        trails.setdefault(event.ticket_id, []).append(_columns(event))
    return {
        "aad_object_id": aad_object_id,
        "tickets_asked": [{**_columns(ticket), "events": trails.get(ticket.id, [])} for ticket in asked],
        "actions_taken": [_columns(event) for event in acted],
    }
