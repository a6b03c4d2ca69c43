"""The ICT channels: how to reach each one, learned from activities in its team.

A new thread needs the channel's service URL (and tenant), which only an incoming activity tells: the
bot's install in the team, or any message or click in the channel. The General channel's id is the
team's id, so an install in the team of a General ICT channel teaches it too.
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.desk.models import IctChannel
from bot.storage.dialect import upsert
from bot.storage.models import utcnow
from bot.turn import Incoming

__all__ = ["IctChannels", "channel_taught_by"]


def channel_taught_by(activity: Incoming, watched: Collection[str]) -> str | None:
    """The watched channel this activity shows the way to, if any."""
    for candidate in (activity.channel_id, activity.team_id):
        if candidate and candidate in watched:
            return candidate
    return None


class IctChannels:
    """Repository; methods take the unit of work's session and never commit."""

    async def learn(self, session: AsyncSession, activity: Incoming, channel_id: str) -> None:
        """Insert or refresh (service URLs change) how to reach `channel_id`, in one statement."""
        values = {
            "channel_id": channel_id,
            "team_id": activity.team_id,
            "tenant_id": activity.tenant_id,
            "service_url": activity.service_url,
            "updated_at": utcnow(),
        }
        await session.execute(upsert(session, IctChannel, values, "channel_id"))

    async def get(self, session: AsyncSession, channel_id: str) -> IctChannel | None:
        return await session.get(IctChannel, channel_id)

    async def known(self, session: AsyncSession, channel_ids: Collection[str]) -> set[str]:
        rows = await session.scalars(
            select(IctChannel.channel_id).where(IctChannel.channel_id.in_(list(channel_ids)))
        )
        return set(rows)
