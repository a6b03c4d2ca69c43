"""Conversation references round-trip on SQLite and PostgreSQL; migrations run once across replicas."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from botbuilder.schema import ChannelAccount, ConversationAccount, ConversationReference
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.storage.engine import create_engine, create_session_factory
from bot.storage.migrate import current_revision, head_revision, upgrade
from bot.storage.references import ConversationReferences


@pytest.fixture
async def sessions(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(database_url)
    await upgrade(engine)
    assert await current_revision(engine) == head_revision()
    yield create_session_factory(engine)
    await engine.dispose()


async def test_conversation_references_round_trip(sessions: async_sessionmaker[AsyncSession]):
    repository = ConversationReferences()
    reference = ConversationReference(
        conversation=ConversationAccount(id="a:1", conversation_type="personal", tenant_id="t"),
        service_url="https://smba.example/jp/",
        bot=ChannelAccount(id="28:bot"),
        user=ChannelAccount(id="29:u", aad_object_id="aad-1"),
        channel_id="msteams",
    )
    async with sessions.begin() as session:
        for service_url in ("https://smba.example/jp/", "https://smba.example/moved/"):
            reference.service_url = service_url
            await repository.remember(
                session,
                reference.serialize(),
                conversation_id="a:1",
                service_url=service_url,
                conversation_type="personal",
                user_aad_object_id="aad-1",
                tenant_id="t",
            )
    async with sessions() as session:
        found = await repository.personal_for_user(session, "aad-1")
        by_id = await repository.get(session, "a:1")
    assert found is not None
    assert by_id is not None
    assert found["serviceUrl"] == "https://smba.example/moved/"
    assert by_id["conversation"]["id"] == "a:1"
    assert found["user"]["aadObjectId"] == "aad-1"


async def test_reads_do_not_wait_for_a_writer_on_sqlite(tmp_path):
    """A reading session is served while another transaction holds SQLite's write lock."""
    import asyncio

    from sqlalchemy import text

    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'locks.db'}")
    await upgrade(engine)
    sessions = create_session_factory(engine)
    try:
        async with sessions.begin() as writer:
            await writer.execute(text("INSERT INTO installations VALUES ('held', CURRENT_TIMESTAMP)"))
            async with asyncio.timeout(2), sessions() as reader:  # would wait 15 s behind BEGIN IMMEDIATE
                assert (await reader.execute(text("SELECT count(*) FROM installations"))).scalar_one() == 0
        async with sessions() as reader:
            assert (await reader.execute(text("SELECT count(*) FROM installations"))).scalar_one() == 1
    finally:
        await engine.dispose()


def test_replicas_starting_together_migrate_once(database_url: str, tmp_path):
    """Four processes run `python -m bot migrate` at the same moment: all succeed, at one revision."""
    import os
    import subprocess
    import sys

    from tests.conftest import REPO

    environment = {
        **os.environ,
        "DATABASE_URL": database_url,
        "KOTAE_DEV_MODE": "true",
        "PYTHONPATH": str(REPO),
    }
    replicas = [
        subprocess.Popen(
            [sys.executable, "-m", "bot", "migrate"],
            cwd=tmp_path,
            env=environment,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    outputs = [replica.communicate(timeout=120)[0] for replica in replicas]
    assert [replica.returncode for replica in replicas] == [0, 0, 0, 0]
    assert {output.strip() for output in outputs} == {f"database at revision {head_revision()}"}


async def test_upgrades_in_one_process_take_turns(database_url: str):
    import asyncio

    engines = [create_engine(database_url) for _ in range(3)]
    try:
        await asyncio.gather(*(upgrade(engine) for engine in engines))
        assert {await current_revision(engine) for engine in engines} == {head_revision()}
    finally:
        for engine in engines:
            await engine.dispose()
