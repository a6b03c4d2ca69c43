"""A 1:1 message while an ICT answer waits for the asker: about ticket #N, or a new question?"""

from __future__ import annotations

from sqlalchemy import select

from bot.desk.actors import Actor
from bot.desk.models import Ticket, TicketState
from bot.desk.transitions import Action, Change, DeskPolicy, apply
from tests.asker.conversation import Chat, action, texts_of

STAFF = Actor(id="29:staff", aad_object_id="cccccccc-0000-0000-0000-000000000003", name="佐藤 情報")


async def _answered_ticket(chat: Chat) -> Ticket:
    card = await chat.card("宇宙人が庁舎に来ました")
    await chat.click(action(card, "escalate"))
    async with chat.bot.runtime.services.sessions.begin() as session:
        ticket = await session.scalar(select(Ticket))
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
    assert card["body"][0]["text"] == "ICT担当から回答した質問 #1 についてのご連絡ですか?"
    assert "まだ庁舎にいます" in texts_of(card)
    reopen = action(card, "reopen")
    assert reopen["data"]["followup"] == "まだ庁舎にいます"
    await chat.click(reopen)
    reopened = await _ticket(chat, ticket.id)
    assert (reopened.state, reopened.claimer_aad_object_id) == ("claimed", STAFF.aad_object_id)
    # No answer waits any more: the next message is a question again.
    answer = await chat.card("wifiつながんない")
    assert answer["body"][0]["text"] == "庁内Wi-Fiにつながらない"


async def test_solved_or_a_new_question(chat: Chat):
    ticket = await _answered_ticket(chat)
    card = await chat.card("wifiつながんない")
    new = await chat.click(action(card, "ask_new"))
    assert new.body["value"]["body"][0]["text"] == "庁内Wi-Fiにつながらない"
    assert (await _ticket(chat, ticket.id)).state == "answered"
    thanks = await chat.card("ありがとうございました")
    await chat.click(action(thanks, "confirm"))
    assert (await _ticket(chat, ticket.id)).state == "resolved"
    (reply,) = await chat.say("ありがとうございました")
    assert reply.text.startswith("どういたしまして")
