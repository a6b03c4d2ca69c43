"""`open_ticket`: the one way a question becomes a ticket (shared by the asker's flow and the desk).

The ticket, its first audit event and the outbox row that will post it to the ICT channel are
written in the caller's transaction, before anything is sent to Teams. A repeated Send (double
click, Teams retry) carries the same idempotency key and gets the same ticket back.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.i18n import LANGUAGES
from bot.storage.dialect import upsert_insert
from bot.storage.models import utcnow
from bot.tickets.actors import Actor
from bot.tickets.audit import record_events
from bot.tickets.effects import enqueue
from bot.tickets.models import OutboxKind, Ticket, TicketCounter, TicketKind, TicketState

__all__ = [
    "Asker",
    "Candidate",
    "IdempotencyKeyReusedError",
    "NewTicket",
    "OpenedTicket",
    "TicketRouting",
    "open_ticket",
]

_COUNTER = "tickets"
_MAX_KEY = 128


class IdempotencyKeyReusedError(ValueError):
    """The key already names another person's ticket: keys must be unique per escalation card."""


@dataclass(frozen=True, slots=True)
class Asker:
    """Who asked, and where: `reference` is `ConversationReference.serialize()` of the asking turn."""

    id: str
    aad_object_id: str
    name: str | None
    tenant_id: str | None
    conversation_id: str
    conversation_type: str  # "personal", "groupChat" or "channel"
    reference: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Candidate:
    """A FAQ entry the bot considered, with its score."""

    faq_id: str
    score: float


@dataclass(frozen=True, slots=True)
class NewTicket:
    idempotency_key: str
    asker: Asker
    question: str
    language: str  # "ja" or "en": the language notifications to the asker use
    details: str | None = None
    # Links to what the asker attached: {"name", "url", "content_type"}.
    attachments: Sequence[Mapping[str, str]] = ()
    candidates: Sequence[Candidate] = ()
    category: str | None = None  # the best candidate's FAQ category, for routing
    kind: TicketKind = TicketKind.QUESTION

    def __post_init__(self) -> None:
        if not self.idempotency_key or len(self.idempotency_key) > _MAX_KEY:
            raise ValueError(f"idempotency_key must be 1 to {_MAX_KEY} characters")
        if not self.question.strip():
            raise ValueError("question must not be empty")
        if self.language not in LANGUAGES:
            raise ValueError(f"language {self.language!r} is not one of {sorted(LANGUAGES)}")


@dataclass(frozen=True, slots=True)
class OpenedTicket:
    id: int
    number: int
    created: bool  # False: the key named an existing ticket (a repeated Send)


@dataclass(frozen=True, slots=True)
class TicketRouting:
    """Which ICT channel a ticket goes to: by its category, else the default channel."""

    default_channel_id: str | None
    routes: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_settings(cls, settings: Settings) -> TicketRouting:
        return cls(settings.ict_channel_id, dict(settings.desk_routes))

    def channel_for(self, category: str | None) -> str | None:
        return self.routes.get(category, self.default_channel_id) if category else self.default_channel_id


async def open_ticket(
    session: AsyncSession,
    request: NewTicket,
    *,
    routing: TicketRouting,
    now: datetime | None = None,
) -> OpenedTicket:
    """Write the ticket, its `open` audit event and its `new_thread` outbox row; never commits.

    Call it inside the turn's unit of work (`async with sessions.begin() as session:`). The number
    comes from a counter row whose increment is serialised by the database, so concurrent openings
    get distinct numbers; the insert skips a duplicate idempotency key instead of failing, and the
    savepoint around both gives the number back when the key was already used.
    """
    now = now or utcnow()
    asker = request.asker
    savepoint = await session.begin_nested()
    number = await session.scalar(
        update(TicketCounter)
        .where(TicketCounter.name == _COUNTER)
        .values(value=TicketCounter.value + 1)
        .returning(TicketCounter.value)
    )
    if number is None:
        raise RuntimeError("the ticket counter row is missing: run `python -m bot migrate`")
    channel_id = routing.channel_for(request.category)
    ticket_id = await session.scalar(
        upsert_insert(session, Ticket)
        .on_conflict_do_nothing(index_elements=[Ticket.idempotency_key])
        .values(
            number=number,
            idempotency_key=request.idempotency_key,
            state=TicketState.OPEN.value,
            kind=request.kind.value,
            version=1,
            tenant_id=asker.tenant_id,
            asker_id=asker.id,
            asker_aad_object_id=asker.aad_object_id,
            asker_name=asker.name,
            asker_conversation_id=asker.conversation_id,
            asker_conversation_type=asker.conversation_type,
            asker_reference=dict(asker.reference),
            language=request.language,
            question=request.question,
            details=request.details,
            attachments=[dict(attachment) for attachment in request.attachments],
            candidates=[{"id": c.faq_id, "score": c.score} for c in request.candidates],
            category=request.category,
            channel_id=channel_id,
            reminder_count=0,
            created_at=now,
            updated_at=now,
        )
        .returning(Ticket.id)
    )
    if ticket_id is None:
        await savepoint.rollback()
        return await _existing(session, request)
    await savepoint.commit()
    ticket = await session.get_one(Ticket, ticket_id)
    opener = Actor(id=asker.id, aad_object_id=asker.aad_object_id, name=asker.name)
    await record_events(session, [ticket], action="open", from_state=None, actor=opener, at=now)
    await enqueue(
        session,
        kind=OutboxKind.NEW_THREAD,
        dedupe_key=f"ticket:{ticket_id}:new_thread",
        payload={"event": "opened"},
        now=now,
        ticket_id=ticket_id,
        target_conversation_id=channel_id,
    )
    return OpenedTicket(id=ticket_id, number=number, created=True)


async def _existing(session: AsyncSession, request: NewTicket) -> OpenedTicket:
    row = (
        await session.execute(
            select(Ticket.id, Ticket.number, Ticket.asker_aad_object_id).where(
                Ticket.idempotency_key == request.idempotency_key
            )
        )
    ).one()
    if row.asker_aad_object_id != request.asker.aad_object_id:
        raise IdempotencyKeyReusedError(
            f"idempotency key {request.idempotency_key!r} belongs to another asker's ticket #{row.number}"
        )
    return OpenedTicket(id=row.id, number=row.number, created=False)
