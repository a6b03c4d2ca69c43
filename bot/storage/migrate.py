"""Apply the Alembic migrations: on start, and by `python -m bot migrate`.

Several replicas may start at once: on PostgreSQL a session-level advisory lock lets one of them
migrate while the others wait; on SQLite the upgrade is one transaction that holds the file's write
lock from its start (`BEGIN IMMEDIATE`), which does the same.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, text
from sqlalchemy.ext.asyncio import AsyncEngine

__all__ = ["alembic_config", "current_revision", "downgrade", "head_revision", "revisions", "upgrade"]

_log = logging.getLogger(__name__)
_MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
# Any fixed 64-bit number; it names Kotae's migration lock among the database's advisory locks.
_ADVISORY_LOCK_KEY = 0x6B6F746165


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    return config


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def revisions() -> list[str]:
    """Every revision id, oldest first."""
    script = ScriptDirectory.from_config(alembic_config())
    return [revision.revision for revision in reversed(list(script.walk_revisions()))]


def _step(action: Callable[[Config, str], None], target: str) -> Callable[[Connection], None]:
    def run(connection: Connection) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        action(config, target)

    return run


# Alembic keeps the running migration's context in a module-level proxy (`alembic.context`), so two
# upgrades in one process must not overlap; across processes the database's locks serialise them.
_LOCKS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = weakref.WeakKeyDictionary()


def _in_process_lock() -> asyncio.Lock:
    return _LOCKS.setdefault(asyncio.get_running_loop(), asyncio.Lock())


async def upgrade(engine: AsyncEngine) -> None:
    """Bring the schema to the newest revision, serialised across replicas."""
    await _migrate(engine, _step(command.upgrade, "head"))
    _log.info("database schema at revision %s", head_revision())


async def downgrade(engine: AsyncEngine, target: str) -> None:
    """Undo revisions down to `target` (a revision id, or `base` for an empty database): the way back
    to an earlier release, run with the release that made the newer revisions (it has their downgrades)."""
    await _migrate(engine, _step(command.downgrade, target))
    _log.info("database schema at revision %s", await current_revision(engine))


async def _migrate(engine: AsyncEngine, work: Callable[[Connection], None]) -> None:
    async with _in_process_lock(), engine.connect() as connection:
        is_postgres = connection.dialect.name == "postgresql"
        if is_postgres:
            await connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": _ADVISORY_LOCK_KEY})
            await connection.commit()
        try:
            # One transaction for the whole upgrade, begun before Alembic looks: Alembic then joins
            # it instead of committing after each revision, so another process (which waits on
            # SQLite's write lock) never plans from a half-done upgrade.
            async with connection.begin():
                await connection.run_sync(work)
        finally:
            if is_postgres:
                await connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": _ADVISORY_LOCK_KEY})
                await connection.commit()


async def current_revision(engine: AsyncEngine) -> str | None:
    """The revision the database is at; None before the first migration."""

    def _read(connection: Connection) -> str | None:
        return MigrationContext.configure(connection).get_current_revision()

    async with engine.connect() as connection:
        return await connection.run_sync(_read)
