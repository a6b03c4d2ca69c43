"""Colleagues' know-how, assembled once by the runtime: commands and verbs for the bot, and the
`ColleagueHooks` the asker's escalation calls (bot/handoffs.py)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.commands import CommandName
from bot.handoffs import ColleagueConsent, ColleagueHooks, EscalatedQuestion
from bot.knowhow.colleagues import ColleaguePolicy, Colleagues
from bot.knowhow.consent import Consents
from bot.knowhow.matching import Terms
from bot.knowhow.teams import KnowhowTeams
from bot.routing import CommandHandler, VerbHandler
from bot.services import Services
from bot.tickets.opening import Asker, TicketRouting
from bot.tickets.transitions import DeskPolicy
from bot.turn import Turn

__all__ = ["Knowhow"]


@dataclass(frozen=True)
class Knowhow(ColleagueHooks):
    sessions: async_sessionmaker[AsyncSession]
    colleagues: Colleagues
    teams: KnowhowTeams

    @classmethod
    def build(cls, services: Services, terms: Terms, *, proposer_of: Callable[[Turn], Asker]) -> Knowhow:
        """`terms`: the knowledge analyzer's words of a text; `proposer_of`: who sends a proposal."""
        settings = services.settings
        colleagues = Colleagues(
            terms,
            policy=ColleaguePolicy.from_settings(settings),
            desk_policy=DeskPolicy.from_settings(settings),
        )
        teams = KnowhowTeams(
            services.sessions,
            colleagues,
            routing=TicketRouting.from_settings(settings),
            proposer_of=proposer_of,
        )
        return cls(services.sessions, colleagues, teams)

    @property
    def commands(self) -> Mapping[CommandName, CommandHandler]:
        return self.teams.commands

    @property
    def verbs(self) -> Mapping[str, VerbHandler]:
        return self.teams.verbs

    async def consent(self, aad_object_id: str) -> ColleagueConsent:
        async with self.sessions() as session:
            return await Consents().get(session, aad_object_id)

    async def after_escalation(self, session: AsyncSession, question: EscalatedQuestion) -> None:
        await self.colleagues.after_escalation(session, question)
