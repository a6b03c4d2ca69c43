"""The asker's consent, remembered per person: may colleagues see my question, and my name?

Asked on every escalation card (defaults: the question yes, the name no, until the asker chooses).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.handoffs import ColleagueConsent
from bot.knowhow.models import KnowhowConsent
from bot.storage.dialect import upsert
from bot.storage.models import utcnow

__all__ = ["DEFAULT_CONSENT", "Consents"]

DEFAULT_CONSENT = ColleagueConsent(share=True, show_name=False)


class Consents:
    async def get(self, session: AsyncSession, aad_object_id: str) -> ColleagueConsent:
        row = (
            await session.execute(
                select(KnowhowConsent.share, KnowhowConsent.show_name).where(
                    KnowhowConsent.aad_object_id == aad_object_id
                )
            )
        ).one_or_none()
        return ColleagueConsent(row.share, row.show_name) if row else DEFAULT_CONSENT

    async def remember(self, session: AsyncSession, aad_object_id: str, consent: ColleagueConsent) -> None:
        values = {
            "aad_object_id": aad_object_id,
            "share": consent.share,
            "show_name": consent.show_name,
            "updated_at": utcnow(),
        }
        await session.execute(upsert(session, KnowhowConsent, values, "aad_object_id"))
