"""What the asker's tables hold about one person, as JSON, for a disclosure request.

The desk's `export_person` covers tickets; this covers votes, "did you mean" picks, the language
choice and the logged questions (found by the person's pseudonymous key), so the two together are
everything Kotae stores about someone.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import FromClause, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.asker.models import FeedbackVote, LoggedQuestion, SuggestedAlternate
from bot.asker.pseudonym import asker_key, read_key
from bot.storage.models import LanguagePreference

__all__ = ["export_asker_records"]

_TABLES: dict[str, FromClause] = {
    "feedback_votes": FeedbackVote.__table__,
    "suggested_alternates": SuggestedAlternate.__table__,
    "language_preferences": LanguagePreference.__table__,
}


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def _rows(result: Any) -> list[dict[str, Any]]:
    return [{key: _jsonable(value) for key, value in row._mapping.items()} for row in result]


async def export_asker_records(session: AsyncSession, aad_object_id: str) -> dict[str, list[dict[str, Any]]]:
    """Every row of the asker's tables that belongs to `aad_object_id`, oldest first."""
    records: dict[str, list[dict[str, Any]]] = {}
    for name, table in _TABLES.items():
        time_column = next(column for column in table.columns if column.key.endswith("_at"))
        rows = await session.execute(
            select(table).where(table.c.user_aad_object_id == aad_object_id).order_by(time_column)
        )
        records[name] = _rows(rows)
    log = LoggedQuestion.__table__
    key = asker_key(await read_key(session), aad_object_id)
    records["question_log"] = _rows(
        await session.execute(select(log).where(log.c.asker_key == key).order_by(log.c.asked_at))
    )
    return records
