"""The outbox worker against real databases, with a scripted Bot Connector standing in for Teams.

The scripted deliverer answers with HTTP statuses and turns them into outcomes with the same
`outcome_for_status` the Teams deliverer uses; it counts a message as delivered only on a 2xx.
"""

from __future__ import annotations

import asyncio
import random
from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.desk.outbox import (
    Deferred,
    Delivery,
    Failed,
    OutboxWorker,
    Outcome,
    Retry,
    RetryPolicy,
    Sent,
    outcome_for_status,
)
from bot.desk.ratelimit import ConversationRateLimiter
from bot.tickets.effects import enqueue
from bot.tickets.models import OutboxKind, OutboxMessage
from bot.tickets.opening import TicketRouting, open_ticket
from bot.tickets.queries import active_tickets
from tests.desk.conftest import Database
from tests.desk.factories import T0, Clock, new_ticket


class ScriptedConnector:
    """Answers each row's tries with the next scripted (status, Retry-After); then 200."""

    def __init__(self, script: Sequence[tuple[int, str | None]] = (), *, pause: float = 0.0) -> None:
        self._script = list(script)
        self._tries: Counter[int] = Counter()
        self.delivered: list[int] = []
        self._pause = pause

    async def deliver(self, delivery: Delivery) -> Outcome:
        self._tries[delivery.id] += 1
        if self._pause:
            await asyncio.sleep(self._pause)
        status, retry_after = (
            self._script[self._tries[delivery.id] - 1]
            if self._tries[delivery.id] <= len(self._script)
            else (200, None)
        )
        outcome = outcome_for_status(status, retry_after)
        if isinstance(outcome, Sent):
            self.delivered.append(delivery.id)
            return Sent({"activity_id": f"activity-{delivery.id}"})
        return outcome


async def _queue(db: Database, count: int = 1, target: str = "19:ict@thread.tacv2") -> list[int]:
    """Queue `count` rows; returns the ids of every row in the outbox."""
    async with db.sessions.begin() as session:
        for n in range(count):
            await enqueue(
                session,
                kind=OutboxKind.THREAD_REPLY,
                dedupe_key=f"test:{target}:{n}",
                payload={"event": "test", "n": n},
                now=T0,
                target_conversation_id=target,
            )
        return list((await session.scalars(select(OutboxMessage.id).order_by(OutboxMessage.id))).all())


async def _row(db: Database, row_id: int) -> OutboxMessage:
    async with db.sessions() as session:
        return await session.get_one(OutboxMessage, row_id)


def _worker(db: Database, connector: ScriptedConnector, clock: Clock, **options: object) -> OutboxWorker:
    return OutboxWorker(db.sessions, connector, clock=clock, rng=random.Random(7), **options)


async def test_429_with_retry_after_then_success_delivers_once(db: Database) -> None:
    [row_id] = await _queue(db)
    clock = Clock()
    connector = ScriptedConnector([(429, "1")])
    worker = _worker(db, connector, clock)
    assert await worker.drain_once() == 1
    row = await _row(db, row_id)
    assert (row.state, row.attempts, row.last_error) == ("pending", 1, "HTTP 429")
    assert timedelta(seconds=1) <= row.next_attempt_at - T0 <= timedelta(seconds=1.1)
    clock.advance(0.9)
    assert await worker.drain_once() == 0  # Retry-After is honoured
    clock.advance(0.3)
    assert await worker.drain_once() == 1
    assert connector.delivered == [row_id]
    row = await _row(db, row_id)
    assert (row.state, row.attempts, row.result) == ("sent", 2, {"activity_id": f"activity-{row_id}"})
    assert await worker.drain_once() == 0


