"""Tables of the foundation. Other features declare theirs on the same `Base` in their own modules."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import DateTime, MetaData, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

__all__ = ["Base", "ConversationReferenceRow", "InstallationRow", "LanguagePreference", "utcnow"]

# Stable constraint names, so migrations can name what they alter on SQLite and PostgreSQL alike.
_NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=_NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: DateTime(timezone=True)}


class ConversationReferenceRow(Base):
    """Where to reach a conversation later (proactive messages), keyed by the conversation's id."""

    __tablename__ = "conversation_references"

    conversation_id: Mapped[str] = mapped_column(String(512), primary_key=True)
    conversation_type: Mapped[str] = mapped_column(String(32))
    user_aad_object_id: Mapped[str | None] = mapped_column(String(64), index=True)
    tenant_id: Mapped[str | None] = mapped_column(String(64))
    service_url: Mapped[str] = mapped_column(String(512))
    reference: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class InstallationRow(Base):
    """A conversation the bot is installed in; its insertion decides the one welcome per install."""

    __tablename__ = "installations"

    conversation_id: Mapped[str] = mapped_column(String(512), primary_key=True)
    installed_at: Mapped[datetime] = mapped_column(default=utcnow)


class LanguagePreference(Base):
    """A user's chosen language, overriding the locale Teams sends (read by the outbox worker too)."""

    __tablename__ = "language_preferences"

    user_aad_object_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    lang: Mapped[str] = mapped_column(String(8))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
