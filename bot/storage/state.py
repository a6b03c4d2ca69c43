"""botbuilder `Storage` over SQLAlchemy, with optimistic concurrency by e-tag.

Every replica sees the same user, conversation and dialog state. A write carrying the e-tag it read
succeeds only if nobody wrote in between; otherwise `StateConflictError` is raised, and the turn is
reported to the user as "please send that again" rather than silently overwriting the other write.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

import jsonpickle
from botbuilder.core import Storage, StoreItem
from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.storage.models import BotStateRow, utcnow

__all__ = ["SqlStorage", "StateConflictError"]

_ANY = "*"


class StateConflictError(Exception):
    """Another turn changed this state item since it was read."""

    def __init__(self, key: str) -> None:
        super().__init__(f"state item {key!r} was changed by another turn since it was read")
        self.key = key


def _etag_of(item: Any) -> str | None:
    if isinstance(item, Mapping):
        return item.get("e_tag")
    return getattr(item, "e_tag", None)


def _with_etag(item: Any, e_tag: str) -> Any:
    if isinstance(item, dict):
        item["e_tag"] = e_tag
    else:
        item.e_tag = e_tag
    return item


class SqlStorage(Storage):
    """Stores items as JSON (jsonpickle, as botbuilder's own blob storage does) keyed by storage key."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        super().__init__()
        self._sessions = sessions

    async def read(self, keys: Sequence[str]) -> dict[str, StoreItem | dict[str, Any]]:
        if not keys:
            return {}
        async with self._sessions() as session:
            rows = await session.execute(select(BotStateRow).where(BotStateRow.key.in_(list(keys))))
            return {row.key: _with_etag(jsonpickle.decode(row.data), row.e_tag) for row in rows.scalars()}

    async def write(self, changes: Mapping[str, Any]) -> None:
        if changes is None:
            raise ValueError("changes are required when writing")
        if not changes:
            return
        async with self._sessions.begin() as session:
            for key, item in changes.items():
                await self._write_one(session, key, item)

    async def _write_one(self, session: AsyncSession, key: str, item: Any) -> None:
        expected = _etag_of(item)
        new_etag = uuid.uuid4().hex
        data = jsonpickle.encode(item, unpicklable=True, make_refs=False)
        if expected and expected != _ANY:
            result = await session.execute(
                update(BotStateRow)
                .where(BotStateRow.key == key, BotStateRow.e_tag == expected)
                .values(data=data, e_tag=new_etag, updated_at=utcnow())
            )
            if result.rowcount != 1:
                raise StateConflictError(key)
        elif expected == _ANY:
            updated = await session.execute(
                update(BotStateRow)
                .where(BotStateRow.key == key)
                .values(data=data, e_tag=new_etag, updated_at=utcnow())
            )
            if updated.rowcount == 0:
                await self._insert(session, key, data, new_etag)
        else:
            # No e-tag: the writer read nothing, so the item must still not exist.
            await self._insert(session, key, data, new_etag)
        _with_etag(item, new_etag)

    @staticmethod
    async def _insert(session: AsyncSession, key: str, data: str, e_tag: str) -> None:
        try:
            async with session.begin_nested():
                await session.execute(
                    insert(BotStateRow).values(key=key, data=data, e_tag=e_tag, updated_at=utcnow())
                )
        except IntegrityError as error:
            raise StateConflictError(key) from error

    async def delete(self, keys: Sequence[str]) -> None:
        if not keys:
            return
        async with self._sessions.begin() as session:
            await session.execute(delete(BotStateRow).where(BotStateRow.key.in_(list(keys))))
