"""The desk's card verbs (`Action.Execute`), dispatched by a dict, with who may act checked first.

Desk verbs (claim, answer, release, force_release, resolve, link_duplicate, add_faq, refresh) come only
from the ticket's ICT channel, from a team member who is not a guest, acting as the member record Teams
returns names them (`bot.desk.members`); the tenant was checked by the web layer. Who within the desk may act (the claimer for answer, release and
resolve) is part of the transition's own conditional UPDATE. Asker verbs (confirm, reopen, withdraw)
are the asker's alone, also enforced by the UPDATE. A refused click changes nothing, is logged (ids
only) and gets a polite message; it never raises.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.card_data import CardData, Int32, OptionalText, parse
from bot.cards.desk_notices import notice_card
from bot.cards.ticket import format_time, ticket_card
from bot.desk.drafts import add_draft
from bot.desk.members import Refused, desk_member
from bot.i18n import Lang, catalogue
from bot.invoke import InvokeResult, card_response, message_response
from bot.routing import VerbHandler
from bot.tickets.actors import Actor
from bot.tickets.models import Ticket, TicketState
from bot.tickets.queries import ticket_by_number
from bot.tickets.transitions import Action, Change, DeskPolicy, Refusal, TransitionResult, apply
from bot.tickets.views import ticket_view
from bot.turn import Turn

__all__ = ["DESK_VERBS", "DeskVerbs"]

_log = logging.getLogger(__name__)

# verb → (transition, the card input that carries its text)
_DESK_TRANSITIONS: dict[str, tuple[Action, str | None]] = {
    "claim": (Action.CLAIM, None),
    "answer": (Action.ANSWER, "answer"),
    "release": (Action.RELEASE, None),
    "force_release": (Action.FORCE_RELEASE, None),
    "resolve": (Action.RESOLVE, "note"),
    "link_duplicate": (Action.LINK_DUPLICATE, None),
}
_ASKER_TRANSITIONS: dict[str, tuple[Action, str | None]] = {
    "confirm": (Action.CONFIRM, None),
    "reopen": (Action.REOPEN, "followup"),
    "withdraw": (Action.WITHDRAW, None),
}
DESK_VERBS = (*_DESK_TRANSITIONS, *_ASKER_TRANSITIONS, "add_faq", "refresh")

_Data = TypeVar("_Data", bound=CardData)


class _TicketData(CardData):
    ticket_id: Int32


class _TransitionData(_TicketData):
    """What the ticket card's buttons carry: the ticket as the card showed it, and its inputs."""

    state: TicketState
    version: Int32
    answer: OptionalText = None
    note: OptionalText = None
    followup: OptionalText = None
    main_number: Int32 | None = None


class _AddFaqData(_TicketData):
    faq_question: OptionalText = None


def _parsed(model: type[_Data], data: dict[str, Any]) -> _Data:
    parsed = parse(model, data)
    if parsed is None:
        raise Refused("desk.refusal.bad_input")
    return parsed


def _asker(turn: Turn) -> Actor:
    """The asker's verbs are checked against the ticket's asker by the transition's UPDATE."""
    sender = turn.activity.sender
    if sender is None:
        raise Refused("desk.refusal.bad_input")
    return Actor(id=sender.id or "", aad_object_id=sender.aad_object_id or "", name=sender.name)


