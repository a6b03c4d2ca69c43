"""Delivery to Teams through the connector emulator: retries, a restart, two replicas, permanent failures."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from bot.desk.outbox import OutboxWorker, RetryPolicy
from bot.desk.teams_delivery import remember_thread
from bot.tickets.models import OutboxKind, OutboxMessage
from devtools.activities import Person, Place, TeamsActivities
from devtools.emulator import Call, ConnectorEmulator
from tests.conftest import SettingsFactory
from tests.desk.test_desk_http import ICT, STAFF, Desk, add_desk_members
from tests.harness import BotUnderTest

NEW_THREAD = r"^/v3/conversations$"


def _posts(calls: list[Call]) -> list[Call]:
    return [c for c in calls if c.kind == "create_conversation"]


def _accepted(calls: list[Call]) -> list[Call]:
    return [c for c in _posts(calls) if c.status < 300]


async def _start(settings, emulator: ConnectorEmulator, teams: TeamsActivities, alice: Person) -> Desk:
    add_desk_members(emulator)
    bot = await BotUnderTest.start(settings)
    await bot.post(teams.installation_update(STAFF, Place.channel(ICT, ICT)))
    return Desk(bot, emulator, teams, alice)


@pytest.fixture
async def quick_desk(
    make_settings: SettingsFactory, emulator: ConnectorEmulator, teams: TeamsActivities, alice: Person
) -> AsyncIterator[Desk]:
    desk = await _start(make_settings(ict_channel_id=ICT, outbox_poll_seconds=0.05), emulator, teams, alice)
    yield desk
    await desk.bot.close()


async def test_429_with_retry_after_then_200_posts_once(quick_desk: Desk) -> None:
    quick_desk.emulator.fail("POST", NEW_THREAD, 429, retry_after=1)
    loop = asyncio.get_running_loop()
    started = loop.time()
    await quick_desk.escalate()
    calls = await quick_desk.until(lambda calls: len(_accepted(calls)) == 1)
    assert loop.time() - started >= 1.0
    assert [c.status for c in _posts(calls)] == [429, 201]
    await asyncio.sleep(0.3)
    assert len(_accepted(quick_desk.emulator.calls)) == 1


async def test_500_three_times_then_200_posts_once(quick_desk: Desk) -> None:
    runtime = quick_desk.bot.runtime
    await runtime.desk.stop()  # drain with a fast backoff instead of the production one
    quick_desk.emulator.fail("POST", NEW_THREAD, 500, times=3)
    await quick_desk.escalate()
    worker = OutboxWorker(
        runtime.services.sessions,
        runtime.desk.deliverer,
        policy=RetryPolicy(base_delay=0.05, max_delay=0.2),
        after_sent={OutboxKind.NEW_THREAD: remember_thread},
    )
    for _ in range(100):
        await worker.drain_once()
        if _accepted(quick_desk.emulator.calls):
            break
        await asyncio.sleep(0.05)
    assert [c.status for c in _posts(quick_desk.emulator.calls)] == [500, 500, 500, 201]
    async with runtime.services.sessions() as session:
        row = await session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "new_thread"))
    assert (row.state, row.attempts) == ("sent", 4)


async def test_a_restart_delivers_what_was_left(
    make_settings: SettingsFactory, emulator: ConnectorEmulator, teams: TeamsActivities, alice: Person
) -> None:
    settings = make_settings(ict_channel_id=ICT, outbox_poll_seconds=0.05)
    first = await _start(settings, emulator, teams, alice)
    await first.bot.runtime.desk.stop()  # the process dies before its worker sends anything
    await first.escalate()
    await first.bot.close()
    assert _posts(emulator.calls) == []
    second = await _start(settings, emulator, teams, alice)
    try:
        await second.until(lambda calls: len(_accepted(calls)) == 1)
        await asyncio.sleep(0.3)
        assert len(_posts(emulator.calls)) == 1
    finally:
        await second.bot.close()


async def test_forbidden_marks_the_row_failed_and_tickets_shows_it(quick_desk: Desk) -> None:
    quick_desk.emulator.fail("POST", NEW_THREAD, 403)
    await quick_desk.escalate()
    for _ in range(100):
        async with quick_desk.bot.runtime.services.sessions() as session:
            state = await session.scalar(select(OutboxMessage.state))
        if state == "failed":
            break
        await asyncio.sleep(0.05)
    assert state == "failed"
    assert len(_posts(quick_desk.emulator.calls)) == 1  # not retried
    await quick_desk.bot.post(quick_desk.teams.message(STAFF, "tickets", quick_desk.channel))
    calls = await quick_desk.until(lambda calls: any("送信に失敗" in str(c.body) for c in calls))
    assert calls


@pytest.mark.postgres
async def test_two_replicas_on_postgresql_post_each_thread_once(
    make_settings: SettingsFactory,
    emulator: ConnectorEmulator,
    teams: TeamsActivities,
    alice: Person,
    postgres_url: str,
) -> None:
    settings = make_settings(ict_channel_id=ICT, outbox_poll_seconds=0.05, database_url=postgres_url)
    replicas = [await _start(settings, emulator, teams, alice) for _ in range(2)]
    try:
        for n in range(20):
            await replicas[n % 2].escalate(f"質問 {n}", key=f"send-{n}")
        calls = await replicas[0].until(lambda calls: len(_accepted(calls)) >= 20)
        await asyncio.sleep(0.5)
        posted = [call.cards[0]["body"][0]["text"] for call in _accepted(emulator.calls)]
        assert len(posted) == 20
        assert len(set(posted)) == 20
        assert calls
    finally:
        for replica in replicas:
            await replica.bot.close()
