"""The asker's card verbs (docs/cards.md): votes, picks, "more", escalation, language.

Stateless: each click carries what it needs in its data. The asker's own buttons (vote, pick,
escalate, send, cancel) work only for the asker named in the data; anyone else gets a polite note
and nothing changes.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.asker.activity import asker_id
from bot.asker.awaiting import AwaitingAnswers
from bot.asker.card_data import (
    AskIctData,
    AskNewData,
    CancelData,
    ChooseData,
    EscalateData,
    LanguageData,
    MoreData,
    VoteData,
)
from bot.asker.escalation import Escalations
from bot.asker.feedback import Feedback, Pick, Vote, VoteKind
from bot.asker.question_log import FollowUp, QuestionLog
from bot.asker.questions import escalation_consent, render
from bot.card_data import CardData, parse
from bot.cards.answer import AnswerContext, answer_card, answer_version
from bot.cards.choices import alternatives_card
from bot.cards.escalation import escalate_card, escalation_cancelled_card, ticket_created_card
from bot.cards.markdown import teams_markdown
from bot.handoffs import ColleagueHooks
from bot.i18n import Lang, catalogue
from bot.invoke import InvokeResult, card_response, message_response
from bot.routing import VerbHandler
from bot.storage.preferences import LanguagePreferences
from bot.tickets.opening import IdempotencyKeyReusedError
from bot.turn import Turn
from dialogs import AskerFlow

__all__ = ["AskerClicks"]

_log = logging.getLogger(__name__)
_Handler = Callable[[Turn, Any, Lang], Awaitable[InvokeResult]]


def _new_id() -> str:
    return uuid.uuid4().hex


def _expired(lang: Lang) -> InvokeResult:
    return message_response(catalogue().text("asker.expired", lang))


class AskerClicks:
    def __init__(
        self,
        *,
        sessions: async_sessionmaker[AsyncSession],
        flow: AskerFlow,
        feedback: Feedback,
        escalations: Escalations,
        preferences: LanguagePreferences,
        awaiting: AwaitingAnswers,
        log: QuestionLog,
        colleagues: ColleagueHooks | None = None,
    ) -> None:
        self._colleagues = colleagues
        self._log = log
        self._sessions = sessions
        self._flow = flow
        self._feedback = feedback
        self._escalations = escalations
        self._preferences = preferences
        self._awaiting = awaiting

    @property
    def verbs(self) -> Mapping[str, VerbHandler]:
        """The verb table for `KotaeBot`: each verb with its data model and whether only the asker may click."""
        return {
            "helpful": self._guarded(VoteData, self._helpful),
            "not_helpful": self._guarded(VoteData, self._not_helpful),
            "choose": self._guarded(ChooseData, self._choose),
            "ask_ict": self._guarded(AskIctData, self._ask_ict),
            "ask_new": self._guarded(AskNewData, self._ask_new),
            "escalate": self._guarded(EscalateData, self._escalate),
            "cancel": self._guarded(CancelData, self._cancel),
            "more": self._guarded(MoreData, self._more, askers_only=False),
            "language": self._guarded(LanguageData, self._language, askers_only=False),
        }

    def _guarded(self, model: type[CardData], handler: _Handler, *, askers_only: bool = True) -> VerbHandler:
        """Validate the data; refuse a click on someone else's card before the handler runs."""

        async def handle(turn: Turn, data: dict[str, Any], lang: Lang) -> InvokeResult:
            parsed = parse(model, data)
            if parsed is None:
                _log.info(
                    "card data for %s did not validate (activity %s)",
                    model.__name__,
                    turn.activity.id,
                )
                return _expired(lang)
            if askers_only and getattr(parsed, "asker", None) != asker_id(turn.activity):
                _log.info("refused a click on another user's card (activity %s)", turn.activity.id)
                return message_response(catalogue().text("asker.not_yours", lang))
            return await handler(turn, parsed, lang)

        return handle

    async def _vote(self, data: VoteData, lang: Lang, kind: VoteKind) -> None:
        vote = Vote(
            answer_id=data.answer,
            user_aad_object_id=data.asker,
            query=data.question,
            entry_id=data.entry,
            score=data.score,
            decision=data.decision,
            vote=kind,
            lang=lang,
        )
        async with self._sessions.begin() as session:
            await self._feedback.record_vote(session, vote)
        self._log.follow(data.log, data.asker, FollowUp(kind.value), vote=kind.value, voted_entry=data.entry)

    async def _helpful(self, turn: Turn, data: VoteData, lang: Lang) -> InvokeResult:
        await self._vote(data, lang, VoteKind.HELPFUL)
        return message_response(catalogue().text("asker.vote.helpful", lang))

    async def _not_helpful(self, turn: Turn, data: VoteData, lang: Lang) -> InvokeResult:
        await self._vote(data, lang, VoteKind.NOT_HELPFUL)
        hits = (
            await self._flow.alternatives(data.question, lang, excluding=data.entry) if data.question else ()
        )
        card = alternatives_card(
            hits, lang, asker=data.asker, question=data.question, card_id=_new_id(), log_id=data.log
        )
        return card_response(card)

    async def _choose(self, turn: Turn, data: ChooseData, lang: Lang) -> InvokeResult:
        entry = self._flow.entry(data.entry)
        if entry is None:
            return _expired(lang)
        pick = Pick(data.card, data.asker, data.question, data.entry, data.score, lang)
        async with self._sessions.begin() as session:
            await self._feedback.record_pick(session, pick)
        self._log.follow(
            data.log, data.asker, FollowUp.PICKED, picked_entry=data.entry, picked_after=data.decision
        )
        context = AnswerContext(data.asker, data.question, data.score, data.decision, _new_id(), data.log)
        return card_response(answer_card(entry, lang, context))

    async def _ask_ict(self, turn: Turn, data: AskIctData, lang: Lang) -> InvokeResult:
        self._log.follow(data.log, data.asker, FollowUp.NONE_OF_THESE)
        card = escalate_card(
            lang,
            asker=data.asker,
            key=_new_id(),
            question=data.question,
            reason="asker.escalate.asked",
            log_id=data.log,
            consent=await escalation_consent(self._colleagues, None, data.asker),
        )
        return card_response(card)

    async def _ask_new(self, turn: Turn, data: AskNewData, lang: Lang) -> InvokeResult:
        self._awaiting.dismiss(data.asker)
        outcome = await self._flow.respond(data.question, lang)
        log_id = self._log.row_id(outcome, data.asker)
        self._log.record(
            log_id,
            outcome,
            lang=lang,
            asker=data.asker,
            conversation_type=turn.activity.conversation_type,
        )
        consent = await escalation_consent(self._colleagues, outcome, data.asker)
        reply = render(outcome, lang, data.asker, log_id, consent)
        return message_response(reply) if isinstance(reply, str) else card_response(reply)

    async def _escalate(self, turn: Turn, data: EscalateData, lang: Lang) -> InvokeResult:
        try:
            sent = await self._escalations.send(turn, data, lang)
        except IdempotencyKeyReusedError:
            _log.warning("escalation key reused by another user (activity %s)", turn.activity.id)
            return message_response(catalogue().text("asker.not_yours", lang))
        if sent.ticket.created:
            _log.info("ticket #%s opened (activity %s)", sent.ticket.number, turn.activity.id)
        return card_response(ticket_created_card(lang, number=sent.ticket.number, question=sent.question))

    async def _cancel(self, turn: Turn, data: CancelData, lang: Lang) -> InvokeResult:
        return card_response(escalation_cancelled_card(lang))

    async def _more(self, turn: Turn, data: MoreData, lang: Lang) -> InvokeResult:
        entry = self._flow.entry(data.entry)
        if (
            entry is None
            or answer_version(entry) != data.version
            or data.offset >= len(teams_markdown(entry.answer))
        ):
            return _expired(lang)
        card = answer_card(entry, lang, start=data.offset)
        # A new message below the card (Teams can drop long invoke responses; a message always arrives).
        await turn.send(card)
        return message_response(catalogue().text("asker.answer.more_sent", lang))

    async def _language(self, turn: Turn, data: LanguageData, lang: Lang) -> InvokeResult:
        await self._preferences.set(asker_id(turn.activity), data.lang)
        return message_response(catalogue().text("asker.language.changed", data.lang))
