"""Real databases for the desk's tests: a SQLite file per test and, when `KOTAE_TEST_POSTGRES_URL` names
a server, a fresh PostgreSQL database per test session (created here and dropped afterwards).

Both are migrated with the real Alembic chain (`bot.storage.migrate.upgrade`).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from bot.desk.actors import Actor
from bot.desk.opening import Asker, Candidate, NewTicket, TicketRouting
from bot.desk.transitions import DeskPolicy
from bot.storage.engine import create_engine, create_session_factory
from bot.storage.migrate import upgrade

POSTGRES_ENV = "KOTAE_TEST_POSTGRES_URL"
ICT_CHANNEL = "19:ict@thread.tacv2"
T0 = datetime(2026, 11, 26, 1, 0, tzinfo=UTC)  # Thursday 10:00 JST
_DESK_TABLES = ("faq_drafts", "outbox", "ticket_events", "tickets", "ict_channels")


@dataclass
class Database:
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name


async def _migrated(url: str) -> None:
    engine = create_engine(url)
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()


async def _admin(url: str, statement: str) -> None:
    engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.execute(text(statement))
    finally:
        await engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file, copied for each test (migrating once keeps the suite fast)."""
    path = tmp_path_factory.mktemp("template") / "kotae.db"
    asyncio.run(_migrated(f"sqlite+aiosqlite:///{path}"))
    return path


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    server = os.environ.get(POSTGRES_ENV)
    if not server:
        pytest.skip(f"{POSTGRES_ENV} is not set (e.g. postgresql+asyncpg://postgres@127.0.0.1:5432/postgres)")
    name = f"kotae_test_{uuid.uuid4().hex[:12]}"
    asyncio.run(_admin(server, f'CREATE DATABASE "{name}"'))
    url = make_url(server).set(database=name).render_as_string(hide_password=False)
    try:
        asyncio.run(_migrated(url))
        yield url
    finally:
        asyncio.run(_admin(server, f'DROP DATABASE "{name}" WITH (FORCE)'))


@pytest.fixture
async def sqlite_db(sqlite_template: Path, tmp_path: Path) -> AsyncIterator[Database]:
    path = tmp_path / "kotae.db"
    shutil.copyfile(sqlite_template, path)
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    yield Database(engine, create_session_factory(engine))
    await engine.dispose()


@pytest.fixture
async def postgres_db(postgres_url: str) -> AsyncIterator[Database]:
    # Enough connections that 50 concurrent claims really run concurrently.
    engine = create_engine(postgres_url, pool_size=20, max_overflow=40)
    async with engine.begin() as connection:
        await connection.execute(text(f"TRUNCATE {', '.join(_DESK_TABLES)} RESTART IDENTITY CASCADE"))
        await connection.execute(text("UPDATE ticket_counters SET value = 0"))
    yield Database(engine, create_session_factory(engine))
    await engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db(request: pytest.FixtureRequest) -> Database:
    """The test runs once on SQLite and once on PostgreSQL."""
    return request.getfixturevalue(f"{request.param}_db")


@pytest.fixture
def routing() -> TicketRouting:
    return TicketRouting(ICT_CHANNEL, {"network": "19:network@thread.tacv2"})


@pytest.fixture
def policy() -> DeskPolicy:
    return DeskPolicy()


def asker(aad: str = "aad-asker") -> Asker:
    return Asker(
        id=f"29:{aad}",
        aad_object_id=aad,
        name="山田 太郎",
        tenant_id="tenant-1",
        conversation_id=f"a:personal-{aad}",
        conversation_type="personal",
        reference={"conversation": {"id": f"a:personal-{aad}"}, "serviceUrl": "https://smba.example/"},
    )


def new_ticket(key: str = "key-1", *, aad: str = "aad-asker", category: str | None = None) -> NewTicket:
    return NewTicket(
        idempotency_key=key,
        asker=asker(aad),
        question="公用スマホに電話帳を取り込みたい",
        language="ja",
        details="CSV があります",
        attachments=[{"name": "shot.png", "url": "https://files.example/shot.png", "content_type": "image/png"}],
        candidates=[Candidate("phone-contacts", 0.42)],
        category=category,
    )


def staff(n: int) -> Actor:
    return Actor(id=f"29:staff-{n}", aad_object_id=f"aad-staff-{n}", name=f"ICT {n}")
