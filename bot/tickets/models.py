"""The tickets' tables: tickets, their numbers, their audit trail and the outbox their changes write.

Statements that change a ticket go through the Core table (`Ticket.__table__`) in `transitions.py`,
so every change is one conditional `UPDATE … RETURNING` and never an ORM read-modify-write.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from bot.storage.models import Base, utcnow

__all__ = [
    "OutboxKind",
    "OutboxMessage",
    "OutboxState",
    "Ticket",
    "TicketCounter",
    "TicketEvent",
    "TicketKind",
    "TicketState",
    "Timestamp",
]


class TicketKind(StrEnum):
    QUESTION = "question"  # an escalated question
    PROPOSAL = "proposal"  # an improvement idea (`提案` / `idea`): not an unanswered question


class TicketState(StrEnum):
    OPEN = "open"
    CLAIMED = "claimed"
    ANSWERED = "answered"
    RESOLVED = "resolved"
    WITHDRAWN = "withdrawn"


class OutboxKind(StrEnum):
    """What a row asks the deliverer to do; the payload's shape depends on it (docs/desk.md)."""

    NEW_THREAD = "new_thread"  # post the ticket card as a new thread in the ICT channel
    THREAD_REPLY = "thread_reply"  # reply in the ticket's ICT thread (relay, reminder, notice)
    UPDATE_CARD = "update_card"  # re-render the thread's ticket card in place from the current row
    NOTIFY_ASKER = "notify_asker"  # a proactive message to the conversation the ticket was asked in
    CHANNEL_NOTICE = "channel_notice"  # a new thread in an ICT channel about the bot itself, no ticket
    SEND_CARD = "send_card"  # a card rendered when queued, to a conversation the bot has a reference for


class OutboxState(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class UtcDateTime(TypeDecorator[datetime]):
    """A timestamp that is always read back timezone-aware in UTC (SQLite keeps no offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: the desk stores timezone-aware UTC times")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None or value.tzinfo is not None:
            return value
        return value.replace(tzinfo=UTC)


Timestamp = Annotated[datetime, mapped_column(UtcDateTime())]


def _in(column: str, enum: type[StrEnum]) -> str:
    return f"{column} IN ({', '.join(repr(member.value) for member in enum)})"


class TicketCounter(Base):
    """One row per counter; `UPDATE … SET value = value + 1 RETURNING value` hands out ticket numbers.

    The row lock (PostgreSQL) or the write lock (SQLite, BEGIN IMMEDIATE) serialises the increment,
    so numbers are unique, short and, since a rolled-back opening gives its number back, without gaps.
    """

    __tablename__ = "ticket_counters"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[int] = mapped_column(Integer)


class Ticket(Base):
    __tablename__ = "tickets"
    __table_args__ = (
        CheckConstraint(_in("state", TicketState), name="state"),
        Index("ix_tickets_state_created_at", "state", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    number: Mapped[int] = mapped_column(Integer, unique=True)
    idempotency_key: Mapped[str] = mapped_column(String(128), unique=True)
    state: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(
        String(16), default=TicketKind.QUESTION.value, server_default=text("'question'")
    )
    version: Mapped[int] = mapped_column(Integer, default=1)
    tenant_id: Mapped[str | None] = mapped_column(String(64))
    # The asker, and where the question was asked (notifications go back there).
    asker_id: Mapped[str] = mapped_column(String(256))
    asker_aad_object_id: Mapped[str] = mapped_column(String(64), index=True)
    asker_name: Mapped[str | None] = mapped_column(String(256))
    asker_conversation_id: Mapped[str] = mapped_column(String(512))
    asker_conversation_type: Mapped[str] = mapped_column(String(32))
    asker_reference: Mapped[dict[str, Any]] = mapped_column(JSON)
    language: Mapped[str] = mapped_column(String(8))
    # The question; None once the retention purge has removed the text.
    question: Mapped[str | None] = mapped_column(Text)
    details: Mapped[str | None] = mapped_column(Text)
    attachments: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    candidates: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    category: Mapped[str | None] = mapped_column(String(128))
    # Who has it.
    claimer_id: Mapped[str | None] = mapped_column(String(256))
    claimer_aad_object_id: Mapped[str | None] = mapped_column(String(64))
    claimer_name: Mapped[str | None] = mapped_column(String(256))
    claimed_at: Mapped[Timestamp | None]
    answer: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[Timestamp | None]
    resolution_note: Mapped[str | None] = mapped_column(Text)
    resolved_at: Mapped[Timestamp | None]
    withdrawn_at: Mapped[Timestamp | None]
    duplicate_of: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), index=True)
    # The ticket's thread in the ICT channel, known once the outbox has posted it.
    channel_id: Mapped[str | None] = mapped_column(String(256))
    thread_conversation_id: Mapped[str | None] = mapped_column(String(512))
    thread_root_id: Mapped[str | None] = mapped_column(String(128))
    card_activity_id: Mapped[str | None] = mapped_column(String(128))
    reminder_count: Mapped[int] = mapped_column(Integer, default=0)
    last_reminded_at: Mapped[Timestamp | None]
    purged_at: Mapped[Timestamp | None]
    created_at: Mapped[Timestamp] = mapped_column(default=utcnow)
    updated_at: Mapped[Timestamp] = mapped_column(default=utcnow)


class TicketEvent(Base):
    """The audit trail: one row per change of a ticket, written in the change's transaction."""

    __tablename__ = "ticket_events"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    action: Mapped[str] = mapped_column(String(32))
    from_state: Mapped[str | None] = mapped_column(String(16))
    to_state: Mapped[str] = mapped_column(String(16))
    version: Mapped[int] = mapped_column(Integer)
    actor_id: Mapped[str] = mapped_column(String(64))  # Entra object id, or "system"
    actor_name: Mapped[str | None] = mapped_column(String(256))
    note: Mapped[str | None] = mapped_column(Text)
    at: Mapped[Timestamp] = mapped_column(default=utcnow)


class OutboxMessage(Base):
    """A message to Teams, written in the transaction that decided it and sent by the outbox worker."""

    __tablename__ = "outbox"
    __table_args__ = (
        CheckConstraint(_in("state", OutboxState), name="state"),
        # The worker's claim query: pending rows that are due, oldest first.
        Index(
            "ix_outbox_due",
            "next_attempt_at",
            "id",
            sqlite_where=text("state = 'pending'"),
            postgresql_where=text("state = 'pending'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(32))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), index=True)
    target_conversation_id: Mapped[str | None] = mapped_column(String(512))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    dedupe_key: Mapped[str] = mapped_column(String(256), unique=True)
    state: Mapped[str] = mapped_column(String(16), default=OutboxState.PENDING.value)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[Timestamp] = mapped_column(default=utcnow)
    last_error: Mapped[str | None] = mapped_column(String(512))
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    locked_by: Mapped[str | None] = mapped_column(String(128))
    locked_until: Mapped[Timestamp | None]
    created_at: Mapped[Timestamp] = mapped_column(default=utcnow)
    sent_at: Mapped[Timestamp | None]
