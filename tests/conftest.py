"""Fixtures shared by the whole suite: settings, the connector emulator, the running bot, PostgreSQL."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.config import Settings, load_settings
from bot.storage.databases import create_database, drop_database
from devtools.activities import DEFAULT_TENANT, Person, TeamsActivities
from devtools.emulator import ConnectorEmulator
from tests.harness import BotUnderTest

REPO = Path(__file__).resolve().parent.parent
POSTGRES_URL_VARIABLE = "KOTAE_TEST_POSTGRES_URL"
SCHEMAS_DIR_VARIABLE = "KOTAE_SCHEMAS_DIR"

# What this machine lacks, not what a test found: each is one line of the skip summary, whatever the
# number of tests it skips (see pytest_runtest_makereport below).
POSTGRES_MISSING = (
    f"PostgreSQL not configured: set {POSTGRES_URL_VARIABLE} "
    "(e.g. postgresql+asyncpg://postgres@127.0.0.1:5432/test), or run `bash .ci/run`"
)


def schemas_missing(directory: Path) -> str:
    return (
        f"JSON schemas (Adaptive Cards, Teams manifest) not found in {directory}: set {SCHEMAS_DIR_VARIABLE} "
        "to their folder, or run `bash .ci/run`"
    )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> pytest.TestReport:
    report = yield
    if report.skipped and isinstance(report.longrepr, tuple):
        reason = report.longrepr[2].removeprefix("Skipped: ")
        if reason == POSTGRES_MISSING or reason.startswith("JSON schemas (Adaptive Cards"):
            report.longrepr = ("tests/conftest.py", None, report.longrepr[2])  # one line for all of them
    return report


SettingsFactory = Callable[..., Settings]
# make_settings(**AUTHENTICATED): a bot outside dev mode, with credentials of its own.
AUTHENTICATED: dict[str, Any] = {
    "dev_mode": False,
    "app_id": "11111111-2222-3333-4444-555555555555",
    "app_password": "secret",
    "app_tenant_id": "00000000-0000-0000-0000-0000000000aa",
}


@pytest.fixture(scope="session")
def knowledge_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One knowledge snapshot folder for the session: the shipped knowledge base's vectors are
    computed by the first bot that starts, and later starts read them from its snapshot. Under
    pytest-xdist each worker has its own session and so its own folder."""
    return tmp_path_factory.mktemp("knowledge-cache")


@pytest.fixture
def make_settings(tmp_path: Path, knowledge_cache: Path) -> SettingsFactory:
    """Dev-mode settings on a fresh SQLite file, independent of the developer's environment and .env."""

    def build(**overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "dev_mode": True,
            "database_url": f"sqlite+aiosqlite:///{tmp_path / 'kotae.db'}",
            "knowledge_dir": REPO / "knowledge" / "faq",
            "knowledge_cache_dir": knowledge_cache,
            "allowed_tenants": (DEFAULT_TENANT,),
            "_env_file": None,
        }
        values.update(overrides)
        return load_settings(**values)

    return build


@pytest.fixture
async def emulator() -> AsyncIterator[ConnectorEmulator]:
    connector = ConnectorEmulator()
    await connector.start()
    yield connector
    await connector.close()


@pytest.fixture
def teams(emulator: ConnectorEmulator) -> TeamsActivities:
    return TeamsActivities(service_url=emulator.url)


@pytest.fixture
async def bot(make_settings: SettingsFactory) -> AsyncIterator[BotUnderTest]:
    running = await BotUnderTest.start(make_settings())
    yield running
    await running.close()


@pytest.fixture
def alice() -> Person:
    return Person("山田 花子", "aaaaaaaa-0000-0000-0000-000000000001")


@pytest.fixture
def bob() -> Person:
    return Person("佐藤 太郎", "bbbbbbbb-0000-0000-0000-000000000002")


@pytest.fixture(scope="session")
def postgres_server_url() -> str:
    url = os.environ.get(POSTGRES_URL_VARIABLE)
    if not url:
        pytest.skip(POSTGRES_MISSING)
    return url


@pytest.fixture
def postgres_url(postgres_server_url: str) -> Iterator[str]:
    """A fresh, empty database on the test server for one test, dropped afterwards.

    A plain fixture (its own short event loop), so that parametrised fixtures can ask for it by name.
    """
    url = asyncio.run(create_database(postgres_server_url, prefix="kotae_test"))
    try:
        yield url
    finally:
        asyncio.run(drop_database(postgres_server_url, url))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_kind(request: pytest.FixtureRequest) -> str:
    """The suite's one way to run a test on both databases: each test that takes this fixture, or one
    built on it (`database_url` here, the desk's `db`), runs on SQLite and on PostgreSQL (test ids
    `[sqlite]` and `[postgresql]`)."""
    return str(request.param)


@pytest.fixture
def database_url(database_kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A SQLite file, or a fresh PostgreSQL database, for one test."""
    if database_kind == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'kotae-param.db'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture(scope="session")
def schemas_dir() -> Path:
    directory = Path(os.environ.get(SCHEMAS_DIR_VARIABLE, REPO.parent / "shared" / "schemas"))
    if not directory.is_dir():
        pytest.skip(schemas_missing(directory))
    return directory
