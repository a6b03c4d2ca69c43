"""The asker's tables: feedback votes, "did you mean" picks, the question log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.models import Base, utcnow

__all__ = ["FeedbackVote", "LoggedQuestion", "QuestionLogKey", "SuggestedAlternate"]


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


class LoggedQuestion(Base):
    """One question that reached the matcher, and what followed: what FAQ editors' reports count.

    `asker_key` is a keyed hash of the asker (never the name or the Entra id); `question` is masked
    before it is written and cleared by the retention purge, the rest stays for the counts.
    """

    __tablename__ = "question_log"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # carried by the question's cards
    asked_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    lang: Mapped[str] = mapped_column(String(8))
    scope: Mapped[str] = mapped_column(String(16))  # personal, group or channel
    decision: Mapped[str] = mapped_column(String(16))  # answer, clarify or escalate
    offered: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # [{"entry": id, "score": 0.93}, …]
    top_entry: Mapped[str | None] = mapped_column(String(128))
    kb_version: Mapped[int] = mapped_column(Integer)
    kb_loaded_at: Mapped[str | None] = mapped_column(String(40))
    asker_key: Mapped[str] = mapped_column(String(64), index=True)
    question: Mapped[str | None] = mapped_column(Text)
    # What followed: the last click's kind, and what each kind left behind.
    outcome: Mapped[str | None] = mapped_column(String(16))  # helpful, not_helpful, picked, none, escalated
    vote: Mapped[str | None] = mapped_column(String(16))
    voted_entry: Mapped[str | None] = mapped_column(String(128))
    picked_entry: Mapped[str | None] = mapped_column(String(128))
    picked_after: Mapped[str | None] = mapped_column(
        String(16)
    )  # clarify or alternative (after "not helpful")
    ticket_id: Mapped[int | None] = mapped_column(Integer)
    followed_at: Mapped[datetime | None] = mapped_column()


class QuestionLogKey(Base):
    """The install's random key for the askers' pseudonyms (one row, made by the migration)."""

    __tablename__ = "question_log_key"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    secret: Mapped[str] = mapped_column(String(128))