async def test_500_three_times_then_success_delivers_once(db: Database) -> None:
    [row_id] = await _queue(db)
    clock = Clock()
    connector = ScriptedConnector([(500, None), (503, None), (502, None)])
    worker = _worker(db, connector, clock, policy=RetryPolicy(base_delay=2.0, max_delay=60.0))
    delays = []
    while (row := await _row(db, row_id)).state == "pending":
        clock.now = max(clock.now, row.next_attempt_at)
        await worker.drain_once()
        if (after := await _row(db, row_id)).state == "pending":
            delays.append((after.next_attempt_at - clock.now).total_seconds())
    assert connector.delivered == [row_id]
    assert (await _row(db, row_id)).attempts == 4
    # Exponential backoff with jitter: each delay within [ceiling/2, ceiling] for ceilings 2, 4, 8.
    for delay, ceiling in zip(delays, (2, 4, 8), strict=True):
        assert ceiling / 2 <= delay <= ceiling


async def test_attempts_are_bounded(db: Database) -> None:
    [row_id] = await _queue(db)
    clock = Clock()
    connector = ScriptedConnector([(500, None)] * 10)
    worker = _worker(db, connector, clock, policy=RetryPolicy(max_attempts=3, base_delay=1, max_delay=1))
    for _ in range(5):
        await worker.drain_once()
        clock.advance(5)
    row = await _row(db, row_id)
    assert (row.state, row.attempts, row.last_error) == ("failed", 3, "HTTP 500")
    assert connector.delivered == []


async def test_forbidden_fails_at_once_and_shows_in_tickets(db: Database, routing: TicketRouting) -> None:
    async with db.sessions.begin() as session:
        await open_ticket(session, new_ticket(), routing=routing, now=T0)
    connector = ScriptedConnector([(403, None)])
    await _worker(db, connector, Clock()).drain_once()
    async with db.sessions() as session:
        row = await session.scalar(select(OutboxMessage))
        [listed] = await active_tickets(session, channel_id=routing.default_channel_id)
    assert (row.state, row.attempts) == ("failed", 1)
    assert listed.delivery_failed


async def test_a_new_worker_delivers_what_an_earlier_one_left(db: Database) -> None:
    """A restart: rows never tried, and a row whose worker died mid-send (its lease runs out)."""
    row_ids = await _queue(db, 2)
    clock = Clock()
    stuck = asyncio.Event()

    class DiesMidSend:
        async def deliver(self, delivery: Delivery) -> Outcome:
            stuck.set()
            await asyncio.Event().wait()  # never returns: the process is killed here
            raise AssertionError("unreachable")

    dying = _worker(db, DiesMidSend(), clock, batch_size=1, lease=timedelta(seconds=30))
    task = asyncio.create_task(dying.drain_once())
    await stuck.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    connector = ScriptedConnector()
    restarted = _worker(db, connector, clock)
    await restarted.drain_once()
    assert connector.delivered == [row_ids[1]]  # the leased row waits for its lease to expire
    clock.advance(31)
    await restarted.drain_once()
    assert sorted(connector.delivered) == row_ids
    assert {(await _row(db, row_id)).state for row_id in row_ids} == {"sent"}


async def test_two_workers_send_each_row_once(db: Database) -> None:
    for target in ("a", "b", "c", "d"):
        row_ids = await _queue(db, 15, target=f"19:{target}@thread.tacv2")
    connector = ScriptedConnector(pause=0.002)
    clock = Clock()
    unlimited = ConversationRateLimiter([(1.0, 1000)])

    async def drain(worker: OutboxWorker) -> int:
        claimed = 0
        while handled := await worker.drain_once():
            claimed += handled
        return claimed

    workers = [_worker(db, connector, clock, batch_size=5, limiter=unlimited) for _ in range(2)]
    claimed = await asyncio.gather(*(drain(worker) for worker in workers))
    assert all(claimed), "both workers took part"
    assert sorted(connector.delivered) == row_ids
    assert len(connector.delivered) == len(row_ids) == 60
    async with db.sessions() as session:
        states = (await session.scalars(select(OutboxMessage.state))).all()
    assert set(states) == {"sent"}