class DeskVerbs:
    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], *, policy: DeskPolicy, zone: ZoneInfo
    ) -> None:
        self._sessions = sessions
        self._policy = policy
        self._zone = zone

    def handlers(self) -> dict[str, VerbHandler]:
        """The verb table for `KotaeBot(verbs=…)`."""
        table: dict[str, VerbHandler] = {}
        for verb, (action, field) in _DESK_TRANSITIONS.items():
            table[verb] = self._transition_handler(action, field, desk=True)
        for verb, (action, field) in _ASKER_TRANSITIONS.items():
            table[verb] = self._transition_handler(action, field, desk=False)
        table["add_faq"] = self._guarded(self._add_faq)
        table["refresh"] = self._guarded(self._refresh)
        return table

    # --- plumbing -----------------------------------------------------------------------------

    def _guarded(self, handler: VerbHandler) -> VerbHandler:
        async def run(turn: Turn, data: dict[str, Any], lang: Lang) -> InvokeResult:
            try:
                return await handler(turn, data, lang)
            except Refused as refusal:
                activity = turn.activity
                sender = activity.sender
                _log.info(
                    "desk: refused %s from %s (%s)", activity.id, sender.id if sender else None, refusal.key
                )
                return message_response(catalogue().text(refusal.key, lang, **refusal.values))

        return run

    def _transition_handler(self, action: Action, field: str | None, *, desk: bool) -> VerbHandler:
        async def handle(turn: Turn, data: dict[str, Any], lang: Lang) -> InvokeResult:
            clicked = _parsed(_TransitionData, data)
            ticket = await self._ticket(clicked.ticket_id)
            actor = await desk_member(turn, ticket.channel_id) if desk else _asker(turn)
            duplicate_of = (
                await self._main_ticket_id(clicked.main_number) if action is Action.LINK_DUPLICATE else None
            )
            text = getattr(clicked, field) if field else None
            change = Change(ticket.id, action, actor, clicked.state, clicked.version, text, duplicate_of)
            async with self._sessions.begin() as session:
                result = await apply(session, change, policy=self._policy)
            return await self._reply(result, change, lang, desk=desk)

        return self._guarded(handle)

    async def _ticket(self, ticket_id: int) -> Ticket:
        async with self._sessions() as session:
            ticket = await session.get(Ticket, ticket_id)
        if ticket is None:
            raise Refused("desk.refusal.not_found")
        return ticket

    async def _main_ticket_id(self, main_number: int | None) -> int:
        if main_number is None:
            raise Refused("desk.refusal.bad_input")
        async with self._sessions() as session:
            main = await ticket_by_number(session, main_number)
        if main is None:
            raise Refused("desk.refusal.bad_duplicate")
        return main.id

    async def _main_number(self, ticket: Ticket) -> int | None:
        if ticket.duplicate_of is None:
            return None
        async with self._sessions() as session:
            return (await session.get_one(Ticket, ticket.duplicate_of)).number

    def _card(self, ticket: Ticket, lang: Lang, actor: Actor, main_number: int | None) -> InvokeResult:
        mine = (
            ticket.claimer_aad_object_id is not None and ticket.claimer_aad_object_id == actor.aad_object_id
        )
        return card_response(
            ticket_card(ticket_view(ticket), lang, zone=self._zone, main_number=main_number, for_claimer=mine)
        )

    async def _reply(
        self, result: TransitionResult, change: Change, lang: Lang, *, desk: bool
    ) -> InvokeResult:
        ticket = result.ticket
        if not result.applied or ticket is None:
            _log.info(
                "desk: %s on ticket %s by %s refused (%s)",
                change.action,
                change.ticket_id,
                change.actor.aad_object_id,
                result.refusal,
            )
            return message_response(self._refusal_text(result, change, lang))
        if desk:
            return self._card(ticket, lang, change.actor, await self._main_number(ticket))
        key = {Action.CONFIRM: "desk.asker.confirmed", Action.REOPEN: "desk.asker.reopened"}.get(
            change.action, "desk.asker.withdrawn"
        )
        return card_response(notice_card(catalogue().text(key, lang, number=ticket.number)))

    def _refusal_text(self, result: TransitionResult, change: Change, lang: Lang) -> str:
        text = catalogue().text
        ticket = result.ticket
        if ticket is None or result.refusal is Refusal.NOT_FOUND:
            return text("desk.refusal.not_found", lang)
        state = text(f"desk.state.{ticket.state}", lang)
        someone_else = ticket.claimer_aad_object_id != change.actor.aad_object_id
        if (
            result.refusal in (Refusal.STALE, Refusal.ILLEGAL)
            and ticket.state == TicketState.CLAIMED
            and someone_else
        ):
            return text("desk.refusal.claimed_by", lang, name=ticket.claimer_name)
        if result.refusal is Refusal.TOO_EARLY and ticket.claimed_at is not None:
            allowed: datetime = ticket.claimed_at + self._policy.force_release_after
            return text("desk.refusal.too_early", lang, time=format_time(allowed, self._zone, lang))
        values = {"state": state, "name": ticket.claimer_name or ""}
        return text(f"desk.refusal.{result.refusal}", lang, **values)

    # --- verbs that are not transitions -------------------------------------------------------

    async def _add_faq(self, turn: Turn, data: dict[str, Any], lang: Lang) -> InvokeResult:
        clicked = _parsed(_AddFaqData, data)
        ticket = await self._ticket(clicked.ticket_id)
        actor = await desk_member(turn, ticket.channel_id)
        async with self._sessions.begin() as session:
            result = await add_draft(session, ticket.id, actor, question=clicked.faq_question)
        if result.draft is None:
            raise Refused("desk.draft.unavailable")
        key = "desk.draft.created" if result.created else "desk.draft.exists"
        return message_response(catalogue().text(key, lang, number=ticket.number))

    async def _refresh(self, turn: Turn, data: dict[str, Any], lang: Lang) -> InvokeResult:
        """Teams asks for the card of a user in `refresh.userIds`: the claimer gets their tools."""
        ticket = await self._ticket(_parsed(_TicketData, data).ticket_id)
        actor = await desk_member(turn, ticket.channel_id)
        return self._card(ticket, lang, actor, await self._main_number(ticket))
