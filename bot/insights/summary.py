"""The figures of a period, read from the database: shared by the command line and the ICT channel's
`insights` command (which must not import the report's writers and matplotlib)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.insights.figures import past_questions, summarize
from bot.insights.rows import Period, QuestionRow, helpful_topics, last_matched, read_questions, read_tickets
from bot.tickets.business_hours import BusinessCalendar
from knowledge import Entry

__all__ = ["last_week", "last_week_summary", "period_of", "read_report", "read_summary"]


def period_of(first_day: date, last_day: date, zone: ZoneInfo) -> Period:
    """Whole local days, `last_day` included."""
    start = datetime.combine(first_day, time.min, zone)
    end = datetime.combine(last_day + timedelta(days=1), time.min, zone)
    return Period(start, end)


def last_week(today: date) -> tuple[date, date]:
    """Monday to Sunday of the week before `today`'s."""
    monday = today - timedelta(days=today.weekday() + 7)
    return monday, monday + timedelta(days=6)


async def read_summary(
    connection: AsyncConnection,
    calendar: BusinessCalendar,
    first_day: date,
    last_day: date,
    entries: Sequence[Entry] = (),
) -> dict[str, Any]:
    """The figures of whole local days `first_day`..`last_day`; stale entries only among `entries`."""
    period = period_of(first_day, last_day, calendar.zone)
    rows = await read_questions(connection, period)
    return await _summarize(connection, calendar, first_day, last_day, entries, rows)


async def read_report(
    connection: AsyncConnection,
    calendar: BusinessCalendar,
    first_day: date,
    last_day: date,
    entries: Sequence[Entry],
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """`read_summary`'s figures and the period's past questions (`figures.past_questions`), from one read."""
    rows = await read_questions(connection, period_of(first_day, last_day, calendar.zone))
    summary = await _summarize(connection, calendar, first_day, last_day, entries, rows)
    return summary, await asyncio.to_thread(past_questions, rows)


async def _summarize(
    connection: AsyncConnection,
    calendar: BusinessCalendar,
    first_day: date,
    last_day: date,
    entries: Sequence[Entry],
    rows: list[QuestionRow],
) -> dict[str, Any]:
    period = period_of(first_day, last_day, calendar.zone)
    tickets = await read_tickets(connection, period)
    matched = await last_matched(connection, period.end)
    topics = await helpful_topics(connection, period)
    # Counting and grouping the gaps is CPU work: off the event loop.
    return await asyncio.to_thread(
        summarize,
        rows=rows,
        tickets=tickets,
        entries=entries,
        matched=matched,
        topics=topics,
        first_day=first_day,
        last_day=last_day,
        until=period.end,
        calendar=calendar,
    )


async def last_week_summary(
    connection: AsyncConnection, calendar: BusinessCalendar, today: date
) -> dict[str, Any]:
    """The figures of the week before `today`'s (the ICT channel's `insights` card)."""
    first_day, last_day = last_week(today)
    return await read_summary(connection, calendar, first_day, last_day)