async def test_per_conversation_rate_limit_defers_without_spending_attempts(db: Database) -> None:
    row_ids = await _queue(db, 10)
    clock = Clock()
    connector = ScriptedConnector()
    worker = _worker(db, connector, clock)
    await worker.drain_once()
    assert len(connector.delivered) == 6  # 7 per second is Teams' limit: stay below
    deferred = await _row(db, row_ids[6])
    assert (deferred.state, deferred.attempts, deferred.last_error) == ("pending", 0, "rate limit")
    sent_at: dict[int, list[float]] = defaultdict(list)
    while len(connector.delivered) < 10:
        clock.advance(0.25)
        before = len(connector.delivered)
        await worker.drain_once()
        sent_at[int((clock.now - T0).total_seconds())].extend(connector.delivered[before:])
    assert sorted(connector.delivered) == row_ids
    assert all(len(ids) <= 7 for ids in sent_at.values())


async def test_sent_hook_runs_in_the_marking_transaction(db: Database, routing: TicketRouting) -> None:
    async with db.sessions.begin() as session:
        await open_ticket(session, new_ticket(), routing=routing, now=T0)
    seen: list[tuple[int, str]] = []

    async def remember(session: object, delivery: Delivery, sent: Sent) -> None:
        seen.append((delivery.ticket_id, sent.result["activity_id"]))

    worker = _worker(db, ScriptedConnector(), Clock(), after_sent={OutboxKind.NEW_THREAD: remember})
    await worker.drain_once()
    assert len(seen) == 1


async def test_deferred_rows_wait_without_spending_attempts(db: Database) -> None:
    [row_id] = await _queue(db)

    class NotYet:
        async def deliver(self, delivery: Delivery) -> Outcome:
            return Deferred("thread not posted yet", 10)

    clock = Clock()
    worker = _worker(db, NotYet(), clock)
    await worker.drain_once()
    row = await _row(db, row_id)
    assert (row.state, row.attempts, row.next_attempt_at) == ("pending", 0, T0 + timedelta(seconds=10))


async def test_a_raising_deliverer_is_retried_not_fatal(db: Database) -> None:
    [row_id] = await _queue(db)

    class Broken:
        async def deliver(self, delivery: Delivery) -> Outcome:
            raise KeyError("bug")

    await _worker(db, Broken(), Clock()).drain_once()
    row = await _row(db, row_id)
    assert (row.state, row.attempts, row.last_error) == ("pending", 1, "KeyError in deliverer")


@pytest.mark.parametrize(
    ("status", "retry_after", "expected"),
    [
        (200, None, Sent()),
        (201, None, Sent()),
        (429, "3", Retry("HTTP 429", 3.0)),
        (429, None, Retry("HTTP 429", None)),
        (412, None, Retry("HTTP 412", None)),
        (500, None, Retry("HTTP 500", None)),
        (504, None, Retry("HTTP 504", None)),
        (403, None, Failed("HTTP 403")),
        (404, None, Failed("HTTP 404")),
        (400, None, Failed("HTTP 400")),
    ],
)
def test_status_mapping(status: int, retry_after: str | None, expected: Outcome) -> None:
    assert outcome_for_status(status, retry_after) == expected


def test_retry_after_as_http_date() -> None:
    outcome = outcome_for_status(429, "Wed, 21 Oct 2015 07:28:00 GMT")
    assert outcome == Retry("HTTP 429", 0.0)


def test_rate_limiter_windows() -> None:
    limiter = ConversationRateLimiter([(1.0, 2), (10.0, 3)])
    assert limiter.wait("c", 0.0) == 0
    limiter.record("c", 0.0)
    limiter.record("c", 0.5)
    assert limiter.wait("c", 0.6) == pytest.approx(0.4)
    assert limiter.wait("other", 0.6) == 0
    limiter.record("c", 1.0)
    assert limiter.wait("c", 1.6) == pytest.approx(8.4)
    assert limiter.wait("c", 10.0) == 0
