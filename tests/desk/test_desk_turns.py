"""The desk driven through Kotae's turn interface, without the SDK: thread replies, verbs and commands
decide who acts from the member record the turn returns (`Turn.member`), never from the body's claims."""

from __future__ import annotations

from datetime import time
from zoneinfo import ZoneInfo

from sqlalchemy import update

from bot.commands import parse_command
from bot.desk.commands import DeskCommands
from bot.desk.thread_replies import ThreadReplies
from bot.desk.verbs import DeskVerbs
from bot.i18n import catalogue
from bot.insights.summary import last_week_summary
from bot.tickets.business_hours import BusinessCalendar
from bot.tickets.models import Ticket, TicketState
from bot.tickets.opening import TicketRouting, open_ticket
from bot.tickets.transitions import Action, Change, DeskPolicy, apply
from bot.turn import Member, Sender
from tests.desk.conftest import Database
from tests.desk.factories import ICT_CHANNEL, new_ticket, staff
from tests.turns import RecordingTurn, incoming

ZONE = ZoneInfo("Asia/Tokyo")
ROOT = "1700000000000"
CLAIMER = staff(1)
MEMBERS = {
    CLAIMER.id: Member(CLAIMER.id, CLAIMER.aad_object_id, CLAIMER.name, "user"),
    "29:staff-2": Member("29:staff-2", "aad-staff-2", "ICT 2", "user"),
    "29:guest": Member("29:guest", "aad-guest", "ゲスト", "Guest"),
}


def _in_ict(sender_id: str, text: str = "", *, thread: bool = False, **fields: object) -> RecordingTurn:
    """A message (or click) in the ICT channel; the body claims an Entra id Teams does not confirm."""
    activity = incoming(
        text=text,
        conversation_type="channel",
        conversation_id=f"{ICT_CHANNEL};messageid={ROOT}" if thread else ICT_CHANNEL,
        channel_id=ICT_CHANNEL,
        team_id=ICT_CHANNEL,
        sender=Sender(sender_id, CLAIMER.aad_object_id, "名乗った名前"),
        mentions_bot=True,
        **fields,
    )
    return RecordingTurn(activity, members=MEMBERS)


async def _claimed_ticket(db: Database) -> int:
    async with db.sessions.begin() as session:
        opened = await open_ticket(session, new_ticket(), routing=TicketRouting(ICT_CHANNEL))
        assert (
            await apply(
                session, Change(opened.id, Action.CLAIM, CLAIMER, TicketState.OPEN, 1), policy=DeskPolicy()
            )
        ).applied
        await session.execute(update(Ticket).where(Ticket.id == opened.id).values(thread_root_id=ROOT))
    return opened.id


async def _state(db: Database, ticket_id: int) -> TicketState:
    async with db.sessions() as session:
        return TicketState((await session.get_one(Ticket, ticket_id)).state)


async def test_the_claimers_reply_in_the_thread_is_the_answer(db: Database) -> None:
    ticket_id = await _claimed_ticket(db)
    replies = ThreadReplies(db.sessions, policy=DeskPolicy())
    turn = _in_ict(CLAIMER.id, "再起動してください", thread=True)
    assert await replies.handle(turn, "ja")
    assert turn.texts() == [catalogue().text("desk.thread.answer_sent", "ja")]
    assert await _state(db, ticket_id) == TicketState.ANSWERED


async def test_anyone_elses_reply_is_an_internal_note_even_claiming_the_claimers_id(db: Database) -> None:
    ticket_id = await _claimed_ticket(db)
    replies = ThreadReplies(db.sessions, policy=DeskPolicy())
    for sender in ("29:staff-2", "29:guest", "29:stranger"):
        turn = _in_ict(sender, "私が答えます", thread=True)
        assert await replies.handle(turn, "ja")
        assert turn.texts() == [catalogue().text("desk.thread.internal_note", "ja")]
    assert await _state(db, ticket_id) == TicketState.CLAIMED


async def test_a_message_outside_a_tickets_thread_is_not_a_thread_reply(db: Database) -> None:
    await _claimed_ticket(db)
    replies = ThreadReplies(db.sessions, policy=DeskPolicy())
    turn = _in_ict(CLAIMER.id, "こんにちは")
    assert not await replies.handle(turn, "ja")
    assert turn.sent == []


async def test_a_desk_verb_acts_as_the_member_teams_names_and_refuses_guests(db: Database) -> None:
    async with db.sessions.begin() as session:
        opened = await open_ticket(session, new_ticket(), routing=TicketRouting(ICT_CHANNEL))
    claim = DeskVerbs(db.sessions, policy=DeskPolicy(), zone=ZONE).handlers()["claim"]
    data = {"ticket_id": opened.id, "state": "open", "version": 1}

    refused = await claim(_in_ict("29:guest"), data, "en")
    assert refused["value"] == catalogue().text("desk.refusal.guest", "en")
    claimed = await claim(_in_ict("29:staff-2"), data, "en")
    assert claimed["type"] == "application/vnd.microsoft.card.adaptive"
    async with db.sessions() as session:
        ticket = await session.get_one(Ticket, opened.id)
    assert (ticket.state, ticket.claimer_aad_object_id) == (TicketState.CLAIMED, "aad-staff-2")


async def test_desk_commands_answer_only_in_an_ict_channel(db: Database) -> None:
    commands = DeskCommands(
        db.sessions,
        ict_channels={ICT_CHANNEL},
        zone=ZONE,
        calendar=BusinessCalendar(ZONE, time(8, 30), time(17, 15), frozenset()),
        weekly_summary=last_week_summary,
    )
    command = parse_command("tickets")
    assert command is not None
    elsewhere = RecordingTurn(incoming(text="tickets"), members=MEMBERS)
    await commands.tickets(elsewhere, command, "en")
    assert elsewhere.sent == [catalogue().text("desk.refusal.wrong_place", "en")]
    here = _in_ict(CLAIMER.id, "tickets")
    await commands.tickets(here, command, "en")
    [card] = here.cards()
    assert card["type"] == "AdaptiveCard"


async def test_forged_or_truncated_desk_card_data_is_refused_politely_and_changes_nothing(
    db: Database,
) -> None:
    async with db.sessions.begin() as session:
        opened = await open_ticket(session, new_ticket(), routing=TicketRouting(ICT_CHANNEL))
    verbs = DeskVerbs(db.sessions, policy=DeskPolicy(), zone=ZONE).handlers()
    good = {"ticket_id": opened.id, "state": "open", "version": 1}
    forged = [
        {},
        {**good, "ticket_id": True},  # JSON true is not ticket 1
        {**good, "ticket_id": 2**31},  # no such integer column value
        {**good, "version": "１"},
        {**good, "state": "taken"},
        {**good, "ticket_id": None},
    ]
    refusal = catalogue().text("desk.refusal.bad_input", "en")
    for data in forged:
        for verb in ("claim", "add_faq", "refresh", "withdraw"):
            if verb in ("add_faq", "refresh") and "ticket_id" in data and data["ticket_id"] == opened.id:
                continue  # these read only the ticket id, which is fine here
            reply = await verbs[verb](_in_ict("29:staff-2"), data, "en")
            assert reply["value"] == refusal, (verb, data)
    assert await _state(db, opened.id) == TicketState.OPEN
    # The same click, well formed, goes through: the refusals were for the data, not the person.
    claimed = await verbs["claim"](_in_ict("29:staff-2"), good, "en")
    assert claimed["type"] == "application/vnd.microsoft.card.adaptive"
