"""The desk, assembled once by the runtime: its verbs, commands and thread replies for the bot, the
channel learning that every activity passes through, and the outbox worker and housekeeping tasks."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.desk.auth_alarm import ConnectorAuthAlarm
from bot.desk.channel_notices import queue_knowledge_broken
from bot.desk.channels import IctChannels, channel_taught_by
from bot.desk.commands import DeskCommands, WeeklySummary
from bot.desk.housekeeping import Housekeeping, RetentionPurge
from bot.desk.outbox import OutboxWorker, RetryPolicy
from bot.desk.teams_delivery import TeamsDeliverer, remember_thread
from bot.desk.thread_replies import ThreadReplies
from bot.desk.verbs import DeskVerbs
from bot.storage.models import utcnow
from bot.tickets.business_hours import BusinessCalendar
from bot.tickets.models import OutboxKind
from bot.tickets.opening import TicketRouting
from bot.tickets.transitions import DeskPolicy
from bot.turn import Conversations, Incoming
from knowledge import Problem

__all__ = ["Desk"]

_log = logging.getLogger(__name__)
_HOUSEKEEPING_INTERVAL = 60.0


@dataclass
class Desk:
    settings: Settings
    sessions: async_sessionmaker[AsyncSession]
    routing: TicketRouting
    verbs: DeskVerbs
    commands: DeskCommands
    threads: ThreadReplies
    deliverer: TeamsDeliverer
    auth_alarm: ConnectorAuthAlarm
    worker: OutboxWorker
    housekeeping: Housekeeping
    channels: IctChannels = field(default_factory=IctChannels)
    # Channels whose service URL this process has stored, with the URL it had.
    _learned: dict[str, str] = field(default_factory=dict)
    _tasks: list[asyncio.Task[Any]] = field(default_factory=list)
    _stop: asyncio.Event = field(default_factory=asyncio.Event)

    @classmethod
    def build(
        cls,
        settings: Settings,
        sessions: async_sessionmaker[AsyncSession],
        conversations: Conversations,
        *,
        weekly_summary: WeeklySummary,
        purges: Sequence[RetentionPurge] = (),
    ) -> Desk:
        """The desk, given what it shows or runs of the other rooms: the insights' weekly figures for the
        `insights` command, and their parts of the retention purge."""
        zone = ZoneInfo(settings.timezone)
        policy = DeskPolicy.from_settings(settings)
        routing = TicketRouting.from_settings(settings)
        auth_alarm = ConnectorAuthAlarm(sessions, ict_channel_id=routing.default_channel_id)
        deliverer = TeamsDeliverer(
            conversations,
            sessions,
            desk_lang=settings.default_locale,
            zone=zone,
            auto_resolve_days=settings.desk_auto_resolve_days,
            auth_alarm=auth_alarm,
        )
        worker = OutboxWorker(
            sessions,
            deliverer,
            policy=RetryPolicy.from_settings(settings),
            lease=timedelta(seconds=settings.outbox_lease_seconds),
            after_sent={OutboxKind.NEW_THREAD: remember_thread},
        )
        return cls(
            settings=settings,
            sessions=sessions,
            routing=routing,
            verbs=DeskVerbs(sessions, policy=policy, zone=zone),
            commands=DeskCommands(
                sessions,
                ict_channels=_channels(routing),
                zone=zone,
                calendar=BusinessCalendar.from_settings(settings),
                weekly_summary=weekly_summary,
            ),
            threads=ThreadReplies(sessions, policy=policy),
            deliverer=deliverer,
            auth_alarm=auth_alarm,
            worker=worker,
            housekeeping=Housekeeping.from_settings(sessions, settings, purges=purges),
        )

    @property
    def ict_channels(self) -> frozenset[str]:
        return _channels(self.routing)

    async def observe(self, activity: Incoming) -> None:
        """Learn how to reach an ICT channel from any activity in it (written only when new or moved)."""
        channel_id = channel_taught_by(activity, self.ict_channels)
        if (
            channel_id is None
            or not activity.service_url
            or self._learned.get(channel_id) == activity.service_url
        ):
            return
        async with self.sessions.begin() as session:
            await self.channels.learn(session, activity, channel_id)
        self._learned[channel_id] = activity.service_url
        _log.info("desk: learned how to reach ICT channel %s", channel_id)

    async def status(self) -> dict[str, Any]:
        """For /readyz and the start-up log: is an ICT channel configured, and is it reachable yet."""
        channels = self.ict_channels
        async with self.sessions() as session:
            known = await self.channels.known(session, channels) if channels else set()
        return {
            "configured": self.settings.ict_channel_id is not None,
            "known": bool(channels) and known == set(channels),
            "channels": {channel: channel in known for channel in sorted(channels)},
        }

    def start(self, database_ready: asyncio.Event) -> None:
        """Run the outbox worker and the housekeeping once the database is ready, until `stop`."""
        self._tasks = [
            asyncio.create_task(self._after(database_ready, self._run_worker)),
            asyncio.create_task(self._after(database_ready, self._run_housekeeping)),
        ]

    def announce_broken_knowledge(
        self, database_ready: asyncio.Event, directory: str, problems: Sequence[Problem]
    ) -> None:
        """Once the database is up, queue a notice to every ICT channel: the knowledge base is broken
        and the last good one serves (call after `start`)."""

        async def queue() -> None:
            async with self.sessions.begin() as session:
                await queue_knowledge_broken(
                    session, self.ict_channels, directory=directory, problems=problems, now=utcnow()
                )

        self._tasks.append(asyncio.create_task(self._after(database_ready, queue)))

    async def _after(self, ready: asyncio.Event, work: Callable[[], Awaitable[None]]) -> None:
        await ready.wait()
        await work()

    async def _run_worker(self) -> None:
        status = await self.status()
        if not status["known"]:
            _log.warning(
                "desk: ICT channel not reachable yet (configured: %s); it is learned from the bot's install "
                "or any message to the bot in that channel",
                status["configured"],
            )
        _log.info("desk: outbox worker %s started", self.worker.worker_id)
        await self.worker.run(self._stop, poll_interval=self.settings.outbox_poll_seconds)

    async def _run_housekeeping(self) -> None:
        await self.housekeeping.run(self._stop, interval=_HOUSEKEEPING_INTERVAL)

    async def stop(self) -> None:
        self._stop.set()
        for task in self._tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []


def _channels(routing: TicketRouting) -> frozenset[str]:
    channels = set(routing.routes.values())
    if routing.default_channel_id:
        channels.add(routing.default_channel_id)
    return frozenset(channels)
