"""Hostile requests to /api/messages over real HTTP: each gets a 4xx with a reason or a polite reply,
quickly, never a 5xx or a traceback, and the event loop stays free (`/healthz` answers meanwhile)."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import aiohttp
import pytest

from devtools.activities import Person, Place, TeamsActivities
from tests.conftest import SettingsFactory
from tests.harness import BotUnderTest

JSON = {"Content-Type": "application/json"}


async def _timed_health(bot: BotUnderTest) -> float:
    """Seconds /healthz takes, on a connection of its own."""
    async with aiohttp.ClientSession() as http:
        started = time.monotonic()
        async with http.get(f"{bot.url}/healthz") as response:
            assert response.status == 200
        return time.monotonic() - started


async def _while_posting(bot: BotUnderTest, activity: dict[str, Any]) -> tuple[int, float, float]:
    """Post `activity` and probe /healthz while it runs: (status, seconds for the post, for /healthz)."""
    started = time.monotonic()
    post = asyncio.create_task(bot.post(activity))
    await asyncio.sleep(0.01)
    health = await _timed_health(bot)
    reply = await post
    return reply.status, time.monotonic() - started, health


async def test_long_mention_and_image_markup_is_parsed_in_linear_time(
    bot: BotUnderTest, teams: TeamsActivities, alice: Person, caplog: pytest.LogCaptureFixture
):
    mentions = teams.message(alice, "<at>" * 30_000)  # 120 KB: 13.9 s with the old pattern
    images = teams.message(
        alice,
        "画像",
        attachments=[{"contentType": "text/html", "content": "<img " * 12_000}],  # 60 KB: 7.5 s
    )
    for activity in (mentions, images):
        status, seconds, health = await _while_posting(bot, activity)
        assert status == 200
        assert seconds < 2.0
        assert health < 1.0
    assert "Traceback" not in caplog.text


def _base(service_url: str, **fields: Any) -> dict[str, Any]:
    return {
        "type": "message",
        "conversation": {"id": "x"},
        "serviceUrl": service_url,
        "from": {"id": "29:x"},
        **fields,
    }


def _bad_bodies(service_url: str) -> dict[str, bytes]:
    def body(**fields: Any) -> bytes:
        return json.dumps(_base(service_url, **fields)).encode()

    return {
        "tenant a string": body(channelData={"tenant": "x"}),
        "tenant a list": body(channelData={"tenant": ["x"]}),
        "5,000 nested lists": b'{"type": "message", "x": ' + b"[" * 5000 + b"]" * 5000 + b"}",
        "40 nested objects": body(channelData=json.loads('{"a":' * 40 + "1" + "}" * 40)),
        "serviceUrl a number": json.dumps({**_base(service_url), "serviceUrl": 5}).encode(),
        "serviceUrl a file": body(serviceUrl="file:///etc/passwd"),
        "tenant id an object": body(channelData={"tenant": {"id": {"a": 1}}}),
        "channel id a list": body(channelData={"channel": {"id": ["19:x"]}}),
        "team id an object": body(channelData={"team": {"id": {}}}),
        "conversation id an object": json.dumps(
            {**_base(service_url), "conversation": {"id": {"a": 1}}}
        ).encode(),
        "conversation a string": json.dumps({**_base(service_url), "conversation": "x"}).encode(),
        "from a list": body(**{"from": [1]}),
        "text an object": body(text={"a": 1}),
        "conversation id not ASCII": body(conversation={"id": "会話\n"}),
        "no sender": json.dumps({**_base(service_url), "from": None}).encode(),
        "team a list": body(channelData={"team": ["19:x"]}),
        "an invoke nobody handles": body(type="invoke", name="task/fetch"),
        "a lone surrogate": b'{"type": "message", "conversation": {"id": "x"}, "text": "\\ud800"}',
        "NaN": b'{"type": "message", "conversation": {"id": "x"}, "n": NaN}',
        "a 5,000-digit number": b'{"type": "message", "n": ' + b"9" * 5000 + b"}",
    }


async def test_bad_types_get_4xx_with_a_reason(
    bot: BotUnderTest, teams: TeamsActivities, caplog: pytest.LogCaptureFixture
):
    results = {name: await bot.post_raw(raw, JSON) for name, raw in _bad_bodies(teams.service_url).items()}
    statuses = {name: reply.status for name, reply in results.items()}
    assert all(400 <= status < 500 for status in statuses.values()), statuses
    assert all(reply.body["reason"] for reply in results.values())
    assert "Traceback" not in caplog.text


async def test_hostile_card_data_gets_a_polite_answer(
    bot: BotUnderTest, teams: TeamsActivities, alice: Person, caplog: pytest.LogCaptureFixture
):
    clicks = [
        teams.card_action(alice, "claim", {"ticket_id": 2**63, "version": 1, "state": "open"}),
        teams.card_action(alice, "claim", {"ticket_id": 1e300, "version": 1e300, "state": "open"}),
        teams.card_action(alice, "more", {"entry": "wifi-connect", "offset": 2**63, "version": "x"}),
        teams.card_action(alice, "confirm", {"ticket_id": -1, "version": 2**64, "state": "answered"}),
    ]
    replies = [await bot.post(click) for click in clicks]
    anonymous = await bot.post({**teams.card_action(alice, "claim", {"ticket_id": 1}), "from": None})
    assert [reply.status for reply in replies] == [200] * len(clicks)
    assert all(reply.body["statusCode"] == 200 for reply in replies)
    assert (anonymous.status, anonymous.body["reason"]) == (400, "activity has no sender ('from.id')")
    assert "Traceback" not in caplog.text


async def test_members_added_by_someone_else_need_no_lookups(
    bot: BotUnderTest, teams: TeamsActivities, emulator, alice: Person, caplog: pytest.LogCaptureFixture
):
    update = teams.bot_added(alice, Place.channel("19:c@thread.tacv2", "19:c@thread.tacv2"))
    update["membersAdded"] = [{"id": "29:unknown"}, {"id": ""}]  # people, not the bot
    reply = await bot.post(update)
    assert reply.status == 200
    assert emulator.calls == []
    assert "Traceback" not in caplog.text


async def test_a_body_that_never_finishes_is_cut_off(make_settings: SettingsFactory):
    bot = await BotUnderTest.start(make_settings(body_read_timeout_seconds=0.5))
    try:
        host, port = bot.url.removeprefix("http://").split(":")
        reader, writer = await asyncio.open_connection(host, int(port))
        writer.write(
            b"POST /api/messages HTTP/1.1\r\nHost: kotae\r\nContent-Type: application/json\r\n"
            b"Content-Length: 1000\r\n\r\n" + b'{"type": "mess'
        )
        await writer.drain()
        started = time.monotonic()
        health = await _timed_health(bot)
        status_line = await asyncio.wait_for(reader.readline(), timeout=5)
        seconds = time.monotonic() - started
        writer.close()
    finally:
        await bot.close()
    assert health < 1.0
    assert status_line.startswith(b"HTTP/1.1 408")
    assert seconds < 2.0
