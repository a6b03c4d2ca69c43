"""The asker's typed commands: `my questions`, `cancel [N]` and `language [en|ja]`."""

from __future__ import annotations

from collections.abc import Mapping
from zoneinfo import ZoneInfo

from botbuilder.core import MessageFactory, TurnContext
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.asker.activity import asker_id
from bot.asker.tickets import AskerTickets, WithdrawOutcome
from bot.cards.base import Card, to_attachment
from bot.cards.language import language_card
from bot.cards.my_questions import my_questions_card
from bot.commands import CommandName, ParsedCommand
from bot.i18n import LANGUAGES, Lang, catalogue
from bot.routing import CommandHandler
from bot.storage.preferences import LanguagePreferences
from bot.tickets.actors import Actor

__all__ = ["AskerCommands"]

_WITHDRAW_REPLY = {
    WithdrawOutcome.DONE: "asker.cancel.done",
    WithdrawOutcome.NOT_FOUND: "asker.cancel.not_found",
    WithdrawOutcome.NOT_OPEN: "asker.cancel.not_open",
    WithdrawOutcome.CHANGED: "asker.cancel.changed",
}


async def _send_card(turn_context: TurnContext, card: Card) -> None:
    await turn_context.send_activity(MessageFactory.attachment(to_attachment(card)))


class AskerCommands:
    def __init__(
        self,
        *,
        sessions: async_sessionmaker[AsyncSession],
        tickets: AskerTickets,
        preferences: LanguagePreferences,
        timezone: ZoneInfo,
    ) -> None:
        self._sessions = sessions
        self._tickets = tickets
        self._preferences = preferences
        self._timezone = timezone

    @property
    def commands(self) -> Mapping[CommandName, CommandHandler]:
        return {
            CommandName.MY_QUESTIONS: self._my_questions,
            CommandName.CANCEL: self._cancel,
            CommandName.LANGUAGE: self._language,
        }

    async def _my_questions(self, turn_context: TurnContext, _command: ParsedCommand, lang: Lang) -> None:
        async with self._sessions() as session:
            tickets = await self._tickets.recent(session, asker_id(turn_context.activity))
        await _send_card(turn_context, my_questions_card(tickets, lang, timezone=self._timezone))

    async def _cancel(self, turn_context: TurnContext, command: ParsedCommand, lang: Lang) -> None:
        """`cancel N` withdraws ticket N; a bare `cancel` says what could be withdrawn.

        The asker's flow keeps no state between messages (cards carry it), so a bare `cancel` has no
        flow to leave: an open escalation card is dropped with its own Cancel button.
        """
        text = catalogue().text
        activity = turn_context.activity
        if not command.argument:
            async with self._sessions() as session:
                numbers = await self._tickets.withdrawable_numbers(session, asker_id(activity))
            reply = (
                text("asker.cancel.which", lang, numbers=", ".join(f"#{number}" for number in numbers))
                if numbers
                else text("asker.cancel.nothing", lang)
            )
            await turn_context.send_activity(reply)
            return
        number = int(command.argument)
        sender = activity.from_property
        actor = Actor(id=sender.id, aad_object_id=asker_id(activity), name=sender.name)
        async with self._sessions.begin() as session:
            withdrawal = await self._tickets.withdraw(session, actor, number)
        state = text(f"asker.state.{withdrawal.state}", lang) if withdrawal.state else ""
        await turn_context.send_activity(
            text(_WITHDRAW_REPLY[withdrawal.outcome], lang, number=number, state=state)
        )

    async def _language(self, turn_context: TurnContext, command: ParsedCommand, lang: Lang) -> None:
        if command.argument not in LANGUAGES:
            await _send_card(turn_context, language_card(lang))
            return
        chosen: Lang = "en" if command.argument == "en" else "ja"
        await self._preferences.set(asker_id(turn_context.activity), chosen)
        await turn_context.send_activity(catalogue().text("asker.language.changed", chosen))
