"""Real databases for the desk's tests: a SQLite file per test and, when `KOTAE_TEST_POSTGRES_URL` names
a server, one fresh PostgreSQL database for the session (created here, emptied per test, dropped afterwards).

Both are migrated with the real Alembic chain (`bot.storage.migrate.upgrade`).
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.storage.databases import create_database, drop_database
from bot.storage.engine import create_engine, create_session_factory
from bot.storage.migrate import upgrade
from bot.tickets.opening import TicketRouting
from bot.tickets.transitions import DeskPolicy
from tests.desk.factories import ICT_CHANNEL

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


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file, copied for each test (migrating once keeps the suite fast)."""
    path = tmp_path_factory.mktemp("template") / "kotae.db"
    asyncio.run(_migrated(f"sqlite+aiosqlite:///{path}"))
    return path


@pytest.fixture(scope="session")
def desk_postgres_url(postgres_server_url: str) -> Iterator[str]:
    """One fresh, migrated database for the desk's tests in this session; tables are emptied per test."""
    url = asyncio.run(create_database(postgres_server_url, prefix="kotae_desk_test"))
    try:
        asyncio.run(_migrated(url))
        yield url
    finally:
        asyncio.run(drop_database(postgres_server_url, url))


@pytest.fixture
async def sqlite_db(sqlite_template: Path, tmp_path: Path) -> AsyncIterator[Database]:
    path = tmp_path / "kotae.db"
    shutil.copyfile(sqlite_template, path)
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    yield Database(engine, create_session_factory(engine))
    await engine.dispose()


@pytest.fixture
async def postgres_db(desk_postgres_url: str) -> AsyncIterator[Database]:
    # Enough connections that 50 concurrent claims really run concurrently.
    engine = create_engine(desk_postgres_url, pool_size=20, max_overflow=40)
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
