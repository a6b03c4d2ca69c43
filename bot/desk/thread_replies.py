"""Replies in a ticket's ICT thread that @mention the bot.

Teams can drop the inputs of a card clicked in a channel, and long answers are easier to type in a
reply: the claimer's reply to a claimed ticket's thread is the answer. Anyone else's reply is an
internal note: it stays in the thread and is not relayed to the asker. Who the sender is comes from
the member record Teams returns (`bot.desk.members`), as for the desk's verbs.
"""

from __future__ import annotations

from botbuilder.core import TurnContext
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.desk.members import Refused, desk_member
from bot.i18n import Lang, catalogue
from bot.teams import channel_id_of, clean_text, conversation_type_of
from bot.tickets.actors import Actor
from bot.tickets.models import Ticket, TicketState
from bot.tickets.transitions import Action, Change, DeskPolicy, apply

__all__ = ["ThreadReplies"]

_THREAD = ";messageid="


class ThreadReplies:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], *, policy: DeskPolicy) -> None:
        self._sessions = sessions
        self._policy = policy

    async def handle(self, turn_context: TurnContext, lang: Lang) -> bool:
        """True when the message was a reply in a ticket's thread (and is handled here)."""
        activity = turn_context.activity
        conversation_id = activity.conversation.id
        if conversation_type_of(activity) != "channel" or _THREAD not in conversation_id:
            return False
        root = conversation_id.split(_THREAD, 1)[1]
        async with self._sessions() as session:
            ticket = await session.scalar(
                select(Ticket).where(
                    Ticket.thread_root_id == root, Ticket.channel_id == channel_id_of(activity)
                )
            )
        if ticket is None:
            return False
        text = clean_text(activity)
        actor = await self._claimer(turn_context, ticket) if text else None
        if actor is None:
            await turn_context.send_activity(catalogue().text("desk.thread.internal_note", lang))
            return True
        change = Change(ticket.id, Action.ANSWER, actor, TicketState.CLAIMED, ticket.version, text)
        async with self._sessions.begin() as session:
            result = await apply(session, change, policy=self._policy)
        key = "desk.thread.answer_sent" if result.applied else "desk.refusal.stale"
        state = catalogue().text(f"desk.state.{result.ticket.state}", lang) if result.ticket else ""
        await turn_context.send_activity(catalogue().text(key, lang, state=state))
        return True

    async def _claimer(self, turn_context: TurnContext, ticket: Ticket) -> Actor | None:
        """The sender, when Teams says they are the desk member who claimed the ticket."""
        if ticket.state != TicketState.CLAIMED:
            return None
        try:
            actor = await desk_member(turn_context, ticket.channel_id)
        except Refused:
            return None
        return actor if actor.aad_object_id == ticket.claimer_aad_object_id else None
