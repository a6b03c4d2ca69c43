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

from bot.asker.activity import asker_of
from bot.asker.log_writer import QuestionLogWriter
from bot.asker.retention import purge_asker_texts
from bot.asker.wiring import AskerHandlers
from bot.config import Settings
from bot.desk.service import Desk
from bot.handler import KotaeBot
from bot.insights.summary import last_week_summary
from bot.knowhow.feature import Knowhow
from bot.knowhow.retention import purge_knowhow
from bot.redact import redact
from bot.seam.adapter import KotaeAdapter, build_adapter
from bot.seam.proactive import AdapterConversations
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
    """Whether the schema is in place; until it is, `/readyz` says why and messages get 503.

    `reason` is shown to anyone who asks `/readyz`: a fixed phrase, never the driver's text (which
    names hosts, users and sometimes more); the details go to the log, with credentials masked.
    """

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
                    self.reason = "schema behind: run `python -m bot migrate`"
                    detail = f"schema at revision {revision}, expected {head}"
                else:
                    self.ready, self.reason = True, "ok"
                    self.became_ready.set()
                    return
            except (TimeoutError, OSError, ConnectionError) as error:
                self.reason, detail = "unreachable", f"{type(error).__name__}: {error}"
            except Exception as error:  # the driver's own errors (auth, missing database) vary by dialect
                self.reason, detail = "error", f"{type(error).__name__}: {error}"
            _log.warning(
                "database not ready (%s: %s); retrying in %.0f s", self.reason, redact(detail), delay
            )
            await asyncio.sleep(delay)
            delay = min(delay * 2, _RETRY_MAX)


@dataclass
class Runtime:
    settings: Settings
    engine: AsyncEngine
    services: Services
    adapter: KotaeAdapter
    conversations: AdapterConversations
    bot: KotaeBot
    knowledge: LiveKnowledge
    desk: Desk
    question_log: QuestionLogWriter
    database: DatabaseStatus = field(default_factory=DatabaseStatus)
    _tasks: list[asyncio.Task[Any]] = field(default_factory=list)
    _probe: asyncio.Task[None] | None = None

    @classmethod
    def build(cls, settings: Settings) -> Runtime:
        engine = create_engine(settings.database_url)
        services = Services(settings=settings, sessions=create_session_factory(engine))
        adapter = build_adapter(settings)
        conversations = AdapterConversations(adapter)
        # The rooms do not import each other: what one needs of another is handed in here.
        desk = Desk.build(
            settings,
            services.sessions,
            conversations,
            weekly_summary=last_week_summary,
            purges=(purge_asker_texts, purge_knowhow),
        )
        # A reply that fails inside a turn raises the same alarm as a failed outbox delivery.
        adapter.on_connector_auth_failure = desk.auth_alarm.failed
        knowledge = LiveKnowledge(
            settings.knowledge_dir,
            match_settings(settings),
            poll_interval=settings.knowledge_poll_interval,
            force_polling=settings.knowledge_force_polling,
            snapshots=Snapshots(settings.knowledge_cache_dir) if settings.knowledge_cache_dir else None,
            semantic=settings.semantic,
        )
        # Colleagues' know-how reads topics with the knowledge base's analyzer (so 表記ゆれ matches),
        # hears of each escalation from the asker's flow, and opens proposals as the asker opens tickets.
        knowhow = Knowhow.build(services, lambda text: knowledge.matcher.terms(text), proposer_of=asker_of)
        asker = AskerHandlers.build(services, knowledge, colleagues=knowhow)
        bot = KotaeBot(
            services,
            ask=asker.ask,
            commands={**desk.commands.handlers(), **asker.commands, **knowhow.commands},
            verbs={**desk.verbs.handlers(), **asker.verbs, **knowhow.verbs},
            thread_reply=desk.threads.handle,
            observers=[desk.observe],
            preferred_language=asker.preferred_language,
        )
        adapter.route_to(bot)
        return cls(
            settings=settings,
            engine=engine,
            services=services,
            adapter=adapter,
            conversations=conversations,
            bot=bot,
            desk=desk,
            knowledge=knowledge,
            question_log=asker.log_writer,
        )

    async def start(self) -> None:
        """Load the knowledge base (an invalid one stops the start unless its last good snapshot is at
        hand), then bring the database up."""
        await self.knowledge.start()
        # The index is hundreds of thousands of long-lived objects: left to the collector, every full
        # collection walks them all (~150 ms, the bot's worst latency under load). Frozen, it skips them.
        gc.collect()
        gc.freeze()
        self._tasks.append(
            asyncio.create_task(self.database.bring_up(self.engine, self.settings.migrate_on_start))
        )
        self.desk.start(self.database.became_ready)
        self.question_log.start()
        if self.knowledge.start_problems:  # the last good snapshot serves: the ICT staff must know
            self.desk.announce_broken_knowledge(
                self.database.became_ready, str(self.settings.knowledge_dir), self.knowledge.start_problems
            )

    async def close(self) -> None:
        await self.question_log.stop()  # writes what is queued, while the database is still open
        await self.desk.stop()
        for task in [*self._tasks, *([self._probe] if self._probe else [])]:
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

    async def _write_probe(self) -> None:
        # A writing transaction: on SQLite it takes the write lock (BEGIN IMMEDIATE), so a lock held
        # elsewhere shows here, where a read (WAL) would still succeed.
        async with self.engine.begin() as connection:
            await connection.execute(text("SELECT 1"))

    async def _probe_database(self) -> dict[str, Any]:
        """The database's answer within _READY_PROBE_TIMEOUT, connection and pool included.

        The probe runs as its own task and is not waited for past the timeout: cancelling a SQLite
        call does not stop its thread, and returning its connection would wait for it (15 s under a
        write lock). One probe at a time: a later /readyz waits on the one still running.
        """
        if self._probe is None or self._probe.done():
            self._probe = asyncio.create_task(self._write_probe())
            self._probe.add_done_callback(_log_probe_failure)
        done, _ = await asyncio.wait({self._probe}, timeout=_READY_PROBE_TIMEOUT)
        if not done:
            return {"ready": False, "reason": "timeout: the database did not accept a write in time"}
        if self._probe.cancelled() or self._probe.exception() is not None:
            return {"ready": False, "reason": "unreachable"}
        return {"ready": True, "reason": "ok"}

    async def readiness(self) -> dict[str, Any]:
        """Ready when the database takes a write at the current schema and the knowledge base is loaded."""
        database: dict[str, Any] = {"ready": self.database.ready, "reason": self.database.reason}
        if self.database.ready:
            database = await self._probe_database()
        knowledge = self.knowledge.status()
        knowledge_ready = knowledge["entries"] > 0
        return {
            "ready": database["ready"] and knowledge_ready,
            "database": database,
            "knowledge": {"ready": knowledge_ready, **knowledge},
            "ict_channel": await self._ict_channel(database["ready"]),
            "dev_mode": self.settings.dev_mode,
        }


def _log_probe_failure(probe: asyncio.Task[None]) -> None:
    if not probe.cancelled() and (error := probe.exception()) is not None:
        _log.warning("readiness probe failed: %s", redact(f"{type(error).__name__}: {error}"))


def match_settings(settings: Settings) -> MatchSettings:
    """The matcher's decision thresholds from the bot's settings; ranking weights keep their defaults."""
    chosen: dict[str, Any] = {
        "answer_threshold": settings.match_answer_threshold,
        "answer_margin": settings.match_answer_margin,
        "clarify_threshold": settings.match_clarify_threshold,
    }
    return MatchSettings(**{name: value for name, value in chosen.items() if value is not None})
