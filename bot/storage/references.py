"""Conversation references: how to reach a conversation again for a proactive message (`bot.turn.Reference`,
kept as the seam gives it)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.dialect import upsert
from bot.storage.models import ConversationReferenceRow, utcnow

__all__ = ["ConversationReferences"]

_PURGE_BATCH = 500  # rows per purge run; the housekeeping runs every minute and catches up


class ConversationReferences:
    """Repository; methods take the unit of work's session and never commit."""

    async def remember(
        self,
        session: AsyncSession,
        reference: Mapping[str, Any],
        *,
        conversation_id: str,
        service_url: str,
        conversation_type: str,
        user_aad_object_id: str | None,
        tenant_id: str | None,
    ) -> None:
        """Insert or refresh (service URLs change) the reference of one conversation, in one statement.

        The reference is kept without the activity it came with: a later message is a new post in
        the conversation (or its thread), not a reply to that one message.
        """
        serialized = {key: value for key, value in reference.items() if key != "activityId"}
        values = {
            "conversation_id": conversation_id,
            "conversation_type": conversation_type,
            "user_aad_object_id": user_aad_object_id,
            "tenant_id": tenant_id,
            "service_url": service_url,
            "reference": json.dumps(serialized),
            "updated_at": utcnow(),
        }
        await session.execute(upsert(session, ConversationReferenceRow, values, "conversation_id"))

    async def get(self, session: AsyncSession, conversation_id: str) -> dict[str, Any] | None:
        row = await session.get(ConversationReferenceRow, conversation_id)
        return _decode(row.reference) if row else None

    async def personal_for_user(self, session: AsyncSession, aad_object_id: str) -> dict[str, Any] | None:
        """The user's 1:1 chat with the bot, if the bot is installed for them."""
        reference = await session.scalar(_newest_personal(ConversationReferenceRow.reference, aad_object_id))
        return _decode(reference) if reference else None

    async def personal_conversation_id(self, session: AsyncSession, aad_object_id: str) -> str | None:
        """The id of the user's 1:1 chat with the bot (the newest one Teams gave us), if any."""
        return await session.scalar(_newest_personal(ConversationReferenceRow.conversation_id, aad_object_id))

    async def purge_names(self, session: AsyncSession, *, older_than: timedelta, now: datetime) -> int:
        """Remove the people's and conversations' display names from references not written since
        `now - older_than`; the ids that reach the conversation stay. Never commits."""
        rows = (
            await session.execute(
                select(ConversationReferenceRow.conversation_id, ConversationReferenceRow.reference)
                .where(
                    ConversationReferenceRow.updated_at <= now - older_than,
                    ConversationReferenceRow.reference.contains('"name"'),
                )
                .limit(_PURGE_BATCH)
            )
        ).all()
        for conversation_id, text in rows:
            await session.execute(
                update(ConversationReferenceRow)
                .where(ConversationReferenceRow.conversation_id == conversation_id)
                # The time it was written stays: the purge is not a sign of life.
                .values(reference=json.dumps(_without_names(json.loads(text))))
                .values(updated_at=ConversationReferenceRow.updated_at)
                .execution_options(synchronize_session=False)
            )
        return len(rows)

    async def export_for_user(self, session: AsyncSession, aad_object_id: str) -> list[dict[str, Any]]:
        """The references stored for conversations `aad_object_id` last wrote in, for a disclosure."""
        rows = await session.scalars(
            select(ConversationReferenceRow)
            .where(ConversationReferenceRow.user_aad_object_id == aad_object_id)
            .order_by(ConversationReferenceRow.updated_at)
        )
        return [
            {
                "conversation_id": row.conversation_id,
                "conversation_type": row.conversation_type,
                "tenant_id": row.tenant_id,
                "updated_at": row.updated_at.isoformat(),
                "reference": json.loads(row.reference),
            }
            for row in rows
        ]


def _without_names(reference: dict[str, Any]) -> dict[str, Any]:
    for part in ("user", "conversation", "bot"):
        if isinstance(reference.get(part), dict):
            reference[part].pop("name", None)
    return reference


def _decode(text: str) -> dict[str, Any]:
    reference: dict[str, Any] = json.loads(text)
    return reference


def _newest_personal(column: Any, aad_object_id: str) -> Select[Any]:
    """`column` of the user's newest 1:1 conversation with the bot."""
    return (
        select(column)
        .where(
            ConversationReferenceRow.user_aad_object_id == aad_object_id,
            ConversationReferenceRow.conversation_type == "personal",
        )
        .order_by(ConversationReferenceRow.updated_at.desc())
        .limit(1)
    )
