"""Starting the service: settings refused with exit code 2, readiness, proactive sends in dev mode."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from aiohttp import web

from bot.storage.migrate import upgrade
from bot.turn import ConnectorFailure
from devtools.activities import Person, TeamsActivities
from devtools.emulator import ConnectorEmulator
from tests.conftest import REPO, SettingsFactory
from tests.harness import BotUnderTest


def _start(env: dict[str, str], cwd: str) -> subprocess.CompletedProcess[str]:
    clean = {key: value for key, value in os.environ.items() if not key.startswith(("Microsoft", "KOTAE_"))}
    return subprocess.run(
        [sys.executable, str(REPO / "app.py")],
        env={**clean, **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_refuses_to_start_without_credentials_outside_dev_mode(tmp_path):
    result = _start({"MicrosoftAppId": "11111111-2222-3333-4444-555555555555"}, str(tmp_path))
    assert result.returncode == 2
    assert "no credentials" in result.stderr
    assert "MicrosoftAppPassword" in result.stderr


def test_a_bad_value_names_the_key_the_value_and_what_is_allowed(tmp_path):
    result = _start({"KOTAE_DEV_MODE": "true", "PORT": "eighty"}, str(tmp_path))
    assert result.returncode == 2
    assert "PORT='eighty'" in result.stderr
    assert "integer" in result.stderr


def test_dev_mode_refuses_a_public_address(tmp_path):
    result = _start({"KOTAE_DEV_MODE": "true", "HOST": "0.0.0.0"}, str(tmp_path))
    assert result.returncode == 2
    assert "KOTAE_DEV_ALLOW_REMOTE" in result.stderr


def test_init_func_builds_the_app_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path):
    from app import init_func

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("KOTAE_DEV_MODE", "true")
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'x.db'}")
    monkeypatch.setenv("KOTAE_KNOWLEDGE_DIR", str(REPO / "knowledge" / "faq"))
    assert isinstance(init_func([]), web.Application)


async def test_not_ready_until_the_schema_is_in_place(
    make_settings: SettingsFactory, teams: TeamsActivities, alice
):
    running = await BotUnderTest.start(make_settings(migrate_on_start=False), wait_ready=False)
    try:
        await running.wait_database_checked()
        before = await running.get("/readyz")
        message = await running.post(teams.message(alice, "help"))
        await upgrade(running.runtime.engine)
        await running.wait_ready(timeout=5)
        after = await running.get("/readyz")
    finally:
        await running.close()
    assert before.status == 503
    assert "python -m bot migrate" in before.body["database"]["reason"]
    assert message.status == 503
    assert after.status == 200


async def test_not_ready_while_the_database_is_unreachable(make_settings: SettingsFactory):
    settings = make_settings(database_url="postgresql+asyncpg://kotae@127.0.0.1:9/kotae")
    running = await BotUnderTest.start(settings, wait_ready=False)
    try:
        await running.wait_database_checked()
        ready = await running.get("/readyz")
        health = await running.get("/healthz")
    finally:
        await running.close()
    assert ready.status == 503
    assert "unreachable" in ready.body["database"]["reason"] or "error" in ready.body["database"]["reason"]
    assert health.status == 200


async def test_a_proactive_message_reaches_the_connector_in_dev_mode(
    bot: BotUnderTest, teams: TeamsActivities, emulator: ConnectorEmulator, alice: Person
):
    await bot.post(teams.message(alice, "help"))
    runtime = bot.runtime
    async with runtime.services.sessions() as session:
        reference = await runtime.services.references.personal_for_user(session, alice.aad_object_id)
    assert reference is not None
    await runtime.conversations.send(reference, "お知らせ")
    sent = [call for call in emulator.messages() if call.text == "お知らせ"]
    assert len(sent) == 1
    assert sent[0].kind in {"send", "reply"}  # botbuilder replies to its continuation event
    assert sent[0].conversation_id == reference["conversation"]["id"]


async def test_a_refused_proactive_send_raises(
    bot: BotUnderTest, teams: TeamsActivities, emulator: ConnectorEmulator, alice: Person
):
    await bot.post(teams.message(alice, "help"))
    async with bot.runtime.services.sessions() as session:
        reference = await bot.runtime.services.references.personal_for_user(session, alice.aad_object_id)
    assert reference is not None
    emulator.fail("POST", r"/activities", 403)
    with pytest.raises(ConnectorFailure) as refused:
        await bot.runtime.conversations.send(reference, "届かないお知らせ")
    assert refused.value.status == 403


def test_an_invalid_knowledge_base_stops_the_start_with_its_problems(tmp_path):
    faq = tmp_path / "faq"
    faq.mkdir()
    (faq / "broken.yaml").write_text(
        "entries:\n  - id: wifi\n    question: Wi-Fiにつながらない\n", encoding="utf-8"
    )
    result = _start(
        {
            "KOTAE_DEV_MODE": "true",
            "KOTAE_KNOWLEDGE_DIR": str(faq),
            "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'k.db'}",
        },
        str(tmp_path),
    )
    assert result.returncode == 1
    assert "broken.yaml:2:5" in result.stderr
    assert "answer" in result.stderr
