"""The whole life of a ticket over real HTTP, with Teams-shaped activities and the connector emulator.

The bot runs as in production (its outbox worker and housekeeping included); the asker's escalation
is the shared `open_ticket` service, called as the asker's flow calls it.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from botbuilder.core import TurnContext
from botbuilder.schema import Activity
from sqlalchemy import select

from bot.desk.drafts import export_drafts
from bot.desk.housekeeping import Housekeeping, ReminderPolicy
from bot.desk.models import FaqDraft
from bot.tickets.business_hours import BusinessCalendar
from bot.tickets.models import OutboxMessage, Ticket
from bot.tickets.opening import Asker, Candidate, NewTicket, open_ticket
from bot.tickets.transitions import DeskPolicy
from devtools.activities import Person, Place, TeamsActivities
from devtools.emulator import Call, ConnectorEmulator, Member
from tests.conftest import SettingsFactory
from tests.harness import BotUnderTest

ICT = "19:ictdesk0000000000000000000000000@thread.tacv2"  # the team's General channel: id = team id
OTHER_CHANNEL = "19:random000000000000000000000000@thread.tacv2"
STAFF = Person("佐藤 情報", "cccccccc-0000-0000-0000-000000000003")
STAFF2 = Person("鈴木 システム", "dddddddd-0000-0000-0000-000000000004")
GUEST = Person("外部 業者", "eeeeeeee-0000-0000-0000-000000000005")


@dataclass
class Desk:
    bot: BotUnderTest
    emulator: ConnectorEmulator
    teams: TeamsActivities
    asker: Person

    @property
    def channel(self) -> Place:
        return Place.channel(ICT, ICT)

    async def escalate(
        self,
        question: str = "Wi-Fiにつながらない",
        key: str = "send-1",
        asker: Person | None = None,
        category: str | None = None,
    ) -> int:
        asker = asker or self.asker
        activity = Activity().deserialize(self.teams.message(asker, question))
        reference = TurnContext.get_conversation_reference(activity).serialize()
        request = NewTicket(
            idempotency_key=key,
            asker=Asker(
                id=asker.account["id"],
                aad_object_id=asker.aad_object_id,
                name=asker.name,
                tenant_id=self.teams.tenant_id,
                conversation_id=activity.conversation.id,
                conversation_type="personal",
                reference=reference,
            ),
            question=question,
            language="ja",
            candidates=[Candidate("wifi-connect", 0.31)],
            category=category,
        )
        async with self.bot.runtime.services.sessions.begin() as session:
            return (await open_ticket(session, request, routing=self.bot.runtime.desk.routing)).id

    async def ticket(self, ticket_id: int) -> Ticket:
        async with self.bot.runtime.services.sessions() as session:
            return await session.get_one(Ticket, ticket_id)

    async def until(self, predicate: Callable[[list[Call]], bool]) -> list[Call]:
        return await self.emulator.wait_for(predicate, timeout=10)

    async def thread_of(self, ticket_id: int) -> Ticket:
        await self.until(lambda calls: any(c.kind == "create_conversation" and c.status < 300 for c in calls))
        for _ in range(200):
            ticket = await self.ticket(ticket_id)
            if ticket.thread_root_id:
                return ticket
            await asyncio.sleep(0.02)
        raise AssertionError("the ticket's thread was never recorded")

    async def click(
        self, person: Person, verb: str, ticket: Ticket, place: Place | None = None, **inputs: Any
    ) -> Any:
        data = {"ticket_id": ticket.id, "version": ticket.version, "state": ticket.state, **inputs}
        root = ticket.thread_root_id or "none"
        reply = await self.bot.post(
            self.teams.card_action(
                person, verb, data, place or self.channel.in_thread(root), reply_to_id=root
            )
        )
        assert reply.status == 200
        return reply.body

    def to_asker(self, asker: Person | None = None) -> list[Call]:
        conversation = Place.personal(asker or self.asker).conversation_id
        return [c for c in self.emulator.messages() if c.conversation_id == conversation]

    def in_thread(self) -> list[Call]:
        return [
            c for c in self.emulator.messages() if c.conversation_id and ";messageid=" in c.conversation_id
        ]


def add_desk_members(emulator: ConnectorEmulator) -> None:
    """The ICT team's members as Teams returns them: two staff and a guest."""
    for person, role in ((STAFF, "user"), (STAFF2, "user"), (GUEST, "guest")):
        emulator.add_member(Member(person.account["id"], person.name, person.aad_object_id, user_role=role))


