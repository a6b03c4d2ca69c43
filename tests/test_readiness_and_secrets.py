"""Readiness that is bounded for real and tells no secrets; credentials masked in settings errors and
log lines; a click whose write fails is told to try again instead of being lost."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time

import pytest
from sqlalchemy import text

from bot.config import SettingsError, load_settings
from bot.logs import configure_logging
from devtools.activities import Person, TeamsActivities
from tests.conftest import SettingsFactory
from tests.harness import BotUnderTest

PASSWORD = "S3cretDbPw"


def test_a_settings_error_masks_the_database_password():
    with pytest.raises(SettingsError) as raised:
        load_settings(
            dev_mode=True, database_url=f"mysql://kotae:{PASSWORD}@db.internal/kotae", _env_file=None
        )
    message = str(raised.value)
    assert "DATABASE_URL='mysql://kotae:***@db.internal/kotae'" in message
    assert PASSWORD not in message


def test_log_lines_mask_credentials_in_urls_and_pairs(
    make_settings: SettingsFactory, capsys: pytest.CaptureFixture[str]
):
    configure_logging(make_settings())
    log = logging.getLogger("kotae.test")
    log.warning("connecting to postgresql+asyncpg://kotae:%s@db.internal/kotae", PASSWORD)
    try:
        raise ConnectionError(f"host=db.internal password={PASSWORD} user=kotae")
    except ConnectionError:
        log.exception("failed")
    logged = capsys.readouterr().err
    assert "postgresql+asyncpg://kotae:***@db.internal/kotae" in logged
    assert "password=***" in logged
    assert PASSWORD not in logged


async def test_readyz_gives_a_reason_code_not_driver_text(
    make_settings: SettingsFactory, caplog: pytest.LogCaptureFixture
):
    url = f"postgresql+asyncpg://kotae:{PASSWORD}@127.0.0.1:9/kotae"
    bot = await BotUnderTest.start(make_settings(database_url=url), wait_ready=False)
    try:
        await bot.wait_database_checked()
        ready = await bot.get("/readyz")
    finally:
        await bot.close()
    assert ready.status == 503
    assert ready.body["database"] == {"ready": False, "reason": "unreachable"}
    assert "Errno" in caplog.text  # the details are in the log…
    assert PASSWORD not in caplog.text  # …without the password


async def test_readyz_is_bounded_and_not_ready_under_a_sqlite_write_lock(bot: BotUnderTest):
    path = bot.settings.database_url.removeprefix("sqlite+aiosqlite:///")
    locker = sqlite3.connect(path, isolation_level=None)
    locker.execute("BEGIN IMMEDIATE")  # another process holding the write lock
    try:
        started = time.monotonic()
        locked = await bot.get("/readyz")
        seconds = time.monotonic() - started
        again = await bot.get("/readyz")  # the first probe is still waiting: not a second one
        health = await bot.get("/healthz")
    finally:
        locker.rollback()
        locker.close()
    for _ in range(100):  # the waiting probe gets the lock once it is free
        if (after := await bot.get("/readyz")).status == 200:
            break
        await asyncio.sleep(0.05)
    assert locked.status == 503
    assert locked.body["database"]["reason"].startswith("timeout")
    assert seconds < 3.0
    assert again.status == 503
    assert health.status == 200
    assert after.status == 200


async def test_an_escalation_that_cannot_be_written_asks_to_try_again(
    bot: BotUnderTest, teams: TeamsActivities, alice: Person
):
    data = {"asker": alice.aad_object_id, "key": "k-1", "question": "プリンタが動かない"}
    async with bot.runtime.engine.begin() as connection:  # the tickets cannot be written
        await connection.execute(text("ALTER TABLE tickets RENAME TO tickets_away"))
    failed = await bot.post(teams.card_action(alice, "escalate", data))
    async with bot.runtime.engine.begin() as connection:
        await connection.execute(text("ALTER TABLE tickets_away RENAME TO tickets"))
    retried = await bot.post(teams.card_action(alice, "escalate", data))
    assert failed.status == 200
    assert failed.body["type"] == "application/vnd.microsoft.activity.message"
    assert "もう一度お試しください" in failed.body["value"]
    assert retried.body["type"] == "application/vnd.microsoft.card.adaptive"
