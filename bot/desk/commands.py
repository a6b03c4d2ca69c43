"""The ICT channel's commands: `tickets` / `チケット` (open and claimed, oldest first), `ticket N`, and
`insights` / `レポート` (last week's figures and top knowledge gaps).

They show what the desk verbs act on, so they apply the verbs' rules (`bot.desk.members`): typed in
an ICT channel by a member of its team who is not a guest, and only about tickets routed to that
channel (with `KOTAE_DESK_ROUTES`, each ICT channel sees its own tickets).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from botbuilder.core import MessageFactory, TurnContext
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, async_sessionmaker

from bot.cards.base import to_attachment
from bot.cards.insights import insights_card
from bot.cards.ticket import ListedTicket, ticket_card, ticket_list_card
from bot.commands import CommandName, ParsedCommand
from bot.desk.members import Refused, desk_member
from bot.i18n import Lang, catalogue
from bot.routing import CommandHandler
from bot.teams import channel_id_of
from bot.tickets.actors import Actor
from bot.tickets.business_hours import BusinessCalendar
from bot.tickets.models import Ticket
from bot.tickets.queries import active_tickets, ticket_by_number
from bot.tickets.views import ticket_view

__all__ = ["DeskCommands", "WeeklySummary"]

# Last week's figures as of a day (`bot.insights.summary.last_week_summary`, handed in by the runtime).
WeeklySummary = Callable[[AsyncConnection, BusinessCalendar, date], Awaitable[dict[str, Any]]]


class DeskCommands:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        ict_channels: Collection[str],
        zone: ZoneInfo,
        calendar: BusinessCalendar,
        weekly_summary: WeeklySummary,
    ) -> None:
        self._sessions = sessions
        self._ict_channels = frozenset(ict_channels)
        self._zone = zone
        self._calendar = calendar
        self._weekly_summary = weekly_summary

    def handlers(self) -> dict[CommandName, CommandHandler]:
        """The command table for `KotaeBot(commands=…)`."""
        return {
            CommandName.TICKETS: self.tickets,
            CommandName.TICKET: self.ticket,
            CommandName.INSIGHTS: self.insights,
        }

    async def _member(self, turn_context: TurnContext, lang: Lang) -> tuple[str, Actor] | None:
        """The ICT channel the command was typed in and who typed it, or None after a polite refusal."""
        channel = channel_id_of(turn_context.activity)
        try:
            actor = await desk_member(turn_context, channel if channel in self._ict_channels else None)
        except Refused as refusal:
            await turn_context.send_activity(catalogue().text(refusal.key, lang, **refusal.values))
            return None
        assert channel is not None  # desk_member accepted it
        return channel, actor

    async def tickets(self, turn_context: TurnContext, _command: ParsedCommand, lang: Lang) -> None:
        if (member := await self._member(turn_context, lang)) is None:
            return
        channel, _actor = member
        async with self._sessions() as session:
            items = await active_tickets(session, channel_id=channel)
        listed = [ListedTicket(ticket_view(item.ticket), item.delivery_failed) for item in items]
        card = ticket_list_card(listed, lang, zone=self._zone)
        await turn_context.send_activity(MessageFactory.attachment(to_attachment(card)))

    async def insights(self, turn_context: TurnContext, _command: ParsedCommand, lang: Lang) -> None:
        """Every channel's questions, not only this channel's tickets: the FAQ is shared by all."""
        if await self._member(turn_context, lang) is None:
            return
        today = datetime.now(self._zone).date()
        async with self._sessions() as session:
            summary = await self._weekly_summary(await session.connection(), self._calendar, today)
        card = insights_card(summary, lang)
        await turn_context.send_activity(MessageFactory.attachment(to_attachment(card)))

    async def ticket(self, turn_context: TurnContext, command: ParsedCommand, lang: Lang) -> None:
        if (member := await self._member(turn_context, lang)) is None:
            return
        channel, actor = member
        number = int(command.argument)
        async with self._sessions() as session:
            ticket = await ticket_by_number(session, number)
            main = await session.get(Ticket, ticket.duplicate_of) if ticket and ticket.duplicate_of else None
        if ticket is None or ticket.channel_id != channel:  # another channel's ticket is not shown here
            await turn_context.send_activity(catalogue().text("desk.ticket.not_found", lang, number=number))
            return
        card = ticket_card(
            ticket_view(ticket),
            lang,
            zone=self._zone,
            main_number=main.number if main else None,
            for_claimer=actor.aad_object_id == ticket.claimer_aad_object_id,
        )
        await turn_context.send_activity(MessageFactory.attachment(to_attachment(card)))
