"""Everything the running service owns, built once from the settings, started and closed with the app."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.adapter import KotaeAdapter, build_adapter
from bot.asker.wiring import AskerHandlers
from bot.config import Settings
from bot.desk.service import Desk
from bot.handler import KotaeBot
from bot.services import Services
from bot.storage.engine import create_engine, create_session_factory
from bot.storage.migrate import current_revision, head_revision, upgrade
from knowledge import LiveKnowledge, MatchSettings, Snapshots

__all__ = ["DatabaseStatus", "Runtime"]

_log = logging.getLogger(__name__)
_READY_PROBE_TIMEOUT = 2.0
_RETRY_START, _RETRY_MAX = 1.0, 30.0


@dataclass
class DatabaseStatus:
    """Whether the schema is in place; until it is, `/readyz` says why and messages get 503."""

    ready: bool = False
    reason: str = "starting"
    became_ready: asyncio.Event = field(default_factory=asyncio.Event)

    async def bring_up(self, engine: AsyncEngine, migrate: bool) -> None:
        """Migrate (or check the revision), retrying with backoff until the database answers."""
        delay = _RETRY_START
        while not self.ready:
            try:
                if migrate:
                    await upgrade(engine)
                revision, head = await current_revision(engine), head_revision()
                if revision != head:
                    self.reason = (
                        f"schema at revision {revision}, expected {head}: run `python -m bot migrate`"
                    )
                else:
                    self.ready, self.reason = True, "ok"
                    self.became_ready.set()
                    return
            except (TimeoutError, OSError, ConnectionError) as error:
                self.reason = f"database unreachable: {type(error).__name__}: {error}"
            except Exception as error:  # the driver's own errors (auth, missing database) vary by dialect
                self.reason = f"database error: {type(error).__name__}: {error}"
            _log.warning("database not ready (%s); retrying in %.0f s", self.reason, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, _RETRY_MAX)


@dataclass
class Runtime:
    settings: Settings
    engine: AsyncEngine
    services: Services
    adapter: KotaeAdapter
    bot: KotaeBot
    knowledge: LiveKnowledge
    desk: Desk
    database: DatabaseStatus = field(default_factory=DatabaseStatus)
    _tasks: list[asyncio.Task[Any]] = field(default_factory=list)

    @classmethod
    def build(cls, settings: Settings) -> Runtime:
        engine = create_engine(settings.database_url)
        services = Services(settings=settings, sessions=create_session_factory(engine))
        adapter = build_adapter(settings)
        desk = Desk.build(settings, services.sessions, adapter)
        knowledge = LiveKnowledge(
            settings.knowledge_dir,
            match_settings(settings),
            poll_interval=settings.knowledge_poll_interval,
            force_polling=settings.knowledge_force_polling,
            snapshots=Snapshots(settings.knowledge_cache_dir) if settings.knowledge_cache_dir else None,
        )
        asker = AskerHandlers.build(services, knowledge)
        bot = KotaeBot(
            services,
            ask=asker.ask,
            commands={**desk.commands.handlers(), **asker.commands},
            verbs={**desk.verbs.handlers(), **asker.verbs},
            thread_reply=desk.threads.handle,
            observers=[desk.observe],
            preferred_language=asker.preferred_language,
        )
        return cls(
            settings=settings,
            engine=engine,
            services=services,
            adapter=adapter,
            bot=bot,
            desk=desk,
            knowledge=knowledge,
        )

    async def start(self) -> None:
        """Load the knowledge base (an invalid one stops the start), then bring the database up."""
        await self.knowledge.start()
        # The index is hundreds of thousands of long-lived objects: left to the collector, every full
        # collection walks them all (~150 ms, the bot's worst latency under load). Frozen, it skips them.
        gc.collect()
        gc.freeze()
        self._tasks.append(
            asyncio.create_task(self.database.bring_up(self.engine, self.settings.migrate_on_start))
        )
        self.desk.start(self.database.became_ready)

    async def close(self) -> None:
        await self.desk.stop()
        for task in self._tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self.knowledge.stop()
        await self.adapter.close()
        await self.engine.dispose()
        gc.unfreeze()

    async def _ict_channel(self, database_ready: bool) -> dict[str, Any]:
        """Whether the ICT channel is configured and known yet; never a reason to be unready."""
        if not database_ready:
            return {"configured": self.settings.ict_channel_id is not None, "known": False}
        try:
            return await self.desk.status()
        except Exception as error:  # reported, not raised: the channel's state does not gate readiness
            return {"configured": self.settings.ict_channel_id is not None, "error": type(error).__name__}

    async def readiness(self) -> dict[str, Any]:
        """Ready when the database answers at the current schema and the knowledge base is loaded."""
        database = {"ready": self.database.ready, "reason": self.database.reason}
        if self.database.ready:
            try:
                async with asyncio.timeout(_READY_PROBE_TIMEOUT), self.engine.connect() as connection:
                    await connection.execute(text("SELECT 1"))
            except Exception as error:  # any failure of the probe means "not ready", with its name
                database = {"ready": False, "reason": f"database unreachable: {type(error).__name__}"}
        knowledge = self.knowledge.status()
        knowledge_ready = knowledge["entries"] > 0
        return {
            "ready": database["ready"] and knowledge_ready,
            "database": database,
            "knowledge": {"ready": knowledge_ready, **knowledge},
            "ict_channel": await self._ict_channel(database["ready"]),
            "dev_mode": self.settings.dev_mode,
        }


def match_settings(settings: Settings) -> MatchSettings:
    """The matcher's decision thresholds from the bot's settings; ranking weights keep their defaults."""
    chosen = {
        "answer_threshold": settings.match_answer_threshold,
        "answer_margin": settings.match_answer_margin,
        "clarify_threshold": settings.match_clarify_threshold,
    }
    return MatchSettings(**{name: value for name, value in chosen.items() if value is not None})
