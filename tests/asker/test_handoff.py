"""The hand-off end to end: Send on the asker's card becomes a thread in the ICT channel."""

from __future__ import annotations

import json
from pathlib import Path

from devtools.activities import Person, Place, TeamsActivities
from devtools.emulator import ConnectorEmulator
from tests.asker.conversation import Chat, action
from tests.conftest import SettingsFactory
from tests.harness import BotUnderTest

ICT = "19:ictdesk0000000000000000000000000@thread.tacv2"
STAFF = Person("佐藤 情報", "cccccccc-0000-0000-0000-000000000003")


async def test_send_posts_the_ticket_to_the_ict_channel_and_cancel_withdraws_it(
    make_settings: SettingsFactory,
    teams: TeamsActivities,
    emulator: ConnectorEmulator,
    alice: Person,
    schemas_dir: Path,
):
    bot = await BotUnderTest.start(make_settings(ict_channel_id=ICT, outbox_poll_seconds=0.05))
    try:
        assert (await bot.post(teams.installation_update(STAFF, Place.channel(ICT, ICT)))).status == 200
        chat = Chat(bot, teams, emulator, alice, Place.personal(alice), schemas_dir)
        card = await chat.card("犬の散歩")
        await chat.click(action(card, "escalate"), {"details": "3階の会議室です"})
        await chat.click(action(card, "escalate"), {"details": "3階の会議室です"})
        calls = await emulator.wait_for(lambda calls: any(c.kind == "create_conversation" for c in calls))
        (post,) = [call for call in calls if call.kind == "create_conversation"]
        assert post.body["channelData"]["channel"]["id"] == ICT
        shown = json.dumps(post.cards[0], ensure_ascii=False)
        assert "チケット #1" in shown
        assert "犬の散歩" in shown
        assert "3階の会議室です" in shown
        (done,) = await chat.say("キャンセル 1")
        assert done.text == "質問 #1 を取り下げました。ICT担当にも伝えます。"
        await emulator.wait_for(lambda calls: any(c.kind == "update" for c in calls))
        assert len(emulator.of_kind("create_conversation")) == 1
    finally:
        await bot.close()
