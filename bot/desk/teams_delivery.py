"""The outbox's Teams side: delivers each row through Kotae's `Conversations` (`bot.turn`).

- `new_thread`: the ticket card as a new thread in the ICT channel (`Conversations.start_thread`, at the
  channel's learned service URL); the thread's ids are stored on the ticket in the transaction that
  marks the row sent (`remember_thread`).
- `update_card`: the thread's card re-rendered from the ticket as it is now (idempotent).
- `thread_reply` / `notify_asker`: a notice in the ticket's thread / in the conversation it was asked in.
- `channel_notice`: a post in an ICT channel about the bot itself (its knowledge base is broken, or
  it could not authenticate to the Bot Connector): a new thread; needs no ticket.
- `send_card`: a card rendered when it was queued (e.g. a colleague's know-how request), sent to a
  conversation whose reference the bot stored; needs no ticket.

Cards are rendered when they are sent, so a late update never shows an old state. Connector errors
(`ConnectorFailure`) become outcomes through `outcome_of_failure`; a network error or timeout is retried, which for a new
thread can post it twice if Teams had accepted the first try before the connection broke.

An authentication failure (`ConnectorAuthFailure`) is no row's fault: the row waits without using up
an attempt, so nothing is marked failed while a secret is expired, and the alarm is raised once.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.cards.base import Card
from bot.cards.desk_notices import answer_card, notice_card
from bot.cards.ticket import ticket_card
from bot.desk.auth_alarm import ConnectorAuthAlarm
from bot.desk.channels import IctChannels
from bot.desk.outbox import Deferred, Deliverer, Delivery, Failed, Outcome, Sent, outcome_of_failure
from bot.i18n import Lang, catalogue, lang_or
from bot.storage.preferences import preferred_language
from bot.storage.references import ConversationReferences
from bot.tickets.models import OutboxKind, Ticket
from bot.tickets.views import ticket_view
from bot.turn import ChannelAddress, ConnectorAuthFailure, ConnectorFailure, Conversations, Reply

__all__ = ["TeamsDeliverer", "remember_thread"]

_NOT_CONFIGURED_WAIT = 300.0
_NOT_LEARNED_WAIT = 60.0
_NO_THREAD_WAIT = 10.0
# How long every row waits while the bot cannot authenticate (an attempt's worth of backoff, not used up).
_AUTH_FAILED_WAIT = 30.0


@dataclass(frozen=True, slots=True)
class _Row:
    ticket: Ticket
    main_number: int | None  # the number of the ticket this one duplicates


async def remember_thread(session: AsyncSession, delivery: Delivery, sent: Sent) -> None:
    """Store where a ticket's thread is (after-sent hook for `new_thread`)."""
    if delivery.ticket_id is None:
        return
    await session.execute(
        update(Ticket)
        .where(Ticket.id == delivery.ticket_id)
        .values(
            thread_conversation_id=sent.result["conversation_id"],
            thread_root_id=sent.result["activity_id"],
            card_activity_id=sent.result["activity_id"],
        )
    )


