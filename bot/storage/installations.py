"""Installations: which conversations have the bot, so each install is welcomed exactly once."""

from __future__ import annotations

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.dialect import upsert_insert
from bot.storage.models import InstallationRow, utcnow

__all__ = ["Installations"]


class Installations:
    async def record(self, session: AsyncSession, conversation_id: str) -> bool:
        """True when this call recorded the install; False when another event (or replica) already had."""
        result = await session.execute(
            upsert_insert(session, InstallationRow)
            .values(conversation_id=conversation_id, installed_at=utcnow())
            .on_conflict_do_nothing(index_elements=[InstallationRow.conversation_id])
            .returning(InstallationRow.conversation_id)
        )
        return result.scalar_one_or_none() is not None

    async def forget(self, session: AsyncSession, conversation_id: str) -> None:
        await session.execute(
            delete(InstallationRow).where(InstallationRow.conversation_id == conversation_id)
        )
