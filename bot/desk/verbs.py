"""The desk's card verbs (`Action.Execute`), dispatched by a dict, with who may act checked first.

Desk verbs (claim, answer, release, force_release, resolve, link_duplicate, add_faq, refresh) come only
from the ticket's ICT channel, from a team member who is not a guest (`TeamsInfo.get_member`); the
tenant was checked by the web layer. Who within the desk may act (the claimer for answer, release and
resolve) is part of the transition's own conditional UPDATE. Asker verbs (confirm, reopen, withdraw)
are the asker's alone, also enforced by the UPDATE. A refused click changes nothing, is logged (ids
only) and gets a polite message; it never raises.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from botbuilder.core import TurnContext
from botbuilder.core.teams import TeamsInfo
from botframework.connector.models import ErrorResponseException
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.cards.desk_notices import notice_card
from bot.cards.ticket import format_time, ticket_card
from bot.desk.actors import Actor
from bot.desk.drafts import add_draft
from bot.desk.models import Ticket, TicketState
from bot.desk.queries import ticket_by_number
from bot.desk.transitions import Action, Change, DeskPolicy, Refusal, TransitionResult, apply
from bot.handler import VerbHandler
from bot.i18n import Lang, catalogue
from bot.invoke import InvokeResult, card_response, message_response
from bot.teams import channel_id_of

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


class _Refused(Exception):
    """A click that may not proceed; `key` names the catalogue text for the clicker."""

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.values = values


def _actor(turn_context: TurnContext) -> Actor:
    sender = turn_context.activity.from_property
    return Actor(id=sender.id, aad_object_id=sender.aad_object_id or "", name=sender.name)


def _int(data: Mapping[str, Any], key: str) -> int:
    value = data.get(key)
    if isinstance(value, bool) or value in (None, ""):
        raise _Refused("desk.refusal.bad_input")
    try:
        return int(value)
    except (TypeError, ValueError):
        raise _Refused("desk.refusal.bad_input") from None


def _text(data: Mapping[str, Any], key: str | None) -> str | None:
    value = data.get(key) if key else None
    return value.strip() if isinstance(value, str) and value.strip() else None


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
        async def run(turn_context: TurnContext, data: dict[str, Any], lang: Lang) -> InvokeResult:
            try:
                return await handler(turn_context, data, lang)
            except _Refused as refusal:
                activity = turn_context.activity
                _log.info(
                    "desk: refused %s from %s (%s)",
                    activity.id,
                    activity.from_property.aad_object_id,
                    refusal.key,
                )
                return message_response(catalogue().text(refusal.key, lang, **refusal.values))

        return run

    def _transition_handler(self, action: Action, field: str | None, *, desk: bool) -> VerbHandler:
        async def handle(turn_context: TurnContext, data: dict[str, Any], lang: Lang) -> InvokeResult:
            ticket = await self._ticket(_int(data, "ticket_id"))
            if desk:
                await self._check_desk_member(turn_context, ticket)
            try:
                expected = TicketState(str(data.get("state")))
            except ValueError:
                raise _Refused("desk.refusal.bad_input") from None
            duplicate_of = await self._main_ticket_id(data) if action is Action.LINK_DUPLICATE else None
            change = Change(
                ticket.id,
                action,
                _actor(turn_context),
                expected,
                _int(data, "version"),
                _text(data, field),
                duplicate_of,
            )
            async with self._sessions.begin() as session:
                result = await apply(session, change, policy=self._policy)
            return await self._reply(result, change, lang, desk=desk)

        return self._guarded(handle)

    async def _ticket(self, ticket_id: int) -> Ticket:
        async with self._sessions() as session:
            ticket = await session.get(Ticket, ticket_id)
        if ticket is None:
            raise _Refused("desk.refusal.not_found")
        return ticket

    async def _main_ticket_id(self, data: Mapping[str, Any]) -> int:
        async with self._sessions() as session:
            main = await ticket_by_number(session, _int(data, "main_number"))
        if main is None:
            raise _Refused("desk.refusal.bad_duplicate")
        return main.id

    async def _check_desk_member(self, turn_context: TurnContext, ticket: Ticket) -> None:
        activity = turn_context.activity
        if ticket.channel_id is None or channel_id_of(activity) != ticket.channel_id:
            raise _Refused("desk.refusal.wrong_place")
        try:
            member = await TeamsInfo.get_member(turn_context, activity.from_property.id)
        except ErrorResponseException:
            raise _Refused("desk.refusal.not_member") from None
        if (member.user_role or "").lower() == "guest":
            raise _Refused("desk.refusal.guest")

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
            ticket_card(ticket, lang, zone=self._zone, main_number=main_number, for_claimer=mine)
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

    async def _add_faq(self, turn_context: TurnContext, data: dict[str, Any], lang: Lang) -> InvokeResult:
        ticket = await self._ticket(_int(data, "ticket_id"))
        await self._check_desk_member(turn_context, ticket)
        async with self._sessions.begin() as session:
            result = await add_draft(
                session, ticket.id, _actor(turn_context), question=_text(data, "faq_question")
            )
        if result.draft is None:
            raise _Refused("desk.draft.unavailable")
        key = "desk.draft.created" if result.created else "desk.draft.exists"
        return message_response(catalogue().text(key, lang, number=ticket.number))

    async def _refresh(self, turn_context: TurnContext, data: dict[str, Any], lang: Lang) -> InvokeResult:
        """Teams asks for the card of a user in `refresh.userIds`: the claimer gets their tools."""
        ticket = await self._ticket(_int(data, "ticket_id"))
        await self._check_desk_member(turn_context, ticket)
        return self._card(ticket, lang, _actor(turn_context), await self._main_number(ticket))
