"""What the asker's tables hold about one person, as JSON, for a disclosure request.

The desk's `export_person` covers tickets; this covers votes, "did you mean" picks and the language
choice, so the two together are everything Kotae stores about someone.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.asker.models import FeedbackVote, LanguagePreference, SuggestedAlternate

__all__ = ["export_asker_records"]

_TABLES: dict[str, Table] = {
    "feedback_votes": FeedbackVote.__table__,
    "suggested_alternates": SuggestedAlternate.__table__,
    "language_preferences": LanguagePreference.__table__,
}


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


async def export_asker_records(session: AsyncSession, aad_object_id: str) -> dict[str, list[dict[str, Any]]]:
    """Every row of the asker's tables that belongs to `aad_object_id`, oldest first."""
    records: dict[str, list[dict[str, Any]]] = {}
    for name, table in _TABLES.items():
        time_column = next(column for column in table.columns if column.key.endswith("_at"))
        rows = await session.execute(
            select(table).where(table.c.user_aad_object_id == aad_object_id).order_by(time_column)
        )
        records[name] = [{key: _jsonable(value) for key, value in row._mapping.items()} for row in rows]
    return records
