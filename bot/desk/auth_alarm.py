"""One clear alarm when the bot cannot authenticate to the Bot Connector, instead of silent failures.

Raised by the outbox's deliverer and by a turn whose reply failed (`bot.connector_auth`). Once per
burst and process: an ERROR line with the event `connector_auth_failed` (the one a log alert looks for),
and a notice to the ICT channel through the outbox. That notice can only arrive once sending works
again, as a record of the outage; while it lasts the log line is the alarm. A burst ends at the next
message delivered; while it goes on, the line is repeated every `remind_after`. Replicas failing in the
same hour queue one notice between them (the outbox's dedupe key).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.logs import event
from bot.storage.models import utcnow
from bot.tickets.effects import enqueue
from bot.tickets.models import OutboxKind

__all__ = ["AUTH_FAILED_EVENT", "ConnectorAuthAlarm"]

_log = logging.getLogger(__name__)
AUTH_FAILED_EVENT = "connector_auth_failed"
AUTH_RECOVERED_EVENT = "connector_auth_recovered"


class ConnectorAuthAlarm:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        ict_channel_id: str | None,
        remind_after: timedelta = timedelta(hours=1),
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._sessions = sessions
        self._channel_id = ict_channel_id
        self._remind_after = remind_after
        self._clock = clock
        self._since: datetime | None = None  # when the current burst began
        self._last_said: datetime | None = None

    @property
    def raised(self) -> bool:
        return self._since is not None

    async def failed(self, reason: str) -> None:
        """Sending failed for authentication; says so once per burst (and every `remind_after`)."""
        now = self._clock()
        if self._last_said is not None and now - self._last_said < self._remind_after:
            return
        first = self._since is None
        self._since = self._since or now
        self._last_said = now
        _log.error(
            "cannot authenticate to the Bot Connector since %s: %s. Replies, ticket posts and notifications "
            "are not delivered (queued ones wait in the outbox) until the bot's credentials are fixed: "
            "check MicrosoftAppPassword or the certificate or managed identity (docs/operations.md, "
            "'Authentication failures')",
            self._since.isoformat(timespec="seconds"),
            reason,
            extra=event(AUTH_FAILED_EVENT),
        )
        if first and self._channel_id:
            await self._notify(reason, now)

    def recovered(self) -> None:
        """A message was delivered: authentication works (again)."""
        if self._since is None:
            return
        _log.warning(
            "authentication to the Bot Connector works again (failing since %s)",
            self._since.isoformat(timespec="seconds"),
            extra=event(AUTH_RECOVERED_EVENT),
        )
        self._since = self._last_said = None

    async def _notify(self, reason: str, now: datetime) -> None:
        try:
            async with self._sessions.begin() as session:
                await enqueue(
                    session,
                    kind=OutboxKind.CHANNEL_NOTICE,
                    dedupe_key=f"alarm:{AUTH_FAILED_EVENT}:{now:%Y-%m-%dT%H}",
                    payload={"event": AUTH_FAILED_EVENT, "since": now.isoformat(), "reason": reason},
                    now=now,
                    target_conversation_id=self._channel_id,
                )
        except Exception:  # the log line above is the alarm; a database hiccup must not hide it
            _log.exception("could not queue the authentication alarm for the ICT channel")
