"""The know-how tables: profiles and their topics, the asker's consent, helper requests and answers.

`knowhow_questions` has one row per escalated question that colleagues were asked about: the first
helper's answer is one conditional `UPDATE … WHERE answered_request_id IS NULL` on that row, so of
any number of simultaneous answers exactly one wins (as with claims on tickets).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.models import Base, utcnow
from bot.tickets.models import UtcDateTime

__all__ = [
    "HelperRequest",
    "KnowhowConsent",
    "KnowhowProfile",
    "KnowhowQuestion",
    "KnowhowTopic",
    "RequestState",
]


class RequestState(StrEnum):
    SENT = "sent"  # the helper's card is queued or shown
    ANSWERED = "answered"  # this helper's answer won
    UNKNOWN = "unknown"  # "分からない"
    BUSY = "busy"  # "今は忙しい"
    LATE = "late"  # answered after another helper had


class KnowhowProfile(Base):
    """A person who offered their know-how; deleted (with topics and requests) when they leave."""

    __tablename__ = "knowhow_profiles"

    aad_object_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str | None] = mapped_column(String(256))
    tenant_id: Mapped[str | None] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(8))
    available: Mapped[bool] = mapped_column(Boolean, default=True)
    # Teams they used know-how from: "closest to the asker" ranks a helper of the asker's team first.
    team_ids: Mapped[list[str]] = mapped_column(JSON)
    helped_count: Mapped[int] = mapped_column(Integer, default=0)
    last_asked_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class KnowhowTopic(Base):
    """One topic of a profile as its owner wrote it; analysed when matching, like a question."""

    __tablename__ = "knowhow_topics"
    __table_args__ = (UniqueConstraint("aad_object_id", "key", name="uq_knowhow_topics_owner_key"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    aad_object_id: Mapped[str] = mapped_column(
        ForeignKey("knowhow_profiles.aad_object_id", ondelete="CASCADE"), index=True
    )
    label: Mapped[str] = mapped_column(String(64))
    key: Mapped[str] = mapped_column(String(64))  # the label folded (NFKC, case): one topic per spelling
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class KnowhowConsent(Base):
    """The asker's last choice on the escalation card: colleagues may see the question / my name."""

    __tablename__ = "knowhow_consents"

    aad_object_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    share: Mapped[bool] = mapped_column(Boolean)
    show_name: Mapped[bool] = mapped_column(Boolean)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class KnowhowQuestion(Base):
    """An escalated question colleagues were asked about; the row the first answer wins on."""

    __tablename__ = "knowhow_questions"

    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), primary_key=True)
    show_name: Mapped[bool] = mapped_column(Boolean)
    answered_request_id: Mapped[int | None] = mapped_column(Integer)
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class HelperRequest(Base):
    """One helper asked about one question, and what they did."""

    __tablename__ = "knowhow_requests"
    __table_args__ = (
        UniqueConstraint("ticket_id", "helper_aad_object_id", name="uq_knowhow_requests_ticket_helper"),
        CheckConstraint(f"state IN ({', '.join(repr(state.value) for state in RequestState)})", name="state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("knowhow_questions.ticket_id"), index=True)
    helper_aad_object_id: Mapped[str] = mapped_column(
        ForeignKey("knowhow_profiles.aad_object_id", ondelete="CASCADE"), index=True
    )
    score: Mapped[float] = mapped_column(Float)
    topic: Mapped[str | None] = mapped_column(String(64))  # the helper's topic that matched best
    state: Mapped[str] = mapped_column(String(16))
    answer: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, index=True)
    responded_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