@pytest.fixture
async def desk(
    make_settings: SettingsFactory, emulator: ConnectorEmulator, teams: TeamsActivities, alice: Person
) -> AsyncIterator[Desk]:
    settings = make_settings(
        ict_channel_id=ICT,
        outbox_poll_seconds=0.05,
        desk_force_release_after_hours=0.0003,  # about one second
        desk_auto_resolve_days=0.00001,  # under a second; housekeeping is run by the test
    )
    add_desk_members(emulator)
    bot = await BotUnderTest.start(settings)
    # The bot is installed in the ICT team: that is how it learns to reach the channel.
    assert (await bot.post(teams.installation_update(STAFF, Place.channel(ICT, ICT)))).status == 200
    yield Desk(bot, emulator, teams, alice)
    await bot.close()


def _texts(calls: list[Call]) -> str:
    return json.dumps([call.body for call in calls], ensure_ascii=False)


async def test_life_of_a_ticket(desk: Desk) -> None:
    ticket_id = await desk.escalate()
    ticket = await desk.thread_of(ticket_id)
    [post] = desk.emulator.of_kind("create_conversation")
    assert post.body["channelData"]["channel"]["id"] == ICT
    assert post.cards[0]["body"][0]["text"] == f"チケット #{ticket.number}"

    # claim: the winner gets the claimer's card, the asker is told once, the thread's card is updated.
    body = await desk.click(STAFF, "claim", ticket)
    assert body["type"] == "application/vnd.microsoft.card.adaptive"
    assert '"verb": "answer"' in json.dumps(body["value"])
    assert '"verb": "force_release"' not in json.dumps(body["value"])  # the claimer has "release"
    await desk.until(lambda _: len(desk.to_asker()) == 1)
    assert "佐藤 情報 さんが" in desk.to_asker()[0].text
    await desk.until(lambda calls: any(c.kind == "update" for c in calls))

    # answer on the card → the asker gets the answer with "did this solve it?"
    ticket = await desk.ticket(ticket_id)
    await desk.click(STAFF, "answer", ticket, answer="ルーターを再起動してください")
    await desk.until(lambda _: len(desk.to_asker()) == 2)
    answer = desk.to_asker()[1].cards[0]
    assert "ルーターを再起動してください" in json.dumps(answer, ensure_ascii=False)
    assert {a["verb"] for a in answer["actions"]} == {"confirm", "reopen"}

    # no → reopened to the same claimer, follow-up relayed to the thread with a mention.
    ticket = await desk.ticket(ticket_id)
    reply = await desk.click(
        desk.asker, "reopen", ticket, Place.personal(desk.asker), followup="まだだめです"
    )
    assert reply["type"] == "application/vnd.microsoft.card.adaptive"
    ticket = await desk.ticket(ticket_id)
    assert (ticket.state, ticket.claimer_aad_object_id) == ("claimed", STAFF.aad_object_id)
    await desk.until(lambda _: "まだだめです" in _texts(desk.in_thread()))
    relay = next(c for c in desk.in_thread() if "まだだめです" in json.dumps(c.body, ensure_ascii=False))
    assert relay.cards[0]["msteams"]["entities"][0]["mentioned"]["id"] == STAFF.account["id"]

    # answer by a thread reply @mentioning the bot (card inputs can get lost in channels).
    thread = desk.channel.in_thread(ticket.thread_root_id)
    reply = await desk.bot.post(
        desk.teams.message(STAFF, "設定からWi-Fiを削除して再登録してください", thread)
    )
    assert reply.status == 200
    await desk.until(lambda _: len(desk.to_asker()) == 3)
    assert "再登録してください" in json.dumps(desk.to_asker()[2].cards[0], ensure_ascii=False)

    # yes → resolved.
    ticket = await desk.ticket(ticket_id)
    await desk.click(desk.asker, "confirm", ticket, Place.personal(desk.asker))
    assert (await desk.ticket(ticket_id)).state == "resolved"

    # add to FAQ → a draft, exported as valid knowledge YAML.
    ticket = await desk.ticket(ticket_id)
    body = await desk.click(STAFF2, "add_faq", ticket, faq_question="Wi-Fiにつながらないとき")
    assert "下書き" in body["value"]


async def test_notices_to_the_asker_follow_their_language_choice(desk: Desk) -> None:
    ticket = await desk.thread_of(await desk.escalate())  # opened in Japanese
    assert (await desk.bot.post(desk.teams.message(desk.asker, "language en"))).status == 200
    await desk.click(STAFF, "claim", ticket)
    await desk.until(lambda _: any("from the ICT staff is looking at" in c.text for c in desk.to_asker()))
    notices = [c.text for c in desk.to_asker() if c.text]
    assert not any("さんが" in text for text in notices)


