"""Writes the question log off the reply path: a turn only queues; a background task writes in batches.

A turn appends to a bounded in-process queue and goes on (no I/O, no await). The writer task wakes every
`interval` seconds, or as soon as a full batch waits, and writes what is queued in one transaction: the
new rows as one INSERT executed for the whole batch (the driver's executemany: one round trip), then the
follow-ups (vote, pick, "none of these", ticket) as UPDATEs in the order they were queued. (A multi-row
VALUES statement costs the event loop four times as much: SQLAlchemy compiles it anew for each batch.) A row is queued by the turn that sends its card and a follow-up by a
click on that card, so in one process a follow-up always comes after its row. A follow-up that finds
no row (queued by another replica and not written yet) is tried again at each write for
`_FOLLOW_UP_WAIT` seconds.

Nothing here raises into a turn. What can be lost, each counted and logged (docs/insights.md):
- `dropped`: what is refused while `capacity` items wait (the database has not taken a write for a
  while: 10,000 items are 50 s of questions at the load benchmark's 200 a second, eight minutes at 20);
- `lost`: a batch the database refused `_MAX_ATTEMPTS` times in a row (about two minutes with the
  backoff), follow-ups that never found their row, and what is still queued when the stop's flush
  fails or runs out of time. A process that is killed instead of stopped loses what it had queued:
  about `interval` seconds of questions while the database answers.

The asker's pseudonym and the masked text are made here too, so the turn does neither.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.asker.masking import QuestionMasker
from bot.asker.models import LoggedQuestion
from bot.asker.pseudonym import asker_key, read_key
from bot.redact import redact
from bot.storage.rows import changed_rows

__all__ = ["FollowUpWrite", "QuestionLogWriter", "RowWrite"]

_log = logging.getLogger(__name__)
_MAX_ATTEMPTS = 8
_MAX_BACKOFF = 30.0
_FOLLOW_UP_WAIT = 60.0
_STOP_TIMEOUT = 10.0
_BATCH_SIZE = 500  # items written in one transaction; this many waiting wakes the writer early


@dataclass(frozen=True, slots=True)
class RowWrite:
    """A new row: its columns but the pseudonym and the text, which the writer makes from these two."""

    values: dict[str, Any]
    asker: str  # the Entra object id
    question: str  # as asked; masked before it is written


@dataclass(frozen=True, slots=True)
class FollowUpWrite:
    """What followed the row `log_id`; applied only when the asker's pseudonym matches the row's."""

    log_id: str
    asker: str
    values: dict[str, Any]
    queued_at: float = field(default_factory=time.monotonic)


_Item = RowWrite | FollowUpWrite


class QuestionLogWriter:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        masker: QuestionMasker,
        *,
        interval: float = 0.5,
        capacity: int = 10_000,
    ) -> None:
        self._sessions = sessions
        self._mask = masker
        self._interval = interval
        self._capacity = capacity
        self._queue: deque[_Item] = deque()
        self._waiting: list[FollowUpWrite] = []  # follow-ups whose row was not there yet
        self._wake = asyncio.Event()
        self._lock = asyncio.Lock()  # one write at a time: the task's or a flush's
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._secret: str | None = None  # read once: it never changes for an install
        self._attempts = 0  # failed writes in a row of the batch at the head of the queue
        self._unreported_drops = 0
        self.dropped = 0
        self.lost = 0
        self.failed_writes = 0

    def put(self, item: _Item) -> None:
        """Queue a row or a follow-up; never blocks or raises (a full queue drops it and counts it)."""
        if len(self._queue) >= self._capacity:
            if not self._unreported_drops:
                _log.warning(
                    "question log: %d items queued; dropping new ones until it drains", self._capacity
                )
            self._unreported_drops += 1
            self.dropped += 1
            return
        self._queue.append(item)
        if len(self._queue) >= _BATCH_SIZE:
            self._wake.set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        """End the task after its current write, then write what is queued (within _STOP_TIMEOUT)."""
        self._stopping = True
        self._wake.set()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(_STOP_TIMEOUT):
                if self._task is not None:
                    await self._task
                await self.flush()
        if left := len(self._queue) + len(self._waiting):
            self.lost += left
            _log.warning("question log: %d rows or follow-ups not written at shutdown", left)

    async def flush(self) -> bool:
        """Write everything queued now; False when the database refused a batch (it stays queued)."""
        async with self._lock:
            while True:
                batch = [self._queue.popleft() for _ in range(min(_BATCH_SIZE, len(self._queue)))]
                if not batch and not self._waiting:
                    return True
                if not await self._write(batch):
                    return False
                if not self._queue:
                    return True

    async def _run(self) -> None:
        delay = self._interval
        while not self._stopping:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), delay)
            self._wake.clear()
            if self._stopping:
                return  # stop() writes what is left
            written = await self.flush()
            delay = self._interval if written else min(max(delay, 1.0) * 2, _MAX_BACKOFF)

    async def _write(self, batch: list[_Item]) -> bool:
        rows = [item for item in batch if isinstance(item, RowWrite)]
        follow_ups = [*self._waiting, *(item for item in batch if isinstance(item, FollowUpWrite))]
        try:
            async with self._sessions.begin() as session:
                if self._secret is None:
                    self._secret = await read_key(session)
                if rows:
                    await session.execute(insert(LoggedQuestion), [self._row(row) for row in rows])
                unmatched = [item for item in follow_ups if not await self._follow(session, item)]
        except asyncio.CancelledError:
            self._queue.extendleft(reversed(batch))  # a stop that ran out of time counts them as lost
            raise
        except Exception as error:  # the drivers' errors vary by dialect; none may reach a turn
            self._failed(batch, error)
            return False
        self._attempts = 0
        if self._unreported_drops:
            _log.warning(
                "question log: %d items were dropped while the queue was full", self._unreported_drops
            )
            self._unreported_drops = 0
        self._waiting = self._expire(unmatched)
        return True

    def _pseudonym(self, aad_object_id: str) -> str:
        assert self._secret is not None  # read by _write before any row or follow-up
        return asker_key(self._secret, aad_object_id)

    def _row(self, row: RowWrite) -> dict[str, Any]:
        return {**row.values, "asker_key": self._pseudonym(row.asker), "question": self._mask(row.question)}

    async def _follow(self, session: AsyncSession, item: FollowUpWrite) -> bool:
        result = await session.execute(
            update(LoggedQuestion)
            .where(LoggedQuestion.id == item.log_id, LoggedQuestion.asker_key == self._pseudonym(item.asker))
            .values(**item.values)
            .execution_options(synchronize_session=False)
        )
        return bool(changed_rows(result))

    def _failed(self, batch: list[_Item], error: Exception) -> None:
        self.failed_writes += 1
        self._attempts += 1
        detail = redact(f"{type(error).__name__}: {error}")
        if self._attempts >= _MAX_ATTEMPTS:
            self.lost += len(batch)
            self._attempts = 0
            _log.error(
                "question log: %d rows or follow-ups lost after %d failed writes (%s)",
                len(batch),
                _MAX_ATTEMPTS,
                detail,
            )
            return
        self._queue.extendleft(reversed(batch))  # tried again first, in the same order
        _log.warning(
            "question log: write failed (%s); %d items kept for the next try", detail, len(self._queue)
        )

    def _expire(self, unmatched: list[FollowUpWrite]) -> list[FollowUpWrite]:
        now = time.monotonic()
        kept = [item for item in unmatched if now - item.queued_at < _FOLLOW_UP_WAIT]
        if expired := len(unmatched) - len(kept):
            self.lost += expired
            _log.info(
                "question log: %d follow-ups found no row of their asker's (a forged or lost row)", expired
            )
        return kept
