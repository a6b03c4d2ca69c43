"""Dialect-specific statements the desk needs on both SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

__all__ = ["insert_ignoring_conflicts"]


def insert_ignoring_conflicts(session: AsyncSession, entity: Any, index_elements: list[Any]) -> Any:
    """`INSERT … ON CONFLICT (index_elements) DO NOTHING`: a duplicate is skipped, never an error.

    Both dialects spell it the same way; only the construct's module differs.
    """
    insert = pg_insert if session.bind.dialect.name == "postgresql" else sqlite_insert
    return insert(entity).on_conflict_do_nothing(index_elements=index_elements)