async def test_exactly_one_of_simultaneous_claims_wins(desk: Desk) -> None:
    ticket = await desk.thread_of(await desk.escalate())
    bodies = await asyncio.gather(desk.click(STAFF, "claim", ticket), desk.click(STAFF2, "claim", ticket))
    cards = [b for b in bodies if b["type"] == "application/vnd.microsoft.card.adaptive"]
    notes = [b["value"] for b in bodies if b["type"] == "application/vnd.microsoft.activity.message"]
    assert len(cards) == 1
    assert len(notes) == 1
    winner = (await desk.ticket(ticket.id)).claimer_name
    assert notes[0] == f"このチケットは {winner} さんが担当しています。"


async def test_forged_and_foreign_clicks_change_nothing(desk: Desk) -> None:
    ticket = await desk.thread_of(await desk.escalate())
    refusals = [
        await desk.click(STAFF, "claim", ticket, Place.personal(STAFF)),  # from a personal chat
        await desk.click(STAFF, "claim", ticket, Place.channel(OTHER_CHANNEL, ICT)),  # another channel
        await desk.click(GUEST, "claim", ticket),  # a guest
        await desk.click(
            Person("部外者", "ffffffff-0000-0000-0000-000000000006"), "claim", ticket
        ),  # no member
        await desk.click(desk.asker, "confirm", ticket, Place.personal(desk.asker)),  # wrong state
    ]
    assert all(r["type"] == "application/vnd.microsoft.activity.message" for r in refusals)
    assert (await desk.ticket(ticket.id)).version == ticket.version
    await desk.click(STAFF, "claim", ticket)
    ticket = await desk.ticket(ticket.id)
    # a non-claimer cannot answer, release or resolve; nobody but the asker confirms or withdraws.
    for verb in ("answer", "release", "resolve"):
        body = await desk.click(STAFF2, verb, ticket, answer="x")
        assert body["value"] == "この操作は担当者(佐藤 情報 さん)だけができます。"
    body = await desk.click(STAFF2, "withdraw", ticket, Place.personal(STAFF2))
    assert body["value"] == "この操作は、質問したご本人だけができます。"
    assert (await desk.ticket(ticket.id)).version == ticket.version
    unknown = await desk.click(STAFF, "no_such_verb", ticket)
    assert unknown["type"] == "application/vnd.microsoft.activity.message"


async def test_release_force_release_and_resolve_with_note(desk: Desk) -> None:
    ticket = await desk.thread_of(await desk.escalate())
    await desk.click(STAFF, "claim", ticket)
    ticket = await desk.ticket(ticket.id)
    await desk.click(STAFF, "release", ticket)
    ticket = await desk.ticket(ticket.id)
    assert (ticket.state, ticket.claimer_id) == ("open", None)
    await desk.click(STAFF, "claim", ticket)
    ticket = await desk.ticket(ticket.id)
    early = await desk.click(STAFF2, "force_release", ticket)
    assert "からできます" in early["value"]
    await asyncio.sleep(1.2)
    forced = await desk.click(STAFF2, "force_release", ticket)
    assert forced["type"] == "application/vnd.microsoft.card.adaptive"
    await desk.until(lambda _: "強制解除" in _texts(desk.in_thread()))
    ticket = await desk.ticket(ticket.id)
    await desk.click(STAFF2, "claim", ticket)
    ticket = await desk.ticket(ticket.id)
    await desk.click(STAFF2, "resolve", ticket, note="電話で解決しました")
    assert (await desk.ticket(ticket.id)).state == "resolved"
    await desk.until(lambda _: "電話で解決しました" in _texts(desk.to_asker()))


async def test_link_duplicates_then_one_answer_answers_all(desk: Desk, bob: Person) -> None:
    main = await desk.thread_of(await desk.escalate())
    other_id = await desk.escalate("wifi 切れる", key="send-2", asker=bob)
    await desk.until(lambda _: len(desk.emulator.of_kind("create_conversation")) == 2)
    other = await desk.ticket(other_id)
    body = await desk.click(STAFF, "link_duplicate", other, main_number=main.number)
    assert body["type"] == "application/vnd.microsoft.card.adaptive"
    await desk.click(STAFF, "claim", main)
    main = await desk.ticket(main.id)
    await desk.click(STAFF, "answer", main, answer="障害は復旧しました")
    await desk.until(lambda _: "障害は復旧しました" in _texts(desk.to_asker(bob)))
    assert (await desk.ticket(other_id)).state == "answered"


