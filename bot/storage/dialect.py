"""The one place that knows which INSERT … ON CONFLICT the database speaks."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

__all__ = ["upsert", "upsert_insert"]


def upsert_insert(session: AsyncSession, table: Any) -> Any:
    """An INSERT for `table` that supports `on_conflict_do_*` on the session's database."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    return insert(table)


def upsert(session: AsyncSession, table: Any, values: dict[str, Any], key: str) -> Any:
    """INSERT `values`, or UPDATE every other column of the row whose `key` column matches."""
    statement = upsert_insert(session, table).values(**values)
    return statement.on_conflict_do_update(
        index_elements=[key], set_={name: statement.excluded[name] for name in values if name != key}
    )
