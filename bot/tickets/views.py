"""A stored ticket as the cards show it: the one place a `Ticket` row becomes a card's plain data."""

from __future__ import annotations

from bot.cards.ticket import TicketView
from bot.tickets.models import Ticket

__all__ = ["ticket_view"]


def ticket_view(ticket: Ticket) -> TicketView:
    return TicketView(
        id=ticket.id,
        number=ticket.number,
        version=ticket.version,
        state=ticket.state,
        asker_id=ticket.asker_id,
        created_at=ticket.created_at,
        asker_name=ticket.asker_name,
        question=ticket.question,
        details=ticket.details,
        attachments=tuple(ticket.attachments or ()),
        candidates=tuple(ticket.candidates or ()),
        claimer_id=ticket.claimer_id,
        claimer_name=ticket.claimer_name,
        claimed_at=ticket.claimed_at,
        answer=ticket.answer,
        resolution_note=ticket.resolution_note,
        duplicate_of=ticket.duplicate_of,
        kind=ticket.kind,
    )