async def test_tickets_and_ticket_commands(desk: Desk, bob: Person) -> None:
    first = await desk.thread_of(await desk.escalate())
    await desk.escalate("プリンタが動かない", key="send-2", asker=bob)
    general = desk.channel
    start = len(desk.emulator.calls)
    await desk.bot.post(desk.teams.message(STAFF, "チケット", general))
    await desk.bot.post(desk.teams.message(STAFF, f"ticket {first.number}", general))
    await desk.bot.post(desk.teams.message(STAFF, "ticket 999", general))
    await desk.bot.post(desk.teams.message(STAFF, "tickets", Place.personal(STAFF)))

    def replies_to_commands(calls: list[Call]) -> list[Call]:
        return [
            c for c in calls[start:] if c.kind in ("send", "reply") and ";messageid=" not in c.conversation_id
        ]

    replies = replies_to_commands(await desk.until(lambda calls: len(replies_to_commands(calls)) >= 4))
    listing = json.dumps(replies[0].cards[0], ensure_ascii=False)
    assert "(2 件)" in listing
    assert listing.index("Wi-Fiにつながらない") < listing.index("プリンタが動かない")
    assert replies[1].cards[0]["body"][0]["text"] == f"チケット #{first.number}"
    assert "999" in replies[2].text
    assert replies[3].text == "この操作はICT担当のチャネルでのみできます。"


async def test_other_members_thread_replies_are_internal_notes(desk: Desk) -> None:
    ticket = await desk.thread_of(await desk.escalate())
    await desk.click(STAFF, "claim", ticket)
    await desk.bot.post(
        desk.teams.message(STAFF2, "前にも同じ件がありました", desk.channel.in_thread(ticket.thread_root_id))
    )
    await desk.until(lambda _: "社内メモ" in _texts(desk.in_thread()))
    assert "前にも同じ件" not in _texts(desk.to_asker())
    assert (await desk.ticket(ticket.id)).state == "claimed"


async def test_readyz_says_whether_the_ict_channel_is_known(
    make_settings: SettingsFactory, teams: TeamsActivities
) -> None:
    bot = await BotUnderTest.start(make_settings(ict_channel_id=ICT))
    try:
        before = (await bot.get("/readyz")).body["ict_channel"]
        await bot.post(teams.installation_update(STAFF, Place.channel(ICT, ICT)))
        after = (await bot.get("/readyz")).body["ict_channel"]
    finally:
        await bot.close()
    assert (before["configured"], before["known"]) == (True, False)
    assert after["known"] is True


async def test_drafts_export_after_add_faq(desk: Desk, tmp_path: Path) -> None:
    ticket = await desk.thread_of(await desk.escalate())
    await desk.click(STAFF, "claim", ticket)
    ticket = await desk.ticket(ticket.id)
    await desk.click(STAFF, "answer", ticket, answer="- 設定を開く\n- Wi-Fiをオンにする")
    ticket = await desk.ticket(ticket.id)
    await desk.click(STAFF, "add_faq", ticket)
    async with desk.bot.runtime.services.sessions.begin() as session:
        [path] = await export_drafts(session, tmp_path)
        assert (await session.scalar(select(FaqDraft))).exported_at is not None
    [entry] = yaml.safe_load(path.read_text(encoding="utf-8"))["entries"]
    assert entry["question"] == "Wi-Fiにつながらない"
    assert entry["answer"].startswith("- 設定を開く")
    async with desk.bot.runtime.services.sessions() as session:
        assert {row.state for row in (await session.scalars(select(OutboxMessage))).all()} <= {
            "sent",
            "pending",
        }


async def test_auto_resolve_tells_the_asker(desk: Desk) -> None:
    ticket = await desk.thread_of(await desk.escalate())
    await desk.click(STAFF, "claim", ticket)
    ticket = await desk.ticket(ticket.id)
    await desk.click(STAFF, "answer", ticket, answer="再起動してください")
    await asyncio.sleep(1.0)
    await desk.bot.runtime.desk.housekeeping.run_once()
    assert (await desk.ticket(ticket.id)).state == "resolved"
    await desk.until(lambda _: "ご返信がなかったため" in _texts(desk.to_asker()))


class _AlwaysOpen(BusinessCalendar):
    """Business hours are tested on their own; here the reminder must go out whatever the date."""

    def is_open(self, moment: datetime) -> bool:
        return True


async def test_reminder_reaches_the_thread(desk: Desk) -> None:
    ticket = await desk.thread_of(await desk.escalate())
    calendar = BusinessCalendar.from_settings(desk.bot.settings)
    housekeeping = Housekeeping(
        desk.bot.runtime.services.sessions,
        calendar=_AlwaysOpen(calendar.zone, calendar.opens, calendar.closes),
        reminders=ReminderPolicy(after=timedelta(0)),
        policy=DeskPolicy(),
        retention=None,
    )
    await housekeeping.run_once()
    await housekeeping.run_once()  # not due again yet: one reminder
    await desk.until(lambda _: f"#{ticket.number} はまだ担当者がいません" in _texts(desk.in_thread()))
    await asyncio.sleep(0.3)
    assert _texts(desk.in_thread()).count("まだ担当者がいません") == 1
