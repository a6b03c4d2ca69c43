"""A 1:1 message while an ICT answer waits for the asker: about ticket #N, or a new question?"""

from __future__ import annotations

from botbuilder.schema import Activity

from bot.asker.activity import asker_of
from bot.asker.awaiting import AwaitingAnswers
from bot.asker.tickets import AskerTickets
from bot.tickets.actors import Actor
from bot.tickets.models import Ticket, TicketState
from bot.tickets.opening import NewTicket, TicketRouting, open_ticket
from bot.tickets.transitions import Action, Change, DeskPolicy, apply
from tests.asker.conversation import Chat, action, texts_of

STAFF = Actor(id="29:staff", aad_object_id="cccccccc-0000-0000-0000-000000000003", name="佐藤 情報")


async def _answered_ticket(chat: Chat) -> Ticket:
    """A ticket of the asker that ICT staff answered, made without a message to the bot.

    (A message would let the bot remember for a few seconds that nothing waited for the asker.)
    """
    activity = Activity().deserialize(chat.teams.message(chat.person, "犬の散歩"))
    request = NewTicket("key-1", asker_of(activity), "犬の散歩", "ja")
    async with chat.bot.runtime.services.sessions.begin() as session:
        opened = await open_ticket(session, request, routing=TicketRouting(None))
        ticket = await session.get_one(Ticket, opened.id)
        for change in (
            Change(ticket.id, Action.CLAIM, STAFF, TicketState.OPEN, 1),
            Change(ticket.id, Action.ANSWER, STAFF, TicketState.CLAIMED, 2, "警察に連絡してください"),
        ):
            assert (await apply(session, change, policy=DeskPolicy())).applied
    async with chat.bot.runtime.services.sessions() as session:
        return await session.get_one(Ticket, ticket.id)


async def _ticket(chat: Chat, ticket_id: int) -> Ticket:
    async with chat.bot.runtime.services.sessions() as session:
        return await session.get_one(Ticket, ticket_id)


async def test_a_follow_up_goes_back_to_the_claimer(chat: Chat):
    ticket = await _answered_ticket(chat)
    card = await chat.card("まだ庁舎にいます")
    assert card["body"][0]["text"] == "ICT担当が回答した質問 #1 についてのご連絡ですか?"
    assert "まだ庁舎にいます" in texts_of(card)
    reopen = action(card, "reopen")
    assert reopen["data"]["followup"] == "まだ庁舎にいます"
    await chat.click(reopen)
    reopened = await _ticket(chat, ticket.id)
    assert (reopened.state, reopened.claimer_aad_object_id) == ("claimed", STAFF.aad_object_id)
    # No answer waits any more: the next message is a question again.
    answer = await chat.card("wifiつながんない")
    assert answer["body"][0]["text"] == "庁内Wi-Fiにつながらない"


async def test_solved(chat: Chat):
    ticket = await _answered_ticket(chat)
    thanks = await chat.card("ありがとうございました")
    await chat.click(action(thanks, "confirm"))
    assert (await _ticket(chat, ticket.id)).state == "resolved"
    (reply,) = await chat.say("ありがとうございました")
    assert reply.text.startswith("どういたしまして")


async def test_a_new_question_is_answered_and_the_asker_is_not_asked_again(chat: Chat):
    ticket = await _answered_ticket(chat)
    card = await chat.card("wifiつながんない")
    new = await chat.click(action(card, "ask_new"))
    assert new.body["value"]["body"][0]["text"] == "庁内Wi-Fiにつながらない"
    assert (await _ticket(chat, ticket.id)).state == "answered"
    answer = await chat.card("PDFを結合したい")
    assert action(answer, "helpful")["data"]["entry"] == "pdf-merge"


async def test_nothing_waiting_is_remembered_briefly_and_a_dismissal_longer(chat: Chat):
    now = [0.0]
    awaiting = AwaitingAnswers(
        chat.bot.runtime.services.sessions, AskerTickets(DeskPolicy()), clock=lambda: now[0]
    )
    asker = chat.person.aad_object_id
    assert await awaiting.ticket_for(asker) is None
    ticket = await _answered_ticket(chat)
    assert await awaiting.ticket_for(asker) is None  # remembered: no read
    now[0] += 16
    assert (await awaiting.ticket_for(asker)).id == ticket.id
    awaiting.dismiss(asker)
    now[0] += 300
    assert await awaiting.ticket_for(asker) is None
    now[0] += 301
    assert (await awaiting.ticket_for(asker)).id == ticket.id
