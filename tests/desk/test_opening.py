"""open_ticket: one transaction, short unique numbers, idempotent by key even under concurrency."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select

from bot.tickets.models import OutboxKind, OutboxMessage, Ticket, TicketEvent
from bot.tickets.opening import IdempotencyKeyReusedError, NewTicket, TicketRouting, open_ticket
from tests.desk.conftest import Database
from tests.desk.factories import ICT_CHANNEL, T0, new_ticket


async def _count(db: Database, entity: type) -> int:
    async with db.sessions() as session:
        return await session.scalar(select(func.count()).select_from(entity))


async def test_open_writes_ticket_event_and_outbox_row(db: Database, routing: TicketRouting) -> None:
    async with db.sessions.begin() as session:
        opened = await open_ticket(session, new_ticket(), routing=routing, now=T0)
    assert opened.created
    assert opened.number == 1
    async with db.sessions() as session:
        ticket = await session.get_one(Ticket, opened.id)
        event = await session.scalar(select(TicketEvent))
        row = await session.scalar(select(OutboxMessage))
    assert (ticket.state, ticket.version, ticket.channel_id) == ("open", 1, ICT_CHANNEL)
    assert ticket.candidates == [{"id": "phone-contacts", "score": 0.42}]
    assert ticket.attachments[0]["url"] == "https://files.example/shot.png"
    assert (event.action, event.from_state, event.to_state, event.actor_id) == (
        "open",
        None,
        "open",
        "aad-asker",
    )
    assert (row.kind, row.target_conversation_id, row.state) == (
        OutboxKind.NEW_THREAD,
        ICT_CHANNEL,
        "pending",
    )


async def test_category_routes_to_its_channel(db: Database, routing: TicketRouting) -> None:
    async with db.sessions.begin() as session:
        opened = await open_ticket(session, new_ticket(category="network"), routing=routing, now=T0)
        ticket = await session.get_one(Ticket, opened.id)
    assert ticket.channel_id == "19:network@thread.tacv2"


async def test_numbers_are_consecutive(db: Database, routing: TicketRouting) -> None:
    numbers = []
    for n in range(3):
        async with db.sessions.begin() as session:
            numbers.append((await open_ticket(session, new_ticket(f"k{n}"), routing=routing)).number)
    assert numbers == [1, 2, 3]


async def test_repeated_send_returns_the_same_ticket_and_gives_no_number_away(
    db: Database, routing: TicketRouting
) -> None:
    async with db.sessions.begin() as session:
        first = await open_ticket(session, new_ticket("same"), routing=routing)
    async with db.sessions.begin() as session:
        again = await open_ticket(session, new_ticket("same"), routing=routing)
    async with db.sessions.begin() as session:
        other = await open_ticket(session, new_ticket("other"), routing=routing)
    assert (again.id, again.number, again.created) == (first.id, first.number, False)
    assert other.number == first.number + 1
    assert await _count(db, Ticket) == 2
    assert await _count(db, TicketEvent) == 2
    assert await _count(db, OutboxMessage) == 2


async def test_concurrent_double_send_makes_one_ticket(db: Database, routing: TicketRouting) -> None:
    async def send(key: str) -> tuple[int, bool]:
        async with db.sessions.begin() as session:
            opened = await open_ticket(session, new_ticket(key), routing=routing)
            return opened.id, opened.created

    results = await asyncio.gather(*(send("double") for _ in range(10)), *(send(f"u{n}") for n in range(10)))
    doubles = results[:10]
    assert len({ticket_id for ticket_id, _ in doubles}) == 1
    assert sum(created for _, created in doubles) == 1
    assert await _count(db, Ticket) == 11
    assert await _count(db, OutboxMessage) == 11
    async with db.sessions() as session:
        numbers = sorted((await session.scalars(select(Ticket.number))).all())
    assert numbers == list(range(1, 12))


async def test_a_key_of_another_asker_is_refused(db: Database, routing: TicketRouting) -> None:
    async with db.sessions.begin() as session:
        await open_ticket(session, new_ticket("k"), routing=routing)
    with pytest.raises(IdempotencyKeyReusedError, match="another asker"):
        async with db.sessions.begin() as session:
            await open_ticket(session, new_ticket("k", aad="someone-else"), routing=routing)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("question", "  ", "question"),
        ("language", "fr", "language"),
        ("idempotency_key", "", "idempotency_key"),
    ],
)
def test_bad_requests_are_rejected(field: str, value: str, message: str) -> None:
    values = {
        name: getattr(new_ticket(), name) for name in ("idempotency_key", "asker", "question", "language")
    }
    values[field] = value
    with pytest.raises(ValueError, match=message):
        NewTicket(**values)
