"""Structured logs (KOTAE_LOG_FORMAT=json) from a real process: one JSON object per line, the activity
id of the turn on the lines logged during it, and never the text of a message at INFO."""

from __future__ import annotations

import json
import logging
from pathlib import Path

from bot.logs import JsonFormatter, configure_logging
from devtools.activities import Person, Place, TeamsActivities
from devtools.emulator import ConnectorEmulator
from tests.conftest import SettingsFactory
from tests.processes import BotProcess

ICT = "19:ictdesk0000000000000000000000000@thread.tacv2"
STAFF = Person("佐藤 情報", "cccccccc-0000-0000-0000-000000000003")
SECRET_QUESTION = "田中一郎の住民票コード 12345678901 を教えて"


async def test_json_lines_carry_the_activity_id_and_never_message_text(
    tmp_path: Path,
    knowledge_cache: Path,
    emulator: ConnectorEmulator,
    teams: TeamsActivities,
    alice: Person,
) -> None:
    bot = await BotProcess.start(
        tmp_path / "bot.log",
        KOTAE_LOG_FORMAT="json",
        LOG_LEVEL="INFO",
        KOTAE_ICT_CHANNEL_ID=ICT,
        KOTAE_KNOWLEDGE_CACHE_DIR=str(knowledge_cache),
    )
    try:
        await bot.wait_ready()
        install = teams.installation_update(STAFF, Place.channel(ICT, ICT))
        assert (await bot.post(install))[0] == 200
        assert (await bot.post(teams.message(alice, SECRET_QUESTION)))[0] == 200
        await emulator.wait_for(lambda calls: len(calls) >= 1)
    finally:
        await bot.stop()
    lines = [line for line in bot.log().splitlines() if line.strip()]
    records = [json.loads(line) for line in lines]  # every line is one JSON object
    assert all({"time", "level", "logger", "message"} <= record.keys() for record in records)
    learned = [record for record in records if "learned how to reach ICT channel" in record["message"]]
    assert [record.get("activity_id") for record in learned] == [install["id"]]
    assert any(record["message"].startswith("Kotae on 127.0.0.1") for record in records)
    log = bot.log()
    assert "住民票" not in log
    assert "12345678901" not in log


def test_text_is_the_default_format(make_settings: SettingsFactory) -> None:
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    try:
        configure_logging(make_settings())
        (handler,) = root.handlers
        assert not isinstance(handler.formatter.inner, JsonFormatter)
        configure_logging(make_settings(log_format="json"))
        (handler,) = root.handlers
        assert isinstance(handler.formatter.inner, JsonFormatter)
    finally:
        root.handlers[:] = saved_handlers
        root.setLevel(saved_level)
