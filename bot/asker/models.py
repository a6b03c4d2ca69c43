"""The asker's tables: feedback votes, "did you mean" picks and per-user language preferences."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.models import Base, utcnow

__all__ = ["FeedbackVote", "LanguagePreference", "SuggestedAlternate"]


class FeedbackVote(Base):
    """One vote per answer card per user: a second click changes the vote, never adds a row."""

    __tablename__ = "feedback_votes"

    # The answer card's id (a uuid put into the card when it was built) and the voter.
    answer_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_aad_object_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    # None once the retention purge has removed the text.
    query: Mapped[str | None] = mapped_column(Text)
    entry_id: Mapped[str] = mapped_column(String(128), index=True)
    score: Mapped[float] = mapped_column(Float)
    decision: Mapped[str] = mapped_column(String(16))  # answer, clarify (a pick) or alternative
    vote: Mapped[str] = mapped_column(String(16))  # helpful or not_helpful
    lang: Mapped[str] = mapped_column(String(8))
    voted_at: Mapped[datetime] = mapped_column(default=utcnow)


class SuggestedAlternate(Base):
    """A "did you mean" pick: the asker's wording and the entry they chose, for FAQ editors.

    Keyed by the clarify card, so a double click or a change of mind leaves one row per card.
    """

    __tablename__ = "suggested_alternates"

    card_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    query: Mapped[str | None] = mapped_column(Text)
    entry_id: Mapped[str] = mapped_column(String(128), index=True)
    score: Mapped[float] = mapped_column(Float)
    lang: Mapped[str] = mapped_column(String(8))
    user_aad_object_id: Mapped[str] = mapped_column(String(64))
    picked_at: Mapped[datetime] = mapped_column(default=utcnow)


class LanguagePreference(Base):
    """A user's chosen language, overriding the locale Teams sends (read by the outbox worker too)."""

    __tablename__ = "language_preferences"

    user_aad_object_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    lang: Mapped[str] = mapped_column(String(8))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
