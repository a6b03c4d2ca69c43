"""`python -m bot insights --from DATE --to DATE --out DIR [--lang ja|en]`: read, count, write."""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path

from bot.config import Settings
from bot.i18n import Lang
from bot.insights.output import write_report
from bot.insights.summary import read_report
from bot.storage.engine import create_engine
from bot.tickets.business_hours import BusinessCalendar
from knowledge import load

__all__ = ["run_insights"]


async def run_insights(
    settings: Settings, first_day: date, last_day: date, out: Path, lang: Lang
) -> list[Path]:
    calendar = BusinessCalendar.from_settings(settings)
    knowledge = await asyncio.to_thread(load, settings.knowledge_dir)
    engine = create_engine(settings.database_url)
    try:
        async with engine.connect() as connection:  # Core rows: the ORM's per-row cost adds seconds here
            summary, questions = await read_report(
                connection, calendar, first_day, last_day, knowledge.entries
            )
    finally:
        await engine.dispose()
    return await asyncio.to_thread(write_report, summary, questions, out, lang)
