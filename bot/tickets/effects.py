"""What a ticket change tells whom: the outbox rows written in the change's transaction.

Rows are deduplicated by key, so replaying a change (or a second replica deciding the same thing)
never queues a second message. Card updates re-render the ticket as it is when they are delivered.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.dialect import upsert_insert
from bot.tickets.models import OutboxKind, OutboxMessage, OutboxState, Ticket

__all__ = ["Audience", "Notice", "enqueue", "notify"]


class Audience(StrEnum):
    CARD = "card"  # the ticket card in the ICT thread, updated in place
    THREAD = "thread"  # a reply in the ticket's ICT thread
    ASKER = "asker"  # the conversation where the ticket was asked


@dataclass(frozen=True, slots=True)
class Notice:
    """One message about a change: to whom, which event, and how often."""

    audience: Audience
    event: str
    # True: at most one such message per ticket, ever (e.g. "X is on it" on the first claim only).
    once: bool = False


async def enqueue(
    session: AsyncSession,
    *,
    kind: OutboxKind,
    dedupe_key: str,
    payload: dict[str, Any],
    now: datetime,
    ticket_id: int | None = None,
    target_conversation_id: str | None = None,
) -> None:
    """Queue one message; a row with the same `dedupe_key` already queued makes this a no-op."""
    statement = (
        upsert_insert(session, OutboxMessage)
        .on_conflict_do_nothing(index_elements=[OutboxMessage.dedupe_key])
        .values(
            kind=kind.value,
            ticket_id=ticket_id,
            target_conversation_id=target_conversation_id,
            payload=payload,
            dedupe_key=dedupe_key,
            state=OutboxState.PENDING.value,
            attempts=0,
            next_attempt_at=now,
            created_at=now,
        )
    )
    await session.execute(statement)


_KIND = {
    Audience.CARD: OutboxKind.UPDATE_CARD,
    Audience.THREAD: OutboxKind.THREAD_REPLY,
    Audience.ASKER: OutboxKind.NOTIFY_ASKER,
}


async def notify(
    session: AsyncSession,
    tickets: Iterable[Ticket],
    notices: Iterable[Notice],
    *,
    now: datetime,
    text: str | None = None,
) -> None:
    """Queue `notices` for each of `tickets` (as they are after the change); `text` travels along."""
    notices = tuple(notices)
    for ticket in tickets:
        for notice in notices:
            scope = "once" if notice.once else f"v{ticket.version}"
            payload: dict[str, Any] = {"event": notice.event}
            if text is not None and notice.audience is not Audience.CARD:
                payload["text"] = text
            target = ticket.asker_conversation_id if notice.audience is Audience.ASKER else ticket.channel_id
            await enqueue(
                session,
                kind=_KIND[notice.audience],
                dedupe_key=f"ticket:{ticket.id}:{scope}:{notice.audience}:{notice.event}",
                payload=payload,
                now=now,
                ticket_id=ticket.id,
                target_conversation_id=target,
            )
