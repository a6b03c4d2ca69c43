"""Conversation references: how to reach a conversation again for a proactive message."""

from __future__ import annotations

import json

from botbuilder.schema import ConversationReference
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.dialect import upsert
from bot.storage.models import ConversationReferenceRow, utcnow

__all__ = ["ConversationReferences"]


class ConversationReferences:
    """Repository; methods take the unit of work's session and never commit."""

    async def remember(
        self,
        session: AsyncSession,
        reference: ConversationReference,
        *,
        conversation_type: str,
        user_aad_object_id: str | None,
        tenant_id: str | None,
    ) -> None:
        """Insert or refresh (service URLs change) the reference of one conversation, in one statement.

        The reference is kept without the activity it came with: a later message is a new post in
        the conversation (or its thread), not a reply to that one message.
        """
        serialized = reference.serialize()
        serialized.pop("activityId", None)
        values = {
            "conversation_id": reference.conversation.id,
            "conversation_type": conversation_type,
            "user_aad_object_id": user_aad_object_id,
            "tenant_id": tenant_id,
            "service_url": reference.service_url,
            "reference": json.dumps(serialized),
            "updated_at": utcnow(),
        }
        await session.execute(upsert(session, ConversationReferenceRow, values, "conversation_id"))

    async def get(self, session: AsyncSession, conversation_id: str) -> ConversationReference | None:
        row = await session.get(ConversationReferenceRow, conversation_id)
        return _decode(row.reference) if row else None

    async def personal_for_user(
        self, session: AsyncSession, aad_object_id: str
    ) -> ConversationReference | None:
        """The user's 1:1 chat with the bot, if the bot is installed for them."""
        result = await session.execute(
            select(ConversationReferenceRow.reference)
            .where(
                ConversationReferenceRow.user_aad_object_id == aad_object_id,
                ConversationReferenceRow.conversation_type == "personal",
            )
            .order_by(ConversationReferenceRow.updated_at.desc())
            .limit(1)
        )
        reference = result.scalar_one_or_none()
        return _decode(reference) if reference else None


def _decode(text: str) -> ConversationReference:
    return ConversationReference().deserialize(json.loads(text))
