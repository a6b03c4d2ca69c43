"""The desk's own tables: the learned ICT channels and the FAQ drafts proposed from answered tickets."""

from __future__ import annotations

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.models import Base, utcnow
from bot.tickets.models import Timestamp

__all__ = ["FaqDraft", "IctChannel"]


class IctChannel(Base):
    """How to reach an ICT channel, learned from the bot's install or any activity in its team."""

    __tablename__ = "ict_channels"

    channel_id: Mapped[str] = mapped_column(String(256), primary_key=True)
    team_id: Mapped[str | None] = mapped_column(String(256))
    tenant_id: Mapped[str | None] = mapped_column(String(64))
    service_url: Mapped[str] = mapped_column(String(512))
    updated_at: Mapped[Timestamp] = mapped_column(default=utcnow, onupdate=utcnow)


class FaqDraft(Base):
    """A FAQ entry proposed from an answered ticket, exported as YAML for FAQ editors to review."""

    __tablename__ = "faq_drafts"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), unique=True)
    question: Mapped[str | None] = mapped_column(Text)
    answer: Mapped[str | None] = mapped_column(Text)
    alternates: Mapped[list[str]] = mapped_column(JSON)
    language: Mapped[str] = mapped_column(String(8))
    category: Mapped[str | None] = mapped_column(String(128))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[Timestamp] = mapped_column(default=utcnow)
    exported_at: Mapped[Timestamp | None]
