"""Who may act for the desk, over real HTTP: commands follow the verbs' rules, and the actor is the
member record Teams returns, never the `from.aadObjectId` the body claims."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest

from devtools.activities import Person, Place, TeamsActivities
from devtools.emulator import Call, ConnectorEmulator
from tests.conftest import SettingsFactory
from tests.desk.test_desk_http import GUEST, ICT, STAFF, STAFF2, Desk, add_desk_members
from tests.harness import BotUnderTest

NETWORK = "19:network0000000000000000000000000@thread.tacv2"
OUTSIDER = Person("部外者", "ffffffff-0000-0000-0000-000000000006")


@pytest.fixture
async def routed_desk(
    make_settings: SettingsFactory, emulator: ConnectorEmulator, teams: TeamsActivities, alice: Person
) -> AsyncIterator[Desk]:
    settings = make_settings(ict_channel_id=ICT, desk_routes={"network": NETWORK}, outbox_poll_seconds=0.05)
    add_desk_members(emulator)
    bot = await BotUnderTest.start(settings)
    assert (await bot.post(teams.installation_update(STAFF, Place.channel(ICT, ICT)))).status == 200
    yield Desk(bot, emulator, teams, alice)
    await bot.close()


async def _command_replies(desk: Desk, *messages: tuple[Person, str, Place]) -> list[Call]:
    start = len(desk.emulator.calls)
    for person, text, place in messages:
        assert (await desk.bot.post(desk.teams.message(person, text, place))).status == 200

    def replies(calls: list[Call]) -> list[Call]:
        return [c for c in calls[start:] if c.kind == "reply" and c.status < 300]

    return replies(await desk.until(lambda calls: len(replies(calls)) >= len(messages)))


async def test_commands_show_only_this_channels_tickets_to_its_members(routed_desk: Desk) -> None:
    desk = routed_desk
    mine = await desk.ticket(await desk.escalate("Wi-Fiにつながらない", key="a"))
    routed = await desk.ticket(await desk.escalate("VPNの秘密の質問", key="b", category="network"))
    assert routed.channel_id == NETWORK
    here = desk.channel
    listing, other_channels, guest, outsider = await _command_replies(
        desk,
        (STAFF, "tickets", here),
        (STAFF, f"ticket {routed.number}", here),
        (GUEST, f"ticket {mine.number}", here),
        (OUTSIDER, "tickets", here),
    )
    shown = json.dumps(listing.cards[0], ensure_ascii=False)
    assert "(1 件)" in shown
    assert "VPN" not in shown
    assert other_channels.text == f"チケット #{routed.number} は見つかりません。"
    assert guest.text == "ゲストの方はこの操作ができません。"
    assert outsider.text == "このチームのメンバーであることを確認できませんでした。"
    assert not any("VPN" in json.dumps(c.body, ensure_ascii=False) for c in (guest, outsider))


async def test_a_forged_aad_object_id_does_not_make_the_claimer(routed_desk: Desk) -> None:
    desk = routed_desk
    ticket = await desk.thread_of(await desk.escalate())
    await desk.click(STAFF, "claim", ticket)
    ticket = await desk.ticket(ticket.id)
    # STAFF2 as Teams knows them (their own 29: id), claiming STAFF's Entra id and name in the body.
    impostor = Person(STAFF.name, STAFF.aad_object_id, teams_id=STAFF2.account["id"])
    body = await desk.click(impostor, "answer", ticket, answer="偽の回答")
    assert body["value"] == "この操作は担当者(佐藤 情報 さん)だけができます。"
    thread = desk.channel.in_thread(ticket.thread_root_id)
    assert (await desk.bot.post(desk.teams.message(impostor, "偽の回答その2", thread))).status == 200
    await desk.until(
        lambda _: "社内メモ" in json.dumps([c.body for c in desk.in_thread()], ensure_ascii=False)
    )
    after = await desk.ticket(ticket.id)
    assert (after.state, after.version) == ("claimed", ticket.version)
    assert "偽の回答" not in json.dumps([c.body for c in desk.to_asker()], ensure_ascii=False)
