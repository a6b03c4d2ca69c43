"""A restart with a broken knowledge base: the last good snapshot serves, and everyone is told."""

from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path

import pytest

from devtools.activities import Person, Place, TeamsActivities
from devtools.emulator import Call, ConnectorEmulator
from tests.conftest import SettingsFactory
from tests.harness import BotUnderTest

ICT = "19:ictdesk0000000000000000000000000@thread.tacv2"
STAFF = Person("佐藤 情報", "cccccccc-0000-0000-0000-000000000003")
GOOD = (
    "entries:\n  - id: wifi\n    question: Wi-Fiにつながらない\n    answer: ルーターを再起動してください。\n"
)
BROKEN = "entries:\n  - id: wifi\n    question: Wi-Fiにつながらない\n"


def _notices(calls: list[Call]) -> list[str]:
    posts = [call.body["activity"] for call in calls if call.kind == "create_conversation"]
    return [post.get("text") or "" for post in posts if not post.get("attachments")]


async def test_a_restart_with_a_broken_knowledge_base_serves_the_last_good_snapshot(
    make_settings: SettingsFactory,
    emulator: ConnectorEmulator,
    teams: TeamsActivities,
    alice: Person,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    faq = tmp_path / "faq"
    faq.mkdir()
    (faq / "net.yaml").write_text(GOOD, encoding="utf-8")
    settings = make_settings(knowledge_dir=faq, ict_channel_id=ICT, outbox_poll_seconds=0.05)
    first = await BotUnderTest.start(settings)
    await first.post(teams.installation_update(STAFF, Place.channel(ICT, ICT)))  # the desk learns the channel
    await first.close()

    (faq / "net.yaml").write_text(BROKEN, encoding="utf-8")
    with caplog.at_level(logging.ERROR, logger="knowledge.live"):
        second = await BotUnderTest.start(settings)
    try:
        ready = await second.get("/readyz")
        answered = await second.post(teams.message(alice, "Wi-Fiにつながらない"))
        replies = await emulator.wait_for(
            lambda calls: any("ルーターを再起動" in json.dumps(c.body, ensure_ascii=False) for c in calls)
        )
        notices = _notices(await emulator.wait_for(lambda calls: bool(_notices(calls))))
    finally:
        await second.close()

    assert ready.status == 200
    knowledge = ready.body["knowledge"]
    assert knowledge["entries"] == 1
    assert knowledge["alerts"] == ["serving last good snapshot, knowledge base broken"]
    assert knowledge["last_error"]["problems"] == [
        f"{faq / 'net.yaml'}:2:5: error: required field 'answer' is missing."
    ]
    assert answered.status == 200
    assert replies
    assert f"{faq / 'net.yaml'}:2:5" in caplog.text
    assert "serving the last good snapshot" in caplog.text
    assert len(notices) == 1
    assert notices[0].startswith(f"⚠ ナレッジベース {faq} にエラーがあります（1 件）")
    assert f"{faq / 'net.yaml'}:2:5: エラー: 必須の項目 'answer' がありません。" in notices[0]


async def test_fixing_the_files_clears_the_alert(make_settings: SettingsFactory, tmp_path: Path) -> None:
    faq = tmp_path / "faq"
    faq.mkdir()
    (faq / "net.yaml").write_text(GOOD, encoding="utf-8")
    settings = make_settings(knowledge_dir=faq, knowledge_poll_interval=0.1)
    first = await BotUnderTest.start(settings)
    await first.close()
    (faq / "net.yaml").write_text(BROKEN, encoding="utf-8")
    second = await BotUnderTest.start(settings)
    try:
        assert (await second.get("/readyz")).body["knowledge"]["alerts"]
        (faq / "net.yaml").write_text(GOOD.replace("ルーター", "モデム"), encoding="utf-8")
        assert await second.runtime.knowledge.reload()
        knowledge = (await second.get("/readyz")).body["knowledge"]
    finally:
        await second.close()
    assert knowledge["alerts"] == []
    assert knowledge["last_error"] is None


async def test_readyz_says_when_reloading_has_stopped(make_settings: SettingsFactory) -> None:
    bot = await BotUnderTest.start(make_settings(knowledge_poll_interval=0.1))
    try:
        before = await bot.get("/readyz")
        bot.runtime.knowledge._watcher.cancel()  # whatever ends the watcher, short of a shutdown
        async with asyncio.timeout(5):
            while (after := await bot.get("/readyz")).body["knowledge"]["reloading"] == "events":  # noqa: ASYNC110
                await asyncio.sleep(0.05)
    finally:
        await bot.close()
    assert (before.body["knowledge"]["reloading"], before.body["knowledge"]["alerts"]) == ("events", [])
    assert (after.body["knowledge"]["reloading"], after.body["knowledge"]["alerts"]) == (
        "stopped",
        ["reloading stopped"],
    )
