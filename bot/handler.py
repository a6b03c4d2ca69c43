"""Kotae's router: decides what an activity is for and hands it to the right place.

Routing is by tables: typed commands through `commands` (by `CommandName`), card clicks through
`verbs` (by the `Action.Execute` verb), everything else that is text goes to `ask`. It speaks only
Kotae's turn interface (`bot.turn`); `bot.seam.turns` calls it for each kind of activity.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

from bot.cards.help import help_card
from bot.cards.welcome import welcome_card
from bot.commands import CommandName, ParsedCommand, parse_command
from bot.i18n import Lang, language_of_locale
from bot.invoke import InvokeResult, unknown_verb
from bot.routing import (
    ActivityObserver,
    AskHandler,
    CommandHandler,
    LanguagePreference,
    ThreadHandler,
    VerbHandler,
)
from bot.services import Services
from bot.turn import Turn

__all__ = ["KotaeBot"]

_log = logging.getLogger(__name__)


class KotaeBot:
    def __init__(
        self,
        services: Services,
        *,
        ask: AskHandler,
        commands: Mapping[CommandName, CommandHandler] | None = None,
        verbs: Mapping[str, VerbHandler] | None = None,
        thread_reply: ThreadHandler | None = None,
        observers: Sequence[ActivityObserver] = (),
        preferred_language: LanguagePreference | None = None,
    ) -> None:
        self._services = services
        self._ask = ask
        self._commands: dict[CommandName, CommandHandler] = {CommandName.HELP: self._help, **(commands or {})}
        self._verbs = dict(verbs or {})
        self._thread_reply = thread_reply
        self._observers = tuple(observers)
        self._preferred_language = preferred_language
        # Conversations whose reference this process has stored, with the service URL it had.
        self._known_references: dict[str, str] = {}

    @property
    def verbs(self) -> Mapping[str, VerbHandler]:
        return self._verbs

    @property
    def commands(self) -> Mapping[CommandName, CommandHandler]:
        return self._commands

    async def begin(self, turn: Turn) -> Lang:
        """What every activity goes through before it is routed; the language to answer in."""
        activity = turn.activity
        await self._remember_reference(turn)
        for observe in self._observers:
            await observe(activity)
        preferred = await self._preferred_language(activity) if self._preferred_language else None
        return preferred or language_of_locale(activity.locale, self._services.settings.default_locale)

    async def _remember_reference(self, turn: Turn) -> None:
        """Keep how to reach this conversation again; written only when new or moved."""
        activity = turn.activity
        if not activity.conversation_id or not activity.service_url:
            return
        if self._known_references.get(activity.conversation_id) == activity.service_url:
            return
        sender = activity.sender
        async with self._services.sessions.begin() as session:
            await self._services.references.remember(
                session,
                turn.reference(),
                conversation_id=activity.conversation_id,
                service_url=activity.service_url,
                conversation_type=activity.conversation_type,
                user_aad_object_id=sender.aad_object_id if sender else None,
                tenant_id=activity.tenant_id,
            )
        self._known_references[activity.conversation_id] = activity.service_url

    # --- messages -----------------------------------------------------------------------------

    async def message(self, turn: Turn, lang: Lang) -> None:
        text = turn.activity.text
        command = parse_command(text)
        handler = self._commands.get(command.name) if command else None
        if command and handler:
            await handler(turn, command, lang)
            return
        if self._thread_reply is not None and await self._thread_reply(turn, lang):
            return
        await self._ask(turn, text, lang)

    async def _help(self, turn: Turn, _command: ParsedCommand, lang: Lang) -> None:
        ict_channel_id = self._services.settings.ict_channel_id
        ict_channel = ict_channel_id is not None and turn.activity.channel_id == ict_channel_id
        await turn.send(help_card(lang, ict_channel=ict_channel))

    # --- card actions -------------------------------------------------------------------------

    async def card_action(self, turn: Turn, lang: Lang) -> InvokeResult:
        """An `adaptiveCard/action` invoke: the verb's handler, whose answer is the invoke's body."""
        value = turn.activity.value
        action = value.get("action") if isinstance(value, dict) else None
        verb = action.get("verb") if isinstance(action, dict) else None
        data = action.get("data") if isinstance(action, dict) else None
        handler = self._verbs.get(verb) if isinstance(verb, str) else None
        if handler is None:
            _log.info("unknown card verb %r in activity %s", verb, turn.activity.id)
            return unknown_verb(lang)
        return await handler(turn, data if isinstance(data, dict) else {}, lang)

    # --- installs -----------------------------------------------------------------------------

    async def installed(self, turn: Turn, lang: Lang) -> None:
        await self._welcome_once(turn, lang)

    async def uninstalled(self, turn: Turn) -> None:
        async with self._services.sessions.begin() as session:
            await self._services.installations.forget(session, turn.activity.conversation_id)

    async def conversation_update(self, turn: Turn, lang: Lang) -> None:
        """Only the bot's own arrival matters here."""
        activity = turn.activity
        if activity.recipient_id and activity.recipient_id in activity.members_added:
            await self._welcome_once(turn, lang)

    async def _welcome_once(self, turn: Turn, lang: Lang) -> None:
        """Teams sends both conversationUpdate and installationUpdate for one install: welcome once."""
        activity = turn.activity
        # A team install arrives in the team's General channel thread; key the install by the team.
        conversation_id = activity.conversation_id.split(";")[0]
        async with self._services.sessions.begin() as session:
            first = await self._services.installations.record(session, conversation_id)
        if not first:
            return
        await turn.send(welcome_card(lang, team=activity.conversation_type == "channel"))
