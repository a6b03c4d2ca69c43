"""The Teams side of colleagues' know-how: the `know-how` and `提案` commands and the card verbs.

Thin: each handler reads who acts from the turn, calls the service in one unit of work and answers
with a card or a short message. Every verb acts on the clicker's own profile or request (the owner
is part of each statement's WHERE), so a forged or forwarded card changes nothing of anyone else's.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, Mapping
from typing import Annotated, Any

from pydantic import Field
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.card_data import CardData, Int32, parse
from bot.cards.knowhow import ANSWER_INPUT, TOPIC_INPUT, knowhow_notice_card, profile_card
from bot.commands import CommandName, ParsedCommand
from bot.i18n import Lang, catalogue
from bot.invoke import InvokeResult, card_response, message_response
from bot.knowhow.colleagues import AnswerOutcome, Colleagues, SolvedOutcome
from bot.knowhow.models import RequestState
from bot.knowhow.profiles import Person, Profiles
from bot.knowhow.proposals import open_proposal
from bot.routing import CommandHandler, VerbHandler
from bot.tickets.actors import Actor
from bot.tickets.opening import Asker, TicketRouting
from bot.turn import Incoming, Turn

__all__ = ["KnowhowTeams"]

_log = logging.getLogger(__name__)
_COMMAND_WORD = re.compile(r"^\s*\S+\s*")

_Handler = Callable[[Turn, Person, dict[str, Any], Lang], Awaitable[InvokeResult]]


def _person(activity: Incoming, lang: Lang) -> Person | None:
    sender = activity.sender
    if sender is None or not sender.aad_object_id:
        return None  # know-how is for staff signed in to Teams: an Entra object id is the key
    return Person(sender.aad_object_id, sender.name, activity.tenant_id, lang, activity.team_id)


def _actor(person: Person) -> Actor:
    return Actor(id=person.aad_object_id, aad_object_id=person.aad_object_id, name=person.name)


# Rows' ids start at 1.
_RowId = Annotated[Int32, Field(gt=0)]


class _NewTopicData(CardData):
    label: str = Field(validation_alias=TOPIC_INPUT)


class _TopicData(CardData):
    topic_id: _RowId


class _RequestData(CardData):
    request_id: _RowId


class _AnswerData(_RequestData):
    answer: str = Field(validation_alias=ANSWER_INPUT)


class _TicketData(CardData):
    ticket_id: _RowId


def _text(key: str, lang: Lang, **values: object) -> str:
    return catalogue().text(key, lang, **values)


class KnowhowTeams:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        colleagues: Colleagues,
        *,
        routing: TicketRouting,
        proposer_of: Callable[[Turn], Asker],
    ) -> None:
        self._sessions = sessions
        self._colleagues = colleagues
        self._profiles = Profiles()
        self._routing = routing
        self._proposer_of = proposer_of

    @property
    def commands(self) -> Mapping[CommandName, CommandHandler]:
        return {CommandName.KNOW_HOW: self._know_how, CommandName.PROPOSAL: self._proposal}

    @property
    def verbs(self) -> Mapping[str, VerbHandler]:
        return {
            "knowhow_add": self._as_person(self._add),
            "knowhow_remove": self._as_person(self._remove),
            "knowhow_pause": self._as_person(self._availability(False)),
            "knowhow_resume": self._as_person(self._availability(True)),
            "knowhow_leave": self._as_person(self._leave),
            "knowhow_answer": self._as_person(self._answer),
            "knowhow_unknown": self._as_person(self._decline(RequestState.UNKNOWN)),
            "knowhow_busy": self._as_person(self._decline(RequestState.BUSY)),
            "knowhow_solved": self._as_person(self._solved),
        }

    # --- commands -----------------------------------------------------------------------------

    async def _know_how(self, turn: Turn, _command: ParsedCommand, lang: Lang) -> None:
        person = _person(turn.activity, lang)
        if person is None:
            await turn.send(_text("knowhow.signed_in_only", lang))
            return
        await turn.send(await self._profile(person, lang))

    async def _proposal(self, turn: Turn, command: ParsedCommand, lang: Lang) -> None:
        activity = turn.activity
        # The idea as typed (the parsed argument is case-folded): the message without its command word.
        idea = _COMMAND_WORD.sub("", activity.text, count=1).strip() if command.argument else ""
        if not idea:
            await turn.send(_text("knowhow.proposal.usage", lang))
            return
        async with self._sessions.begin() as session:
            ticket = await open_proposal(
                session,
                key=f"proposal:{activity.conversation_id}:{activity.id}",
                proposer=self._proposer_of(turn),
                idea=idea,
                language=lang,
                routing=self._routing,
            )
        await turn.send(_text("knowhow.proposal.sent", lang, number=ticket.number))

    # --- verbs --------------------------------------------------------------------------------

    def _as_person(self, handler: _Handler) -> VerbHandler:
        async def run(turn: Turn, data: dict[str, Any], lang: Lang) -> InvokeResult:
            person = _person(turn.activity, lang)
            if person is None:
                return message_response(_text("knowhow.signed_in_only", lang))
            return await handler(turn, person, data, lang)

        return run

    async def _profile(self, person: Person, lang: Lang, notice: str | None = None) -> dict[str, Any]:
        async with self._sessions() as session:
            view = await self._profiles.view(session, person.aad_object_id)
        return profile_card(
            lang,
            topics=[(topic.id, topic.label) for topic in view.topics],
            available=view.available,
            helped_count=view.helped_count,
            notice=notice,
        )

    async def _add(self, _turn: Turn, person: Person, data: dict[str, Any], lang: Lang) -> InvokeResult:
        clicked = parse(_NewTopicData, data)
        async with self._sessions.begin() as session:
            added = clicked is not None and await self._profiles.add_topic(session, person, clicked.label)
        notice = None if added else _text("knowhow.profile.not_added", lang)
        return card_response(await self._profile(person, lang, notice))

    async def _remove(self, _turn: Turn, person: Person, data: dict[str, Any], lang: Lang) -> InvokeResult:
        if (clicked := parse(_TopicData, data)) is not None:
            async with self._sessions.begin() as session:
                await self._profiles.remove_topic(session, person.aad_object_id, clicked.topic_id)
        return card_response(await self._profile(person, lang))

    def _availability(self, available: bool) -> _Handler:
        async def handle(_turn: Turn, person: Person, _data: dict[str, Any], lang: Lang) -> InvokeResult:
            async with self._sessions.begin() as session:
                await self._profiles.set_available(session, person.aad_object_id, available)
            return card_response(await self._profile(person, lang))

        return handle

    async def _leave(self, _turn: Turn, person: Person, _data: dict[str, Any], lang: Lang) -> InvokeResult:
        async with self._sessions.begin() as session:
            await self._profiles.leave(session, person.aad_object_id)
        _log.info("know-how: a profile was deleted at its owner's request")
        return card_response(knowhow_notice_card(_text("knowhow.profile.left", lang)))

    async def _answer(self, _turn: Turn, person: Person, data: dict[str, Any], lang: Lang) -> InvokeResult:
        clicked = parse(_AnswerData, data)
        if clicked is None:
            return message_response(_text("knowhow.request.not_yours", lang))
        async with self._sessions.begin() as session:
            outcome = await self._colleagues.answer(
                session, clicked.request_id, _actor(person), clicked.answer
            )
        if outcome is AnswerOutcome.EMPTY:
            return message_response(_text("knowhow.request.empty", lang))
        if outcome is AnswerOutcome.WON:
            return card_response(knowhow_notice_card(_text("knowhow.request.sent", lang)))
        return message_response(_text(f"knowhow.request.{outcome.value}", lang))

    def _decline(self, state: RequestState) -> _Handler:
        async def handle(_turn: Turn, person: Person, data: dict[str, Any], lang: Lang) -> InvokeResult:
            clicked = parse(_RequestData, data)
            async with self._sessions.begin() as session:
                done = clicked is not None and await self._colleagues.decline(
                    session, clicked.request_id, _actor(person), state
                )
            if not done:
                return message_response(_text("knowhow.request.not_yours", lang))
            return card_response(knowhow_notice_card(_text(f"knowhow.request.{state.value}_noted", lang)))

        return handle

    async def _solved(self, _turn: Turn, person: Person, data: dict[str, Any], lang: Lang) -> InvokeResult:
        clicked = parse(_TicketData, data)
        if clicked is None:
            return message_response(_text("knowhow.solved.not_yours", lang))
        async with self._sessions.begin() as session:
            outcome, number = await self._colleagues.solved(session, clicked.ticket_id, _actor(person))
        if outcome is SolvedOutcome.DONE:
            return card_response(knowhow_notice_card(_text("knowhow.solved.done", lang, number=number)))
        return message_response(_text(f"knowhow.solved.{outcome.value}", lang, number=number))
