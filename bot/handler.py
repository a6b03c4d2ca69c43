"""The Teams activity handler: decides what kind of activity arrived and hands it to the right place.

Routing is by tables: typed commands through `commands` (by `CommandName`), card clicks through
`verbs` (by the `Action.Execute` verb), everything else that is text goes to `ask`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

from botbuilder.core import InvokeResponse, MessageFactory, TurnContext
from botbuilder.core.teams import TeamsActivityHandler
from botbuilder.schema import Activity

from bot.cards.base import to_attachment
from bot.cards.help import help_card
from bot.cards.welcome import welcome_card
from bot.commands import CommandName, ParsedCommand, parse_command
from bot.i18n import Lang, language_of_locale
from bot.invoke import InvokeResult, unknown_verb
from bot.logs import bind_context
from bot.routing import (
    ActivityObserver,
    AskHandler,
    CommandHandler,
    LanguagePreference,
    ThreadHandler,
    VerbHandler,
)
from bot.services import Services
from bot.teams import channel_id_of, clean_text, conversation_type_of, tenant_of

__all__ = ["KotaeBot"]

_log = logging.getLogger(__name__)

_PREFERRED_LANGUAGE = "kotae.preferred_language"


class KotaeBot(TeamsActivityHandler):
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
        super().__init__()
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

    def language(self, turn_context: TurnContext) -> Lang:
        preferred = turn_context.turn_state.get(_PREFERRED_LANGUAGE)
        if preferred:
            return preferred
        return language_of_locale(turn_context.activity.locale, self._services.settings.default_locale)

    async def on_turn(self, turn_context: TurnContext) -> None:
        with bind_context(activity_id=turn_context.activity.id):
            await self._remember_reference(turn_context.activity)
            for observe in self._observers:
                await observe(turn_context.activity)
            if self._preferred_language is not None:
                preferred = await self._preferred_language(turn_context.activity)
                turn_context.turn_state[_PREFERRED_LANGUAGE] = preferred
            await super().on_turn(turn_context)

    async def _remember_reference(self, activity: Activity) -> None:
        """Keep how to reach this conversation again; written only when new or moved."""
        conversation = activity.conversation
        if conversation is None or not activity.service_url:
            return
        if self._known_references.get(conversation.id) == activity.service_url:
            return
        reference = TurnContext.get_conversation_reference(activity)
        sender = activity.from_property
        async with self._services.sessions.begin() as session:
            await self._services.references.remember(
                session,
                reference,
                conversation_type=conversation_type_of(activity),
                user_aad_object_id=sender.aad_object_id if sender else None,
                tenant_id=tenant_of(activity),
            )
        self._known_references[conversation.id] = activity.service_url

    # --- messages -----------------------------------------------------------------------------

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        text = clean_text(turn_context.activity)
        lang = self.language(turn_context)
        command = parse_command(text)
        handler = self._commands.get(command.name) if command else None
        if command and handler:
            await handler(turn_context, command, lang)
            return
        if self._thread_reply is not None and await self._thread_reply(turn_context, lang):
            return
        await self._ask(turn_context, text, lang)

    async def _help(self, turn_context: TurnContext, _command: ParsedCommand, lang: Lang) -> None:
        ict_channel_id = self._services.settings.ict_channel_id
        ict_channel = ict_channel_id is not None and channel_id_of(turn_context.activity) == ict_channel_id
        card = help_card(lang, ict_channel=ict_channel)
        await turn_context.send_activity(MessageFactory.attachment(to_attachment(card)))

    # --- card actions -------------------------------------------------------------------------

    async def on_invoke_activity(self, turn_context: TurnContext) -> InvokeResponse:
        if turn_context.activity.name == "adaptiveCard/action":
            # Answered here, not by the SDK, whose serializer breaks on card bodies (TEAMS-NOTES).
            return InvokeResponse(status=200, body=await self._card_action(turn_context))
        return await super().on_invoke_activity(turn_context)

    async def _card_action(self, turn_context: TurnContext) -> InvokeResult:
        value = turn_context.activity.value
        action = value.get("action") if isinstance(value, dict) else None
        verb = action.get("verb") if isinstance(action, dict) else None
        data = action.get("data") if isinstance(action, dict) else None
        lang = self.language(turn_context)
        handler = self._verbs.get(verb) if isinstance(verb, str) else None
        if handler is None:
            _log.info("unknown card verb %r in activity %s", verb, turn_context.activity.id)
            return unknown_verb(lang)
        return await handler(turn_context, data if isinstance(data, dict) else {}, lang)

    # --- installs -----------------------------------------------------------------------------

    async def on_installation_update_add(self, turn_context: TurnContext) -> None:
        await self._welcome_once(turn_context)

    async def on_installation_update_remove(self, turn_context: TurnContext) -> None:
        async with self._services.sessions.begin() as session:
            await self._services.installations.forget(session, turn_context.activity.conversation.id)

    async def on_conversation_update_activity(self, turn_context: TurnContext) -> None:
        # Only the bot's own arrival matters here. botbuilder's Teams dispatch would look up every
        # added member with the connector first (one call each, failing on ids Teams does not know).
        activity = turn_context.activity
        bot_id = activity.recipient.id if activity.recipient else None
        if bot_id and any(member.id == bot_id for member in activity.members_added or []):
            await self._welcome_once(turn_context)

    async def _welcome_once(self, turn_context: TurnContext) -> None:
        """Teams sends both conversationUpdate and installationUpdate for one install: welcome once."""
        activity = turn_context.activity
        # A team install arrives in the team's General channel thread; key the install by the team.
        conversation_id = activity.conversation.id.split(";")[0]
        async with self._services.sessions.begin() as session:
            first = await self._services.installations.record(session, conversation_id)
        if not first:
            return
        lang = self.language(turn_context)
        team = conversation_type_of(activity) == "channel"
        await turn_context.send_activity(
            MessageFactory.attachment(to_attachment(welcome_card(lang, team=team)))
        )
