"""The retention purge: after N days, what people wrote is removed; the audit keeps ids, times, states."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.desk.models import FaqDraft
from bot.tickets.models import OutboxMessage, OutboxState, Ticket, TicketEvent, TicketState

__all__ = ["PurgeReport", "purge"]


@dataclass(frozen=True, slots=True)
class PurgeReport:
    tickets: int
    events: int
    outbox_rows: int
    drafts: int


async def purge(session: AsyncSession, *, older_than: timedelta, now: datetime) -> PurgeReport:
    """Purge closed tickets (resolved or withdrawn) last changed before `now - older_than`.

    Ticket texts, names, attachments' links and the asker's conversation reference are cleared; audit
    notes (answers, relayed follow-ups, resolution notes) and actor names go; outbox rows that were
    sent or failed (their payloads carry relayed text) and FAQ drafts are deleted.
    """
    cutoff = now - older_than
    tickets = await session.execute(
        update(Ticket)
        .where(
            Ticket.state.in_([TicketState.RESOLVED.value, TicketState.WITHDRAWN.value]),
            Ticket.updated_at <= cutoff,
            Ticket.purged_at.is_(None),
        )
        .values(
            question=None,
            details=None,
            answer=None,
            resolution_note=None,
            attachments=[],
            candidates=[],
            asker_name=None,
            claimer_name=None,
            asker_reference={},
            purged_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    purged_tickets = select(Ticket.id).where(Ticket.purged_at.is_not(None)).scalar_subquery()
    events = await session.execute(
        update(TicketEvent)
        .where(
            TicketEvent.ticket_id.in_(purged_tickets),
            or_(TicketEvent.note.is_not(None), TicketEvent.actor_name.is_not(None)),
        )
        .values(note=None, actor_name=None)
        .execution_options(synchronize_session=False)
    )
    outbox = await session.execute(
        delete(OutboxMessage)
        .where(
            OutboxMessage.state.in_([OutboxState.SENT.value, OutboxState.FAILED.value]),
            func.coalesce(OutboxMessage.sent_at, OutboxMessage.created_at) <= cutoff,
        )
        .execution_options(synchronize_session=False)
    )
    drafts = await session.execute(
        delete(FaqDraft).where(FaqDraft.created_at <= cutoff).execution_options(synchronize_session=False)
    )
    return PurgeReport(tickets.rowcount, events.rowcount, outbox.rowcount, drafts.rowcount)
