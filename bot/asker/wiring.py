"""Builds the asker's handlers from what the runtime owns; `Runtime.build` plugs them into the bot."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.asker.activity import asker_id
from bot.asker.awaiting import AwaitingAnswers
from bot.asker.clicks import AskerClicks
from bot.asker.commands import AskerCommands
from bot.asker.escalation import Escalations
from bot.asker.feedback import Feedback
from bot.asker.log_writer import QuestionLogWriter
from bot.asker.masking import QuestionMasker
from bot.asker.question_log import QuestionLog
from bot.asker.questions import QuestionHandler
from bot.asker.tickets import AskerTickets
from bot.commands import CommandName
from bot.handoffs import ColleagueHooks
from bot.i18n import Lang
from bot.routing import CommandHandler, VerbHandler
from bot.services import Services
from bot.storage.preferences import LanguagePreferences
from bot.tickets.opening import TicketRouting
from bot.tickets.transitions import DeskPolicy
from bot.turn import Incoming
from dialogs import AskerFlow
from knowledge import LiveKnowledge

__all__ = ["AskerHandlers"]


@dataclass(frozen=True)
class AskerHandlers:
    ask: QuestionHandler
    commands: Mapping[CommandName, CommandHandler]
    verbs: Mapping[str, VerbHandler]
    preferences: LanguagePreferences
    log_writer: QuestionLogWriter  # started and stopped by the runtime

    @classmethod
    def build(
        cls, services: Services, knowledge: LiveKnowledge, colleagues: ColleagueHooks | None = None
    ) -> AskerHandlers:
        """`colleagues`: colleagues' know-how, told about each escalation (bot/knowhow), if wired."""
        settings = services.settings
        flow = AskerFlow(lambda: knowledge.matcher)
        preferences = LanguagePreferences(services.sessions)
        tickets = AskerTickets(DeskPolicy.from_settings(settings))
        awaiting = AwaitingAnswers(services.sessions, tickets)
        masker = QuestionMasker(settings.staff_number_pattern)
        log_writer = QuestionLogWriter(
            services.sessions, masker, interval=settings.question_log_flush_seconds
        )
        log = QuestionLog(log_writer, knowledge.status)
        clicks = AskerClicks(
            sessions=services.sessions,
            flow=flow,
            feedback=Feedback(masker),
            escalations=Escalations(
                services.sessions, flow, TicketRouting.from_settings(settings), log, colleagues
            ),
            preferences=preferences,
            awaiting=awaiting,
            log=log,
            colleagues=colleagues,
        )
        commands = AskerCommands(
            sessions=services.sessions,
            tickets=tickets,
            preferences=preferences,
            timezone=ZoneInfo(settings.timezone),
        )
        ask = QuestionHandler(flow, awaiting, log, colleagues)
        return cls(ask, commands.commands, clicks.verbs, preferences, log_writer)

    async def preferred_language(self, activity: Incoming) -> Lang | None:
        """The sender's `language` choice, which wins over the locale Teams sends."""
        sender = asker_id(activity)
        return await self.preferences.get(sender) if sender else None
