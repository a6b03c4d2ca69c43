"""Feedback on answers and "did you mean" picks: one row per card and user, a second click changes it.

The asker's words are masked before they are written, as in the question log (`QuestionMasker`).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.asker.masking import QuestionMasker
from bot.asker.models import FeedbackVote, SuggestedAlternate
from bot.storage.dialect import upsert_insert
from bot.storage.models import utcnow

__all__ = ["Feedback", "Pick", "Vote", "VoteKind"]


class VoteKind(StrEnum):
    HELPFUL = "helpful"
    NOT_HELPFUL = "not_helpful"


@dataclass(frozen=True, slots=True)
class Vote:
    answer_id: str
    user_aad_object_id: str
    query: str
    entry_id: str
    score: float
    decision: str
    vote: VoteKind
    lang: str


@dataclass(frozen=True, slots=True)
class Pick:
    card_id: str
    user_aad_object_id: str
    query: str
    entry_id: str
    score: float
    lang: str


async def _upsert(session: AsyncSession, table: Any, keys: list[Any], values: dict[str, Any]) -> None:
    """One statement: insert, or overwrite the row with the same key (the latest click wins)."""
    statement = upsert_insert(session, table).values(**values)
    key_names = {column.key for column in keys}
    statement = statement.on_conflict_do_update(
        index_elements=keys,
        set_={name: statement.excluded[name] for name in values if name not in key_names},
    )
    await session.execute(statement)


class Feedback:
    """Repository; methods take the unit of work's session and never commit."""

    def __init__(self, masker: QuestionMasker) -> None:
        self._mask = masker

    async def record_vote(self, session: AsyncSession, vote: Vote) -> None:
        await _upsert(
            session,
            FeedbackVote,
            [FeedbackVote.answer_id, FeedbackVote.user_aad_object_id],
            {
                "answer_id": vote.answer_id,
                "user_aad_object_id": vote.user_aad_object_id,
                "query": self._mask(vote.query),
                "entry_id": vote.entry_id,
                "score": vote.score,
                "decision": vote.decision,
                "vote": vote.vote.value,
                "lang": vote.lang,
                "voted_at": utcnow(),
            },
        )

    async def record_pick(self, session: AsyncSession, pick: Pick) -> None:
        await _upsert(
            session,
            SuggestedAlternate,
            [SuggestedAlternate.card_id],
            {
                "card_id": pick.card_id,
                "query": self._mask(pick.query),
                "entry_id": pick.entry_id,
                "score": pick.score,
                "lang": pick.lang,
                "user_aad_object_id": pick.user_aad_object_id,
                "picked_at": utcnow(),
            },
        )
