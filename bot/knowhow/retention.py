"""Colleagues' know-how in the retention purge and in a person's export.

- Purge (run by the desk's housekeeping beside its own, in one transaction): helper requests older
  than the retention period are deleted with the answers they carry (the ticket keeps what its thread
  was told, and loses that on its own clock); a profile its owner has not touched for that long
  (added a topic, paused, resumed) is deleted with its topics, as if its owner had left; consents not renewed for that long are forgotten (the card asks with defaults again).
- Export: the person's profile, topics, consent and the requests they were sent, with their answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.knowhow.models import HelperRequest, KnowhowConsent, KnowhowProfile, KnowhowTopic
from bot.knowhow.profiles import Profiles
from bot.storage.rows import changed_rows

__all__ = ["KnowhowPurgeReport", "export_knowhow", "purge_knowhow"]


@dataclass(frozen=True, slots=True)
class KnowhowPurgeReport:
    requests: int
    profiles: int
    consents: int


async def purge_knowhow(session: AsyncSession, *, older_than: timedelta, now: datetime) -> KnowhowPurgeReport:
    """Delete what is older than `now - older_than`; never commits."""
    cutoff = now - older_than
    requests = await session.execute(delete(HelperRequest).where(HelperRequest.created_at <= cutoff))
    stale = (
        await session.scalars(select(KnowhowProfile.aad_object_id).where(KnowhowProfile.updated_at <= cutoff))
    ).all()
    for owner in stale:
        await Profiles().leave(session, owner)
    consents = await session.execute(delete(KnowhowConsent).where(KnowhowConsent.updated_at <= cutoff))
    return KnowhowPurgeReport(changed_rows(requests), len(stale), changed_rows(consents))


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def _columns(row: Any) -> dict[str, Any]:
    return {column.key: _plain(getattr(row, column.key)) for column in type(row).__table__.columns}


async def export_knowhow(session: AsyncSession, aad_object_id: str) -> dict[str, Any]:
    profile = await session.get(KnowhowProfile, aad_object_id)
    consent = await session.get(KnowhowConsent, aad_object_id)
    topics = await session.scalars(
        select(KnowhowTopic).where(KnowhowTopic.aad_object_id == aad_object_id).order_by(KnowhowTopic.id)
    )
    requests = await session.scalars(
        select(HelperRequest)
        .where(HelperRequest.helper_aad_object_id == aad_object_id)
        .order_by(HelperRequest.id)
    )
    return {
        "knowhow_profile": _columns(profile) if profile else None,
        "knowhow_topics": [_columns(topic) for topic in topics],
        "knowhow_consent": _columns(consent) if consent else None,
        "knowhow_requests": [_columns(request) for request in requests],
    }
