"""The way back: every migration can be undone, and undone migrations can be applied again, on SQLite and
PostgreSQL; `python -m bot migrate --down-to` is the operator's command for it (docs/operations.md)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from sqlalchemy import inspect as schema_of
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.storage.engine import create_engine
from bot.storage.migrate import current_revision, downgrade, head_revision, revisions, upgrade
from tests.conftest import REPO


async def _tables(engine: AsyncEngine) -> dict[str, list[str]]:
    """Every table with its columns and indexes: what an upgrade must rebuild exactly."""

    def read(connection) -> dict[str, list[str]]:
        inspector = schema_of(connection)
        return {
            table: sorted(
                [f"column {column['name']}" for column in inspector.get_columns(table)]
                + [f"index {index['name']}" for index in inspector.get_indexes(table)]
            )
            for table in inspector.get_table_names()
        }

    async with engine.connect() as connection:
        return await connection.run_sync(read)


async def test_upgrade_downgrade_step_by_step_and_upgrade_again(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        await upgrade(engine)
        at_head = await _tables(engine)
        chain = revisions()
        assert chain[-1] == head_revision()
        for previous in reversed(["base", *chain[:-1]]):  # one revision at a time, down to nothing
            await downgrade(engine, previous)
            assert await current_revision(engine) == (None if previous == "base" else previous)
        assert set(await _tables(engine)) <= {"alembic_version"}
        await upgrade(engine)
        assert await current_revision(engine) == head_revision()
        assert await _tables(engine) == at_head
    finally:
        await engine.dispose()


def _migrate(database_url: str, cwd: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    environment = {
        **os.environ,
        "DATABASE_URL": database_url,
        "KOTAE_DEV_MODE": "true",
        "PYTHONPATH": str(REPO),
    }
    return subprocess.run(
        [sys.executable, "-m", "bot", "migrate", *arguments],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_operator_command_goes_down_and_refuses_what_it_does_not_know(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'kotae.db'}"
    first, *_ = revisions()
    assert _migrate(url, tmp_path).stdout.strip() == f"database at revision {head_revision()}"
    down = _migrate(url, tmp_path, "--down-to", first)
    assert (down.returncode, down.stdout.strip()) == (0, f"database at revision {first}")
    unknown = _migrate(url, tmp_path, "--down-to", "0000deadbeef")
    assert unknown.returncode == 2
    assert "unknown revision '0000deadbeef'" in unknown.stderr


def test_a_schema_from_a_newer_release_is_named_with_the_way_back(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'kotae.db'}"
    assert _migrate(url, tmp_path).returncode == 0
    with sqlite3.connect(tmp_path / "kotae.db") as database:
        database.execute("UPDATE alembic_version SET version_num = '2099_01_01_0099'")
    newer = _migrate(url, tmp_path)
    assert newer.returncode == 1
    assert "revision 2099_01_01_0099, which this release does not know" in newer.stderr
    assert "--down-to" in newer.stderr
