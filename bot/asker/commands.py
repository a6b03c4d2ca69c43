"""The asker's typed commands: `my questions`, `cancel [N]` and `language [en|ja]`."""

from __future__ import annotations

from collections.abc import Mapping
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.asker.activity import asker_id
from bot.asker.tickets import AskerTickets, WithdrawOutcome
from bot.cards.language import language_card
from bot.cards.my_questions import my_questions_card
from bot.commands import CommandName, ParsedCommand
from bot.i18n import Lang, catalogue, is_lang
from bot.routing import CommandHandler
from bot.storage.preferences import LanguagePreferences
from bot.tickets.actors import Actor
from bot.turn import Turn

__all__ = ["AskerCommands"]

_WITHDRAW_REPLY = {
    WithdrawOutcome.DONE: "asker.cancel.done",
    WithdrawOutcome.NOT_FOUND: "asker.cancel.not_found",
    WithdrawOutcome.NOT_OPEN: "asker.cancel.not_open",
    WithdrawOutcome.CHANGED: "asker.cancel.changed",
}


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

    async def _my_questions(self, turn: Turn, _command: ParsedCommand, lang: Lang) -> None:
        async with self._sessions() as session:
            tickets = await self._tickets.recent(session, asker_id(turn.activity))
        await turn.send(my_questions_card(tickets, lang, timezone=self._timezone))

    async def _cancel(self, turn: Turn, command: ParsedCommand, lang: Lang) -> None:
        """`cancel N` withdraws ticket N; a bare `cancel` says what could be withdrawn.

        The asker's flow keeps no state between messages (cards carry it), so a bare `cancel` has no
        flow to leave: an open escalation card is dropped with its own Cancel button.
        """
        text = catalogue().text
        activity = turn.activity
        if not command.argument:
            async with self._sessions() as session:
                numbers = await self._tickets.withdrawable_numbers(session, asker_id(activity))
            reply = (
                text("asker.cancel.which", lang, numbers=", ".join(f"#{number}" for number in numbers))
                if numbers
                else text("asker.cancel.nothing", lang)
            )
            await turn.send(reply)
            return
        number = int(command.argument)
        sender = activity.sender
        actor = Actor(
            id=sender.id if sender else "",
            aad_object_id=asker_id(activity),
            name=sender.name if sender else None,
        )
        async with self._sessions.begin() as session:
            withdrawal = await self._tickets.withdraw(session, actor, number)
        state = text(f"asker.state.{withdrawal.state}", lang) if withdrawal.state else ""
        await turn.send(text(_WITHDRAW_REPLY[withdrawal.outcome], lang, number=number, state=state))

    async def _language(self, turn: Turn, command: ParsedCommand, lang: Lang) -> None:
        chosen = command.argument
        if not is_lang(chosen):
            await turn.send(language_card(lang))
            return
        await self._preferences.set(asker_id(turn.activity), chosen)
        await turn.send(catalogue().text("asker.language.changed", chosen))
