"""What the report reads: the question log and the desk's tickets of a period, as plain rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.asker.models import LoggedQuestion
from bot.knowhow.models import HelperRequest, RequestState
from bot.tickets.models import Ticket, TicketEvent, TicketKind
from bot.tickets.transitions import Action

__all__ = [
    "Period",
    "QuestionRow",
    "TicketRow",
    "helpful_topics",
    "last_matched",
    "read_questions",
    "read_tickets",
]


@dataclass(frozen=True, slots=True)
class Period:
    start: datetime  # inclusive, UTC
    end: datetime  # exclusive, UTC


@dataclass(frozen=True, slots=True)
class QuestionRow:
    asked_at: datetime
    lang: str
    scope: str
    decision: str
    top_entry: str | None
    question: str | None
    vote: str | None
    voted_entry: str | None
    picked_entry: str | None
    picked_after: str | None
    outcome: str | None
    ticket_id: int | None


@dataclass(frozen=True, slots=True)
class TicketRow:
    created_at: datetime
    category: str | None
    claimed_at: datetime | None
    answered_at: datetime | None
    resolved_at: datetime | None
    reopened: bool


def _utc(moment: datetime) -> datetime:
    """SQLite gives timestamps back without their offset; they were written in UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


async def read_questions(connection: AsyncConnection, period: Period) -> list[QuestionRow]:
    log = LoggedQuestion
    result = await connection.execute(
        select(
            log.asked_at,
            log.lang,
            log.scope,
            log.decision,
            log.top_entry,
            log.question,
            log.vote,
            log.voted_entry,
            log.picked_entry,
            log.picked_after,
            log.outcome,
            log.ticket_id,
        ).where(log.asked_at >= period.start, log.asked_at < period.end)
    )
    # (mypy cannot count the columns of a sliced row.)
    return [QuestionRow(_utc(row[0]), *row[1:]) for row in result]  # type: ignore[call-arg]


async def last_matched(connection: AsyncConnection, until: datetime) -> dict[str, datetime]:
    """When each entry last served a question (answered with it, picked, or voted on) before `until`."""
    log = LoggedQuestion
    latest: dict[str, datetime] = {}
    for column in (log.top_entry, log.picked_entry, log.voted_entry):
        served = (log.decision == "answer") if column is log.top_entry else column.is_not(None)
        result = await connection.execute(
            select(column, func.max(log.asked_at)).where(served, log.asked_at < until).group_by(column)
        )
        for entry, moment in result:
            if entry is not None and moment is not None:
                latest[entry] = max(latest.get(entry, _utc(moment)), _utc(moment))
    return latest


async def read_tickets(connection: AsyncConnection, period: Period) -> list[TicketRow]:
    """Questions that became tickets in the period, with whether the asker ever reopened them
    (proposals are tickets too, but not questions: left out)."""
    reopened = select(TicketEvent.ticket_id).where(TicketEvent.action == Action.REOPEN.value)
    result = await connection.execute(
        select(
            Ticket.created_at,
            Ticket.category,
            Ticket.claimed_at,
            Ticket.answered_at,
            Ticket.resolved_at,
            Ticket.id.in_(reopened).label("reopened"),
        ).where(
            Ticket.created_at >= period.start,
            Ticket.created_at < period.end,
            Ticket.kind == TicketKind.QUESTION.value,
        )
    )
    return [
        TicketRow(
            row.created_at, row.category, row.claimed_at, row.answered_at, row.resolved_at, row.reopened
        )
        for row in result
    ]


async def helpful_topics(connection: AsyncConnection, period: Period) -> dict[str, int]:
    """Topic → colleagues' answers that won in the period, by the helper's topic that matched the
    question. Topics only: who answered is never read (docs/knowhow.md)."""
    result = await connection.execute(
        select(HelperRequest.topic, func.count())
        .where(
            HelperRequest.state == RequestState.ANSWERED.value,
            HelperRequest.responded_at >= period.start,
            HelperRequest.responded_at < period.end,
            HelperRequest.topic.is_not(None),
        )
        .group_by(HelperRequest.topic)
    )
    return {topic: count for topic, count in result if topic}