class TeamsDeliverer(Deliverer):
    def __init__(
        self,
        conversations: Conversations,
        sessions: async_sessionmaker[AsyncSession],
        *,
        desk_lang: Lang,
        zone: ZoneInfo,
        auto_resolve_days: float,
        channels: IctChannels | None = None,
        auth_alarm: ConnectorAuthAlarm | None = None,
    ) -> None:
        self._conversations = conversations
        self._auth_alarm = auth_alarm
        self._sessions = sessions
        self._lang = desk_lang
        self._zone = zone
        self._auto_resolve_days = auto_resolve_days
        self._channels = channels or IctChannels()
        self._kinds: dict[OutboxKind, Callable[[Delivery, _Row], Awaitable[Outcome]]] = {
            OutboxKind.NEW_THREAD: self._new_thread,
            OutboxKind.UPDATE_CARD: self._update_card,
            OutboxKind.THREAD_REPLY: self._thread_reply,
            OutboxKind.NOTIFY_ASKER: self._notify_asker,
        }

    async def deliver(self, delivery: Delivery) -> Outcome:
        # Any other error is not the connector's answer: the worker logs it and retries with backoff.
        try:
            outcome = await self._dispatch(delivery)
        except ConnectorFailure as failure:
            return outcome_of_failure(failure)
        except ConnectorAuthFailure as failure:
            if self._auth_alarm is not None:
                await self._auth_alarm.failed(failure.reason)
            return Deferred(failure.reason, _AUTH_FAILED_WAIT)
        if isinstance(outcome, Sent) and self._auth_alarm is not None:
            self._auth_alarm.recovered()
        return outcome

    async def _dispatch(self, delivery: Delivery) -> Outcome:
        if delivery.kind is OutboxKind.CHANNEL_NOTICE:
            return await self._channel_notice(delivery)
        if delivery.kind is OutboxKind.SEND_CARD:
            return await self._send_card(delivery)
        async with self._sessions() as session:
            ticket = await session.get(Ticket, delivery.ticket_id) if delivery.ticket_id is not None else None
            main_number = (
                (await session.get_one(Ticket, ticket.duplicate_of)).number
                if ticket and ticket.duplicate_of
                else None
            )
        if ticket is None:
            return Failed("the row's ticket no longer exists")
        return await self._kinds[delivery.kind](delivery, _Row(ticket, main_number))

    # --- kinds --------------------------------------------------------------------------------

    def _card(self, row: _Row) -> Card:
        return ticket_card(ticket_view(row.ticket), self._lang, zone=self._zone, main_number=row.main_number)

    async def _new_thread(self, delivery: Delivery, row: _Row) -> Outcome:
        channel_id = delivery.target_conversation_id or row.ticket.channel_id
        return await self._post_in_channel(channel_id, self._card(row))

    async def _channel_notice(self, delivery: Delivery) -> Outcome:
        """The payload's fields fill the catalogue text of its event; a field given per language
        (the problems found) is read in the channel's language."""
        payload = delivery.payload
        values = {
            name: "\n\n".join(value[self._lang]) if isinstance(value, dict) else value
            for name, value in payload.items()
            if name != "event"
        }
        text = catalogue().text(f"desk.channel.{payload['event']}", self._lang, **values)
        return await self._post_in_channel(delivery.target_conversation_id, text)

    async def _send_card(self, delivery: Delivery) -> Outcome:
        async with self._sessions() as session:
            reference = (
                await ConversationReferences().get(session, delivery.target_conversation_id)
                if delivery.target_conversation_id
                else None
            )
        if reference is None:
            return Failed("no stored reference for the card's conversation")
        await self._conversations.send(reference, dict(delivery.payload["card"]))
        return Sent()

    async def _post_in_channel(self, channel_id: str | None, reply: Reply) -> Outcome:
        """Post `reply` as a new thread in an ICT channel; `Sent` carries the thread's ids."""
        if channel_id is None:
            return Deferred("no ICT channel is configured (KOTAE_ICT_CHANNEL_ID)", _NOT_CONFIGURED_WAIT)
        async with self._sessions() as session:
            channel = await self._channels.get(session, channel_id)
        if channel is None:
            return Deferred("the ICT channel's service URL is not learned yet", _NOT_LEARNED_WAIT)
        thread = await self._conversations.start_thread(
            ChannelAddress(channel.service_url, channel_id, channel.tenant_id), reply
        )
        return Sent({"conversation_id": thread.conversation_id, "activity_id": thread.message_id})

    async def _thread(self, ticket: Ticket) -> ChannelAddress | None:
        """Where the ticket's thread is, once it is posted."""
        async with self._sessions() as session:
            channel = await self._channels.get(session, ticket.channel_id) if ticket.channel_id else None
        if ticket.thread_conversation_id is None or channel is None:
            return None
        return ChannelAddress(channel.service_url, ticket.thread_conversation_id, ticket.tenant_id)

    async def _update_card(self, delivery: Delivery, row: _Row) -> Outcome:
        ticket = row.ticket
        if ticket.card_activity_id is None:
            return Deferred("the ticket's card is not posted yet", _NO_THREAD_WAIT)
        if (thread := await self._thread(ticket)) is None:
            return Deferred("the ticket's thread is not posted yet", _NO_THREAD_WAIT)
        await self._conversations.update(thread, ticket.card_activity_id, self._card(row))
        return Sent()

    async def _thread_reply(self, delivery: Delivery, row: _Row) -> Outcome:
        ticket = row.ticket
        if (thread := await self._thread(ticket)) is None:
            return Deferred("the ticket's thread is not posted yet", _NO_THREAD_WAIT)
        await self._conversations.send(thread, self._thread_notice(delivery, ticket))
        return Sent()

    def _thread_notice(self, delivery: Delivery, ticket: Ticket) -> Reply:
        text = catalogue().text
        event = str(delivery.payload.get("event"))
        lang = self._lang
        if event == "reopened" and ticket.claimer_id:
            name = ticket.claimer_name or ticket.claimer_id
            card = notice_card(
                text("desk.thread.reopened", lang, claimer=f"<at>{name}</at>"),
                quote_label=text("desk.thread.followup", lang),
                quote=delivery.payload.get("text"),
                mention=(ticket.claimer_id, name),
            )
            return card
        if event == "colleague_answered":
            return notice_card(
                text(
                    "desk.thread.colleague_answered",
                    lang,
                    number=ticket.number,
                    name=delivery.payload["name"],
                ),
                quote_label=text("desk.thread.colleague_answer_label", lang),
                quote=delivery.payload.get("text"),
            )
        return text(f"desk.thread.{event}", lang, number=ticket.number)

    async def _notify_asker(self, delivery: Delivery, row: _Row) -> Outcome:
        ticket = row.ticket
        if not ticket.asker_reference:
            return Failed("the asker's conversation reference was purged")
        # The asker's `language` choice, read when sending: it may have changed since the ticket opened.
        async with self._sessions() as session:
            chosen = await preferred_language(session, ticket.asker_aad_object_id)
        lang = chosen or lang_or(ticket.language)
        await self._conversations.send(ticket.asker_reference, self._asker_notice(delivery, ticket, lang))
        return Sent()

    def _asker_notice(self, delivery: Delivery, ticket: Ticket, lang: Lang) -> Reply:
        text = catalogue().text
        event = str(delivery.payload.get("event"))
        note = delivery.payload.get("text")
        if event == "answered":
            answer = note or ticket.answer or ""
            return answer_card(ticket_view(ticket), answer, lang)
        if event == "resolved" and note:
            card = notice_card(
                text("desk.asker.resolved", lang, number=ticket.number),
                quote_label=text("desk.asker.resolved_note", lang),
                quote=note,
            )
            return card
        values = {
            "number": ticket.number,
            "name": ticket.claimer_name or "",
            "days": f"{self._auto_resolve_days:g}",
        }
        return text(f"desk.asker.{event}", lang, **values)
