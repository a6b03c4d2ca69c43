"""The asker's part of the retention purge: after N days the asker's words leave feedback and picks.

Votes and picks keep their entry, score, vote and time (what FAQ editors count); only `query`, the
asker's own text, is cleared. The desk's housekeeping runs it beside its own purge, in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.asker.models import FeedbackVote, SuggestedAlternate

__all__ = ["AskerPurgeReport", "purge_asker_texts"]


@dataclass(frozen=True, slots=True)
class AskerPurgeReport:
    votes: int
    picks: int


async def purge_asker_texts(
    session: AsyncSession, *, older_than: timedelta, now: datetime
) -> AskerPurgeReport:
    """Clear the query of votes and picks made before `now - older_than`; never commits."""
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
    return AskerPurgeReport(votes.rowcount, picks.rowcount)
