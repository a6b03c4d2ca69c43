"""The outbox worker: delivers queued messages to Teams with retries, exactly once where Teams allows.

Rows are written by the transaction that decided them (`effects.enqueue`), so nothing is sent for a
change that was rolled back and nothing decided is lost. Any number of workers (replicas) drain the
same table: a worker claims due rows with one conditional `UPDATE … RETURNING` that sets a lease
(`locked_by`, `locked_until`); on PostgreSQL the candidate rows are picked with `FOR UPDATE SKIP
LOCKED`, on SQLite the database's single writer does the same job. A worker that dies mid-send
leaves a lease that expires, and the row is tried again: a send Teams accepted just before the crash
can then be repeated, which is the one duplicate this design allows (see docs/desk.md).

How a row is sent is the `Deliverer`'s business (Teams: `bot/desk/teams_delivery.py`); it reports
`Sent`, `Retry` (429 with Retry-After, 412, 5xx, timeouts before acceptance), `Failed` (403/404 and
other permanent refusals) or `Deferred` (not deliverable yet, e.g. the ticket's thread is not posted).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any, Protocol

from sqlalchemy import or_, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.desk.ratelimit import ConversationRateLimiter
from bot.logs import bind_context, event
from bot.storage.models import utcnow
from bot.tickets.models import OutboxKind, OutboxMessage, OutboxState

__all__ = [
    "OUTBOX_FAILED_EVENT",
    "AfterSent",
    "Deferred",
    "Deliverer",
    "Delivery",
    "Failed",
    "OutboxWorker",
    "Outcome",
    "Retry",
    "RetryPolicy",
    "Sent",
    "outcome_for_status",
]

_log = logging.getLogger(__name__)
_ERROR_LENGTH = 500
# The log event of a row that will never be sent (for a log alert).
OUTBOX_FAILED_EVENT = "outbox_failed"


@dataclass(frozen=True, slots=True)
class Delivery:
    """A claimed outbox row, as the deliverer sees it."""

    id: int
    kind: OutboxKind
    ticket_id: int | None
    target_conversation_id: str | None
    payload: Mapping[str, Any]
    attempt: int  # 1 for the first try
    dedupe_key: str


@dataclass(frozen=True, slots=True)
class Sent:
    """Teams accepted it; `result` (e.g. the new activity's id) is stored on the row."""

    result: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Retry:
    """Teams did not accept it but may later; `after` is the server's Retry-After, else back off."""

    reason: str
    after: float | None = None


@dataclass(frozen=True, slots=True)
class Failed:
    """Teams will never accept it (e.g. 403/404: the bot was removed); the row is marked failed."""

    reason: str


@dataclass(frozen=True, slots=True)
class Deferred:
    """Not deliverable yet (a prerequisite is missing); try again after `after` seconds, not an attempt."""

    reason: str
    after: float


Outcome = Sent | Retry | Failed | Deferred


class Deliverer(Protocol):
    async def deliver(self, delivery: Delivery) -> Outcome: ...


# Work done in the transaction that marks a row sent, by kind (e.g. remember a new thread's ids).
AfterSent = Callable[[AsyncSession, Delivery, Sent], Awaitable[None]]

_RETRYABLE = frozenset({408, 412, 429, 500, 502, 503, 504})


def outcome_for_status(status: int, retry_after: str | None = None) -> Outcome:
    """What an HTTP status from the Bot Connector means for the outbox."""
    if 200 <= status < 300:
        return Sent()
    if status in _RETRYABLE or status >= 500:
        return Retry(f"HTTP {status}", _seconds(retry_after) if status in (429, 503) else None)
    return Failed(f"HTTP {status}")


def _seconds(retry_after: str | None) -> float | None:
    """Retry-After is either delay-seconds or an HTTP date (RFC 9110 §10.2.3)."""
    if not retry_after:
        return None
    value = retry_after.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    max_attempts: int = 8
    base_delay: float = 2.0
    max_delay: float = 300.0

    @classmethod
    def from_settings(cls, settings: Settings) -> RetryPolicy:
        return cls(max_attempts=settings.outbox_max_attempts)

    def delay(self, attempt: int, retry_after: float | None, rng: random.Random) -> float:
        """Seconds before the next try after `attempt` failed tries.

        The server's Retry-After is a floor (with up to 10 % added so replicas do not return together);
        otherwise exponential backoff with "equal jitter": half fixed, half random.
        """
        if retry_after is not None:
            return min(retry_after, self.max_delay * 4) * (1 + 0.1 * rng.random())
        ceiling = min(self.max_delay, self.base_delay * 2 ** (attempt - 1))
        return ceiling / 2 + rng.uniform(0, ceiling / 2)


class OutboxWorker:
    """Drains the outbox. Build one per process; `run` until the app stops."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        deliverer: Deliverer,
        *,
        policy: RetryPolicy | None = None,
        limiter: ConversationRateLimiter | None = None,
        lease: timedelta = timedelta(minutes=2),
        batch_size: int = 20,
        after_sent: Mapping[OutboxKind, AfterSent] | None = None,
        clock: Callable[[], datetime] = utcnow,
        rng: random.Random | None = None,
        worker_id: str | None = None,
    ) -> None:
        self._sessions = sessions
        self._deliverer = deliverer
        self._policy = policy or RetryPolicy()
        self._limiter = limiter or ConversationRateLimiter()
        self._lease = lease
        self._batch_size = batch_size
        self._after_sent = dict(after_sent or {})
        self._clock = clock
        self._rng = rng or random.Random()
        self.worker_id = worker_id or f"worker-{uuid.uuid4().hex[:12]}"

    async def run(self, stop: asyncio.Event, *, poll_interval: float = 1.0) -> None:
        """Drain, then wait for `poll_interval` (or `stop`), until `stop` is set."""
        while not stop.is_set():
            try:
                handled = await self.drain_once()
            except (DBAPIError, OSError, TimeoutError) as error:  # the database is away; try again later
                _log.warning("outbox: cannot reach the database (%s)", type(error).__name__)
                handled = 0
            if handled == 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=poll_interval)

    async def drain_once(self) -> int:
        """Claim one batch of due rows and try each once. Returns how many rows were claimed."""
        claimed = await self._claim(self._clock())
        for delivery in claimed:
            await self._handle(delivery)
        return len(claimed)

    async def _claim(self, now: datetime) -> list[Delivery]:
        free = or_(OutboxMessage.locked_until.is_(None), OutboxMessage.locked_until < now)
        due = (
            select(OutboxMessage.id)
            .where(
                OutboxMessage.state == OutboxState.PENDING.value,
                OutboxMessage.next_attempt_at <= now,
                free,
                # A row of a kind this release does not know (queued by a newer one before a rollback)
                # is left for a release that does.
                OutboxMessage.kind.in_([kind.value for kind in OutboxKind]),
            )
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(self._batch_size)
            .with_for_update(skip_locked=True)
            # Materialised, so the locked set is computed once: PostgreSQL may re-run an `IN (…)`
            # subquery, and with SKIP LOCKED each run would lock further rows past the LIMIT.
            .cte("due")
            .prefix_with("MATERIALIZED", dialect="postgresql")
        )
        statement = (
            update(OutboxMessage)
            .where(OutboxMessage.id == due.c.id, OutboxMessage.state == OutboxState.PENDING.value, free)
            .values(
                locked_by=self.worker_id, locked_until=now + self._lease, attempts=OutboxMessage.attempts + 1
            )
            .returning(OutboxMessage)
            .execution_options(synchronize_session=False, populate_existing=True)
        )
        async with self._sessions.begin() as session:
            rows = (await session.scalars(statement)).all()
            claimed = [
                Delivery(
                    id=row.id,
                    kind=OutboxKind(row.kind),
                    ticket_id=row.ticket_id,
                    target_conversation_id=row.target_conversation_id,
                    payload=dict(row.payload),
                    attempt=row.attempts,
                    dedupe_key=row.dedupe_key,
                )
                for row in sorted(rows, key=lambda row: (row.next_attempt_at, row.id))
            ]
        return claimed

    async def _handle(self, delivery: Delivery) -> None:
        with bind_context(outbox_id=delivery.id, ticket_id=delivery.ticket_id):
            await self._handle_bound(delivery)

    async def _handle_bound(self, delivery: Delivery) -> None:
        target = delivery.target_conversation_id or ""
        wait = self._limiter.wait(target, self._clock().timestamp())
        if wait > 0:
            await self._record(delivery, Deferred("rate limit", wait))
            return
        self._limiter.record(target, self._clock().timestamp())
        try:
            outcome = await self._deliverer.deliver(delivery)
        except (
            Exception
        ) as error:  # a bug or an unexpected error in a deliverer: retry with backoff, keep going
            _log.exception("outbox: delivering row %s (%s) raised", delivery.id, delivery.kind)
            outcome = Retry(f"{type(error).__name__} in deliverer")
        await self._record(delivery, outcome)

    async def _record(self, delivery: Delivery, outcome: Outcome) -> None:
        now = self._clock()
        values: dict[str, Any] = {"locked_by": None, "locked_until": None}
        if isinstance(outcome, Sent):
            values |= {"state": OutboxState.SENT.value, "sent_at": now, "result": dict(outcome.result)}
            values["last_error"] = None
        elif isinstance(outcome, Deferred):
            values |= {"attempts": OutboxMessage.attempts - 1, "last_error": outcome.reason[:_ERROR_LENGTH]}
            values["next_attempt_at"] = now + timedelta(seconds=outcome.after)
        elif isinstance(outcome, Retry) and delivery.attempt < self._policy.max_attempts:
            delay = self._policy.delay(delivery.attempt, outcome.after, self._rng)
            values |= {
                "next_attempt_at": now + timedelta(seconds=delay),
                "last_error": outcome.reason[:_ERROR_LENGTH],
            }
        else:  # Failed, or Retry with no attempts left
            values |= {"state": OutboxState.FAILED.value, "last_error": outcome.reason[:_ERROR_LENGTH]}
            _log.warning(
                "outbox: row %s (%s) failed for good: %s",
                delivery.id,
                delivery.kind,
                outcome.reason,
                extra=event(OUTBOX_FAILED_EVENT),
            )
        async with self._sessions.begin() as session:
            result = await session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == delivery.id, OutboxMessage.locked_by == self.worker_id)
                .values(**values)
            )
            if result.rowcount != 1:
                # Our lease ran out and another worker took the row: it will record its own outcome.
                _log.warning("outbox: lost the lease on row %s before recording its outcome", delivery.id)
                return
            hook = self._after_sent.get(delivery.kind)
            if isinstance(outcome, Sent) and hook is not None:
                await hook(session, delivery, outcome)
