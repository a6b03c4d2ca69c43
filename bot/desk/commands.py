"""The ICT channel's commands: `tickets` / `チケット` (open and claimed, oldest first) and `ticket N`."""

from __future__ import annotations

from collections.abc import Collection
from zoneinfo import ZoneInfo

from botbuilder.core import MessageFactory, TurnContext
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.cards.base import to_attachment
from bot.cards.ticket import ticket_card, ticket_list_card
from bot.commands import CommandName, ParsedCommand
from bot.desk.models import Ticket
from bot.desk.queries import active_tickets, ticket_by_number
from bot.handler import CommandHandler
from bot.i18n import Lang, catalogue
from bot.teams import channel_id_of

__all__ = ["DeskCommands"]


class DeskCommands:
    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], *, ict_channels: Collection[str], zone: ZoneInfo
    ) -> None:
        self._sessions = sessions
        self._ict_channels = frozenset(ict_channels)
        self._zone = zone

    def handlers(self) -> dict[CommandName, CommandHandler]:
        """The command table for `KotaeBot(commands=…)`."""
        return {CommandName.TICKETS: self.tickets, CommandName.TICKET: self.ticket}

    async def _in_ict_channel(self, turn_context: TurnContext, lang: Lang) -> bool:
        if channel_id_of(turn_context.activity) in self._ict_channels:
            return True
        await turn_context.send_activity(catalogue().text("desk.refusal.wrong_place", lang))
        return False

    async def tickets(self, turn_context: TurnContext, _command: ParsedCommand, lang: Lang) -> None:
        if not await self._in_ict_channel(turn_context, lang):
            return
        async with self._sessions() as session:
            items = await active_tickets(session)
        card = ticket_list_card(items, lang, zone=self._zone)
        await turn_context.send_activity(MessageFactory.attachment(to_attachment(card)))

    async def ticket(self, turn_context: TurnContext, command: ParsedCommand, lang: Lang) -> None:
        if not await self._in_ict_channel(turn_context, lang):
            return
        number = int(command.argument)
        async with self._sessions() as session:
            ticket = await ticket_by_number(session, number)
            main = await session.get(Ticket, ticket.duplicate_of) if ticket and ticket.duplicate_of else None
        if ticket is None:
            await turn_context.send_activity(catalogue().text("desk.ticket.not_found", lang, number=number))
            return
        sender = turn_context.activity.from_property
        card = ticket_card(
            ticket,
            lang,
            zone=self._zone,
            main_number=main.number if main else None,
            for_claimer=bool(sender.aad_object_id) and sender.aad_object_id == ticket.claimer_aad_object_id,
        )
        await turn_context.send_activity(MessageFactory.attachment(to_attachment(card)))
