"""Know-how profiles: what a person offers to help with, whether they are available, and leaving.

A repository: methods take the unit of work's session and never commit. A profile is made by the
first topic its owner adds; leaving deletes it with its topics and helper requests.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.knowhow.models import HelperRequest, KnowhowProfile, KnowhowTopic
from bot.storage.dialect import upsert_insert
from bot.storage.models import ConversationReferenceRow, utcnow
from bot.storage.rows import changed_rows
from bot.tickets.models import OutboxKind, OutboxMessage

__all__ = [
    "HELPER_MESSAGE_PREFIX",
    "MAX_TOPICS",
    "MAX_TOPIC_CHARS",
    "Person",
    "ProfileView",
    "Profiles",
    "TopicView",
    "topic_key",
]

MAX_TOPICS = 30
# The outbox keys of messages to a person as a helper (requests and thanks), so leaving can find them.
HELPER_MESSAGE_PREFIX = "knowhow:"
MAX_TOPIC_CHARS = 64


@dataclass(frozen=True, slots=True)
class Person:
    """Who is acting on their own profile, as the turn tells it."""

    aad_object_id: str
    name: str | None
    tenant_id: str | None
    language: str
    team_id: str | None = None  # the team the turn came from, if any


@dataclass(frozen=True, slots=True)
class TopicView:
    id: int
    label: str


@dataclass(frozen=True, slots=True)
class ProfileView:
    """A profile as its owner sees it (None fields: no profile yet)."""

    topics: Sequence[TopicView]
    available: bool
    helped_count: int
    exists: bool


_NO_PROFILE = ProfileView((), True, 0, exists=False)


def topic_key(label: str) -> str:
    """One topic per spelling: width, case and spaces do not make a second one."""
    return " ".join(unicodedata.normalize("NFKC", label).casefold().split())[:MAX_TOPIC_CHARS]


class Profiles:
    async def view(self, session: AsyncSession, aad_object_id: str) -> ProfileView:
        profile = await session.get(KnowhowProfile, aad_object_id, populate_existing=True)
        if profile is None:
            return _NO_PROFILE
        topics = await session.scalars(
            select(KnowhowTopic).where(KnowhowTopic.aad_object_id == aad_object_id).order_by(KnowhowTopic.id)
        )
        return ProfileView(
            [TopicView(topic.id, topic.label) for topic in topics],
            profile.available,
            profile.helped_count,
            exists=True,
        )

    async def touch(self, session: AsyncSession, person: Person, *, now: datetime | None = None) -> None:
        """Create the profile if it is new, else refresh its name, language and teams (one statement)."""
        now = now or utcnow()
        statement = upsert_insert(session, KnowhowProfile).values(
            aad_object_id=person.aad_object_id,
            name=person.name,
            tenant_id=person.tenant_id,
            language=person.language,
            available=True,
            team_ids=[person.team_id] if person.team_id else [],
            helped_count=0,
            created_at=now,
            updated_at=now,
        )
        await session.execute(
            statement.on_conflict_do_update(
                index_elements=[KnowhowProfile.aad_object_id],
                set_={
                    "name": statement.excluded.name,
                    "language": statement.excluded.language,
                    "updated_at": statement.excluded.updated_at,
                },
            )
        )
        if person.team_id:
            profile = await session.get_one(KnowhowProfile, person.aad_object_id, populate_existing=True)
            if person.team_id not in profile.team_ids:
                profile.team_ids = [*profile.team_ids, person.team_id]

    async def add_topic(self, session: AsyncSession, person: Person, label: str) -> bool:
        """Add `label` (trimmed); False when it is empty, too long, already there or one too many."""
        label = " ".join(label.split())
        key = topic_key(label)
        if not key or len(label) > MAX_TOPIC_CHARS:
            return False
        await self.touch(session, person)
        count = len((await self.view(session, person.aad_object_id)).topics)
        if count >= MAX_TOPICS:
            return False
        inserted = await session.execute(
            upsert_insert(session, KnowhowTopic)
            .on_conflict_do_nothing(index_elements=[KnowhowTopic.aad_object_id, KnowhowTopic.key])
            .values(aad_object_id=person.aad_object_id, label=label, key=key, created_at=utcnow())
        )
        return bool(changed_rows(inserted))

    async def remove_topic(self, session: AsyncSession, aad_object_id: str, topic_id: int) -> bool:
        """Only the owner's own topic goes: the id comes from a card, the owner from the turn."""
        removed = await session.execute(
            delete(KnowhowTopic).where(
                KnowhowTopic.id == topic_id, KnowhowTopic.aad_object_id == aad_object_id
            )
        )
        return bool(changed_rows(removed))

    async def set_available(self, session: AsyncSession, aad_object_id: str, available: bool) -> bool:
        changed = await session.execute(
            update(KnowhowProfile)
            .where(KnowhowProfile.aad_object_id == aad_object_id)
            .values(available=available, updated_at=utcnow())
        )
        return bool(changed_rows(changed))

    async def leave(self, session: AsyncSession, aad_object_id: str) -> bool:
        """Delete the profile, its topics, the requests it was sent and the messages queued or kept
        for it as a helper (requests, thanks: they quote questions): nothing of it stays."""
        personal = select(ConversationReferenceRow.conversation_id).where(
            ConversationReferenceRow.user_aad_object_id == aad_object_id
        )
        await session.execute(
            delete(OutboxMessage).where(
                OutboxMessage.kind == OutboxKind.SEND_CARD.value,
                OutboxMessage.dedupe_key.startswith(HELPER_MESSAGE_PREFIX),
                OutboxMessage.target_conversation_id.in_(personal),
            )
        )
        await session.execute(delete(KnowhowTopic).where(KnowhowTopic.aad_object_id == aad_object_id))
        await session.execute(
            delete(HelperRequest).where(HelperRequest.helper_aad_object_id == aad_object_id)
        )
        removed = await session.execute(
            delete(KnowhowProfile).where(KnowhowProfile.aad_object_id == aad_object_id)
        )
        return bool(changed_rows(removed))
