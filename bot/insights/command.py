"""`python -m bot insights --from DATE --to DATE --out DIR [--lang ja|en]`: read, count, write."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.config import Settings
from bot.desk.business_hours import BusinessCalendar
from bot.i18n import Lang
from bot.insights.figures import summarize
from bot.insights.output import write_report
from bot.insights.rows import Period, last_matched, read_questions, read_tickets
from bot.storage.engine import create_engine
from knowledge import load

__all__ = ["period_of", "run_insights"]


def period_of(first_day: date, last_day: date, zone: ZoneInfo) -> Period:
    """Whole local days, `last_day` included."""
    start = datetime.combine(first_day, time.min, zone)
    end = datetime.combine(last_day + timedelta(days=1), time.min, zone)
    return Period(start, end)


async def run_insights(
    settings: Settings, first_day: date, last_day: date, out: Path, lang: Lang
) -> list[Path]:
    calendar = BusinessCalendar.from_settings(settings)
    period = period_of(first_day, last_day, calendar.zone)
    knowledge = await asyncio.to_thread(load, settings.knowledge_dir)
    engine = create_engine(settings.database_url)
    try:
        async with engine.connect() as connection:  # Core rows: the ORM's per-row cost adds seconds here
            rows = await read_questions(connection, period)
            tickets = await read_tickets(connection, period)
            matched = await last_matched(connection, period.end)
    finally:
        await engine.dispose()
    summary = await asyncio.to_thread(
        summarize,
        rows=rows,
        tickets=tickets,
        entries=knowledge.entries,
        matched=matched,
        first_day=first_day,
        last_day=last_day,
        until=period.end,
        calendar=calendar,
    )
    return await asyncio.to_thread(write_report, summary, out, lang)
