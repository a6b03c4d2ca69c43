"""The small interfaces features meet through, wired by the composition root (bot/runtime.py).

The asker's escalation tells colleagues' know-how (bot/knowhow) about a new ticket through
`ColleagueHooks`, without either room importing the other. `ColleagueConsent` is plain data beside
the card that asks for it (`bot/cards/escalation.py`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from bot.cards.escalation import ColleagueConsent

__all__ = ["ColleagueConsent", "ColleagueHooks", "EscalatedQuestion"]


@dataclass(frozen=True, slots=True)
class EscalatedQuestion:
    """A question that became a ticket, handed over inside the transaction that opened it."""

    ticket_id: int
    created: bool  # False: a repeated Send of the same card
    asker_aad_object_id: str
    asker_name: str | None
    question: str
    category: str | None
    team_id: str | None  # the team it was asked in, if any
    consent: ColleagueConsent


class ColleagueHooks(Protocol):
    async def consent(self, aad_object_id: str) -> ColleagueConsent:
        """The asker's last choice, shown on their next escalation card."""
        ...

    async def after_escalation(self, session: AsyncSession, question: EscalatedQuestion) -> None:
        """Remember the consent and, with it, ask matching colleagues; never commits."""
        ...
