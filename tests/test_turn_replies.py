"""Replies within a turn are retried by the outbox's rules while the turn's time lasts, over real HTTP
against the connector emulator answering 429 and 500."""

from __future__ import annotations

import time

from devtools.activities import Person, TeamsActivities
from devtools.emulator import ConnectorEmulator
from tests.harness import BotUnderTest

REPLIES = r"/v3/conversations/[^/]+/activities"


async def test_a_reply_refused_with_429_is_sent_after_retry_after(
    bot: BotUnderTest, teams: TeamsActivities, emulator: ConnectorEmulator, alice: Person
):
    emulator.fail("POST", REPLIES, 429, retry_after=0.2)
    reply = await bot.post(teams.message(alice, "help"))
    assert reply.status == 200
    statuses = [call.status for call in emulator.calls if call.method == "POST"]
    assert statuses == [429, 201]
    assert emulator.messages()[0].cards[0]["body"][0]["text"] == "Kotae の使い方"


async def test_a_reply_refused_with_412_is_sent_after_backoff(
    bot: BotUnderTest, teams: TeamsActivities, emulator: ConnectorEmulator, alice: Person
):
    emulator.fail("POST", REPLIES, 412)  # botbuilder itself retries 5xx, never 412
    reply = await bot.post(teams.message(alice, "help"))
    assert reply.status == 200
    assert [call.status for call in emulator.calls if call.method == "POST"] == [412, 201]
    assert emulator.messages()[0].cards[0]["body"][0]["text"] == "Kotae の使い方"  # the reply, not an apology


async def test_retries_stop_within_the_turns_time(
    bot: BotUnderTest, teams: TeamsActivities, emulator: ConnectorEmulator, alice: Person
):
    # Retry-After beyond what Teams waits for a turn: no retry, the apology is tried once, the turn ends.
    emulator.fail("POST", REPLIES, 429, times=10, retry_after=60)
    started = time.monotonic()
    reply = await bot.post(teams.message(alice, "help"))
    assert reply.status == 200
    assert time.monotonic() - started < 2.0
    assert [call.status for call in emulator.calls if call.method == "POST"] == [429, 429]
