"""The async engine and session factory, built once by the composition root."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

__all__ = ["KotaeSessions", "create_engine", "create_session_factory"]

_SQLITE_BUSY_TIMEOUT_MS = 15_000
_READ_ONLY = "kotae_read_only"


def create_engine(database_url: str, **options: Any) -> AsyncEngine:
    """An engine for SQLite (aiosqlite) or PostgreSQL (asyncpg).

    SQLite gets WAL, a busy timeout and `BEGIN IMMEDIATE` transactions: writers queue on the busy
    timeout instead of failing with "database is locked" when a read transaction upgrades to a write.
    """
    url = make_url(database_url)
    # Statement parameters carry what people wrote: keep them out of error messages and logs.
    options.setdefault("hide_parameters", True)
    if url.get_backend_name() != "sqlite":
        return create_async_engine(url, pool_pre_ping=True, **options)
    if url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_async_engine(url, **options)
    _configure_sqlite(engine)
    return engine


def _configure_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide when a transaction begins (see _on_begin).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        # The timeout first: switching a new file to WAL needs a lock another connection may hold.
        cursor.execute(f"PRAGMA busy_timeout={_SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        # Reads take no write lock: in WAL mode they never wait for a writer (see KotaeSessions).
        deferred = connection.get_execution_options().get(_READ_ONLY, False)
        connection.exec_driver_sql("BEGIN" if deferred else "BEGIN IMMEDIATE")


class KotaeSessions(async_sessionmaker[AsyncSession]):
    """`sessions()` reads; `sessions.begin()` is a unit of work that writes and commits.

    On SQLite a reading session's transaction is deferred, so reads never queue behind the write
    lock that every writing transaction takes at its start.
    """

    def __init__(self, engine: AsyncEngine) -> None:
        super().__init__(engine.execution_options(**{_READ_ONLY: True}), expire_on_commit=False)
        self._writer = engine

    def begin(self) -> Any:
        return self(bind=self._writer)._maker_context_manager()


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return KotaeSessions(engine)
