"""The asker's part of the retention purge: after N days the asker's words leave feedback, picks and
the question log.

Votes, picks and logged questions keep their entry, score, vote, outcome and time (what FAQ editors
count); only the asker's own (masked, in the log) text is cleared. The runtime hands it to the desk's
housekeeping, which runs it beside its own purge, in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.asker.models import FeedbackVote, LoggedQuestion, SuggestedAlternate

__all__ = ["AskerPurgeReport", "purge_asker_texts"]


@dataclass(frozen=True, slots=True)
class AskerPurgeReport:
    votes: int
    picks: int
    questions: int


async def purge_asker_texts(
    session: AsyncSession, *, older_than: timedelta, now: datetime
) -> AskerPurgeReport:
    """Clear the texts of votes, picks and logged questions before `now - older_than`; never commits."""
    cutoff = now - older_than
    votes = await session.execute(
        update(FeedbackVote)
        .where(FeedbackVote.voted_at <= cutoff, FeedbackVote.query.is_not(None))
        .values(query=None)
        .execution_options(synchronize_session=False)
    )
    picks = await session.execute(
        update(SuggestedAlternate)
        .where(SuggestedAlternate.picked_at <= cutoff, SuggestedAlternate.query.is_not(None))
        .values(query=None)
        .execution_options(synchronize_session=False)
    )
    questions = await session.execute(
        update(LoggedQuestion)
        .where(LoggedQuestion.asked_at <= cutoff, LoggedQuestion.question.is_not(None))
        .values(question=None)
        .execution_options(synchronize_session=False)
    )
    return AskerPurgeReport(votes.rowcount, picks.rowcount, questions.rowcount)
