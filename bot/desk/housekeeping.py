"""The desk's timed work: reminders for unclaimed tickets, auto-resolve of answered ones, the retention purge.

Each is one conditional `UPDATE … RETURNING` plus its audit events and outbox rows in the same
transaction, so when several replicas run it at once every ticket is reminded or resolved by exactly
one of them: the others' statements no longer match the rows (PostgreSQL re-checks the WHERE clause
after waiting for the row lock; SQLite has a single writer).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import or_, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.desk.retention import purge
from bot.storage.models import utcnow
from bot.storage.references import ConversationReferences
from bot.tickets.actors import SYSTEM
from bot.tickets.audit import record_events
from bot.tickets.business_hours import BusinessCalendar
from bot.tickets.effects import Audience, Notice, enqueue, notify
from bot.tickets.models import OutboxKind, Ticket, TicketState
from bot.tickets.transitions import DeskPolicy

__all__ = ["Housekeeping", "ReminderPolicy", "RetentionPurge", "auto_resolve", "send_reminders"]

_log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ReminderPolicy:
    after: timedelta = timedelta(hours=1)  # a ticket unclaimed this long gets its first reminder
    interval: timedelta = timedelta(hours=2)  # between reminders of one ticket
    max_count: int = 3

    @classmethod
    def from_settings(cls, settings: Settings) -> ReminderPolicy:
        return cls(
            after=timedelta(minutes=settings.desk_reminder_after_minutes),
            interval=timedelta(minutes=settings.desk_reminder_interval_minutes),
            max_count=settings.desk_reminder_max,
        )


async def send_reminders(
    session: AsyncSession, *, calendar: BusinessCalendar, policy: ReminderPolicy, now: datetime
) -> Sequence[Ticket]:
    """Remind the thread of every open, unlinked ticket that is due, in business hours only."""
    if policy.max_count == 0 or not calendar.is_open(now):
        return []
    statement = (
        update(Ticket)
        .where(
            Ticket.state == TicketState.OPEN.value,
            Ticket.duplicate_of.is_(None),
            Ticket.created_at <= now - policy.after,
            Ticket.reminder_count < policy.max_count,
            or_(Ticket.last_reminded_at.is_(None), Ticket.last_reminded_at <= now - policy.interval),
        )
        .values(reminder_count=Ticket.reminder_count + 1, last_reminded_at=now)
        .returning(Ticket)
        .execution_options(populate_existing=True, synchronize_session=False)
    )
    tickets = (await session.scalars(statement)).all()
    await record_events(
        session, tickets, action="remind", from_state=TicketState.OPEN.value, actor=SYSTEM, at=now
    )
    for ticket in tickets:
        await enqueue(
            session,
            kind=OutboxKind.THREAD_REPLY,
            dedupe_key=f"ticket:{ticket.id}:reminder:{ticket.reminder_count}",
            payload={"event": "reminder", "count": ticket.reminder_count},
            now=now,
            ticket_id=ticket.id,
            target_conversation_id=ticket.channel_id,
        )
    return tickets


_AUTO_RESOLVED = (Notice(Audience.CARD, "changed"), Notice(Audience.ASKER, "auto_resolved"))


async def auto_resolve(session: AsyncSession, *, policy: DeskPolicy, now: datetime) -> Sequence[Ticket]:
    """Resolve answered tickets the asker has not replied to within the configured time, telling them."""
    statement = (
        update(Ticket)
        .where(
            Ticket.state == TicketState.ANSWERED.value, Ticket.answered_at <= now - policy.auto_resolve_after
        )
        .values(state=TicketState.RESOLVED.value, resolved_at=now, version=Ticket.version + 1, updated_at=now)
        .returning(Ticket)
        .execution_options(populate_existing=True, synchronize_session=False)
    )
    tickets = (await session.scalars(statement)).all()
    await record_events(
        session, tickets, action="auto_resolve", from_state=TicketState.ANSWERED.value, actor=SYSTEM, at=now
    )
    await notify(session, tickets, _AUTO_RESOLVED, now=now)
    return tickets


class RetentionPurge(Protocol):
    """Another room's part of the retention purge (e.g. the asker's words), run in the desk's transaction;
    the runtime hands these in, so that the desk imports no other feature."""

    async def __call__(self, session: AsyncSession, *, older_than: timedelta, now: datetime) -> object: ...


class Housekeeping:
    """Runs reminders, auto-resolve and the retention purge every `interval`, each in its own transaction."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        calendar: BusinessCalendar,
        reminders: ReminderPolicy,
        policy: DeskPolicy,
        retention: timedelta | None,
        purges: Sequence[RetentionPurge] = (),
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._sessions = sessions
        self._calendar = calendar
        self._reminders = reminders
        self._policy = policy
        self._retention = retention
        self._purges = tuple(purges)
        self._clock = clock

    @classmethod
    def from_settings(
        cls,
        sessions: async_sessionmaker[AsyncSession],
        settings: Settings,
        *,
        purges: Sequence[RetentionPurge] = (),
    ) -> Housekeeping:
        return cls(
            sessions,
            calendar=BusinessCalendar.from_settings(settings),
            reminders=ReminderPolicy.from_settings(settings),
            policy=DeskPolicy.from_settings(settings),
            retention=timedelta(days=settings.retention_days) if settings.retention_days else None,
            purges=purges,
        )

    async def run_once(self) -> None:
        now = self._clock()
        async with self._sessions.begin() as session:
            reminded = await send_reminders(session, calendar=self._calendar, policy=self._reminders, now=now)
        async with self._sessions.begin() as session:
            resolved = await auto_resolve(session, policy=self._policy, now=now)
        if self._retention is not None:
            async with self._sessions.begin() as session:
                await purge(session, older_than=self._retention, now=now)
                for other in self._purges:
                    await other(session, older_than=self._retention, now=now)
                await ConversationReferences().purge_names(session, older_than=self._retention, now=now)
        if reminded or resolved:
            _log.info("desk: %d reminder(s), %d ticket(s) auto-resolved", len(reminded), len(resolved))

    async def run(self, stop: asyncio.Event, *, interval: float = 60.0) -> None:
        while not stop.is_set():
            try:
                await self.run_once()
            except (DBAPIError, OSError, TimeoutError) as error:
                _log.warning("desk housekeeping: cannot reach the database (%s)", type(error).__name__)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=interval)
