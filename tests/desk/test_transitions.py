"""The state machine: legal and illegal transitions, who may act, duplicates, and the 50-claim race."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.tickets.actors import Actor
from bot.tickets.models import OutboxMessage, Ticket, TicketState
from bot.tickets.opening import TicketRouting, open_ticket
from bot.tickets.queries import active_tickets, events_of, ticket_by_number, tickets_of_asker
from bot.tickets.transitions import Action, Change, DeskPolicy, Refusal, TransitionResult, apply
from tests.desk.conftest import Database
from tests.desk.factories import T0, new_ticket, staff

ASKER = Actor(id="29:aad-asker", aad_object_id="aad-asker", name="山田 太郎")
OPEN, CLAIMED, ANSWERED = TicketState.OPEN, TicketState.CLAIMED, TicketState.ANSWERED


async def _open(db: Database, routing: TicketRouting, key: str = "k", aad: str = "aad-asker") -> int:
    async with db.sessions.begin() as session:
        return (await open_ticket(session, new_ticket(key, aad=aad), routing=routing, now=T0)).id


async def _do(
    db: Database,
    ticket_id: int,
    action: Action,
    actor: Actor,
    *,
    policy: DeskPolicy | None = None,
    minutes: float = 0,
    text: str | None = None,
    duplicate_of: int | None = None,
) -> TransitionResult:
    """Apply `action` to the ticket as the actor last saw it (its current state and version)."""
    async with db.sessions.begin() as session:
        ticket = await session.get_one(Ticket, ticket_id)
        change = Change(
            ticket_id, action, actor, TicketState(ticket.state), ticket.version, text, duplicate_of
        )
        return await apply(
            session, change, policy=policy or DeskPolicy(), now=T0 + timedelta(minutes=minutes)
        )


async def _trail(db: Database, ticket_id: int) -> list[tuple[str, str | None, str]]:
    async with db.sessions() as session:
        return [(e.action, e.from_state, e.to_state) for e in await events_of(session, ticket_id)]


async def _outbox(db: Database, ticket_id: int) -> list[tuple[str, str]]:
    async with db.sessions() as session:
        rows = await session.scalars(
            select(OutboxMessage).where(OutboxMessage.ticket_id == ticket_id).order_by(OutboxMessage.id)
        )
        return [(row.kind, row.payload["event"]) for row in rows]


async def test_full_life_claim_answer_confirm(db: Database, routing: TicketRouting) -> None:
    ticket_id = await _open(db, routing)
    claimed = await _do(db, ticket_id, Action.CLAIM, staff(1), minutes=1)
    assert claimed.applied
    assert (claimed.ticket.state, claimed.ticket.claimer_name, claimed.ticket.version) == (
        "claimed",
        "ICT 1",
        2,
    )
    answered = await _do(db, ticket_id, Action.ANSWER, staff(1), minutes=2, text="設定 > 連絡先 から")
    assert (answered.ticket.state, answered.ticket.answer) == ("answered", "設定 > 連絡先 から")
    confirmed = await _do(db, ticket_id, Action.CONFIRM, ASKER, minutes=3)
    assert confirmed.ticket.state == "resolved"
    assert confirmed.ticket.resolved_at is not None
    assert await _trail(db, ticket_id) == [
        ("open", None, "open"),
        ("claim", "open", "claimed"),
        ("answer", "claimed", "answered"),
        ("confirm", "answered", "resolved"),
    ]
    assert await _outbox(db, ticket_id) == [
        ("new_thread", "opened"),
        ("update_card", "changed"),
        ("notify_asker", "claimed"),
        ("update_card", "changed"),
        ("notify_asker", "answered"),
        ("update_card", "changed"),
        ("thread_reply", "confirmed"),
    ]


async def test_reopen_returns_to_the_same_claimer_who_is_told(db: Database, routing: TicketRouting) -> None:
    ticket_id = await _open(db, routing)
    await _do(db, ticket_id, Action.CLAIM, staff(1))
    await _do(db, ticket_id, Action.ANSWER, staff(1), text="再起動してください")
    reopened = await _do(db, ticket_id, Action.REOPEN, ASKER, text="まだつながりません")
    assert (reopened.ticket.state, reopened.ticket.claimer_aad_object_id) == ("claimed", "aad-staff-1")
    assert (await _outbox(db, ticket_id))[-1] == ("thread_reply", "reopened")
    async with db.sessions() as session:
        relay = await session.scalar(select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(1))
    assert relay.payload["text"] == "まだつながりません"
    # A second claim notice is not sent to the asker: "X is on it" once per ticket.
    await _do(db, ticket_id, Action.RELEASE, staff(1))
    await _do(db, ticket_id, Action.CLAIM, staff(2))
    assert [event for kind, event in await _outbox(db, ticket_id) if kind == "notify_asker"] == [
        "claimed",
        "answered",
    ]


async def test_release_and_resolve_with_note(db: Database, routing: TicketRouting) -> None:
    ticket_id = await _open(db, routing)
    await _do(db, ticket_id, Action.CLAIM, staff(1))
    released = await _do(db, ticket_id, Action.RELEASE, staff(1))
    assert (released.ticket.state, released.ticket.claimer_id) == ("open", None)
    await _do(db, ticket_id, Action.CLAIM, staff(2))
    resolved = await _do(db, ticket_id, Action.RESOLVE, staff(2), text="電話で解決")
    assert (resolved.ticket.state, resolved.ticket.resolution_note) == ("resolved", "電話で解決")
    async with db.sessions() as session:
        notes = [e.note for e in await events_of(session, ticket_id)]
    assert notes[-1] == "電話で解決"


async def test_withdraw_from_each_active_state(db: Database, routing: TicketRouting) -> None:
    for n, steps in enumerate([[], [Action.CLAIM], [Action.CLAIM, Action.ANSWER]]):
        ticket_id = await _open(db, routing, key=f"w{n}")
        for step in steps:
            await _do(db, ticket_id, step, staff(1), text="answer")
        withdrawn = await _do(db, ticket_id, Action.WITHDRAW, ASKER)
        assert withdrawn.ticket.state == "withdrawn"


@pytest.mark.parametrize(
    ("action", "state"),
    [
        (Action.ANSWER, OPEN),
        (Action.RELEASE, OPEN),
        (Action.CONFIRM, CLAIMED),
        (Action.REOPEN, OPEN),
        (Action.CLAIM, CLAIMED),
        (Action.RESOLVE, OPEN),
        (Action.WITHDRAW, TicketState.RESOLVED),
    ],
)
async def test_illegal_transitions_change_nothing(
    db: Database, routing: TicketRouting, action: Action, state: TicketState
) -> None:
    ticket_id = await _open(db, routing)
    async with db.sessions.begin() as session:
        result = await apply(session, Change(ticket_id, action, staff(1), state, 1, "x"), policy=DeskPolicy())
    assert result.refusal is Refusal.ILLEGAL
    assert (result.ticket.state, result.ticket.version) == ("open", 1)
    assert await _trail(db, ticket_id) == [("open", None, "open")]


async def test_only_the_claimer_answers_releases_resolves(db: Database, routing: TicketRouting) -> None:
    ticket_id = await _open(db, routing)
    await _do(db, ticket_id, Action.CLAIM, staff(1))
    for action in (Action.ANSWER, Action.RELEASE, Action.RESOLVE):
        result = await _do(db, ticket_id, action, staff(2), text="x")
        assert result.refusal is Refusal.NOT_CLAIMER
        assert (result.ticket.state, result.ticket.claimer_name) == ("claimed", "ICT 1")
    assert len(await _trail(db, ticket_id)) == 2


async def test_only_the_asker_confirms_reopens_withdraws(db: Database, routing: TicketRouting) -> None:
    ticket_id = await _open(db, routing)
    await _do(db, ticket_id, Action.CLAIM, staff(1))
    await _do(db, ticket_id, Action.ANSWER, staff(1), text="a")
    for action in (Action.CONFIRM, Action.REOPEN, Action.WITHDRAW):
        assert (await _do(db, ticket_id, action, staff(1))).refusal is Refusal.NOT_ASKER


async def test_answer_needs_text(db: Database, routing: TicketRouting) -> None:
    ticket_id = await _open(db, routing)
    await _do(db, ticket_id, Action.CLAIM, staff(1))
    assert (await _do(db, ticket_id, Action.ANSWER, staff(1), text="  ")).refusal is Refusal.TEXT_REQUIRED


async def test_stale_version_loses_and_learns_who_holds_it(db: Database, routing: TicketRouting) -> None:
    ticket_id = await _open(db, routing)
    await _do(db, ticket_id, Action.CLAIM, staff(1))
    async with db.sessions.begin() as session:
        late = await apply(session, Change(ticket_id, Action.CLAIM, staff(2), OPEN, 1), policy=DeskPolicy())
    assert late.refusal is Refusal.STALE
    assert late.ticket.claimer_name == "ICT 1"


async def test_unknown_ticket(db: Database) -> None:
    async with db.sessions.begin() as session:
        result = await apply(session, Change(999, Action.CLAIM, staff(1), OPEN, 1), policy=DeskPolicy())
    assert (result.ticket, result.refusal) == (None, Refusal.NOT_FOUND)


async def test_force_release_only_after_the_configured_time(db: Database, routing: TicketRouting) -> None:
    policy = DeskPolicy(force_release_after=timedelta(hours=2))
    ticket_id = await _open(db, routing)
    await _do(db, ticket_id, Action.CLAIM, staff(1))
    early = await _do(db, ticket_id, Action.FORCE_RELEASE, staff(2), policy=policy, minutes=119)
    assert early.refusal is Refusal.TOO_EARLY
    forced = await _do(db, ticket_id, Action.FORCE_RELEASE, staff(2), policy=policy, minutes=120)
    assert forced.applied
    assert (forced.ticket.state, forced.ticket.claimer_id) == ("open", None)
    async with db.sessions() as session:
        last = (await events_of(session, ticket_id))[-1]
    assert (last.action, last.actor_id) == ("force_release", "aad-staff-2")
    assert (await _outbox(db, ticket_id))[-1] == ("thread_reply", "force_released")


async def test_answering_the_main_ticket_answers_its_duplicates(db: Database, routing: TicketRouting) -> None:
    main = await _open(db, routing, key="main")
    duplicates = [await _open(db, routing, key=f"d{n}", aad=f"aad-{n}") for n in range(3)]
    for duplicate in duplicates:
        assert (await _do(db, duplicate, Action.LINK_DUPLICATE, staff(1), duplicate_of=main)).applied
    await _do(db, main, Action.CLAIM, staff(1))
    await _do(db, main, Action.ANSWER, staff(1), text="障害は復旧しました")
    async with db.sessions() as session:
        tickets = (await session.scalars(select(Ticket).where(Ticket.id.in_(duplicates)))).all()
    assert {(t.state, t.answer, t.claimer_name) for t in tickets} == {
        ("answered", "障害は復旧しました", "ICT 1")
    }
    for duplicate in duplicates:
        assert (await _trail(db, duplicate))[-1] == ("answer_as_duplicate", "open", "answered")
        assert ("notify_asker", "answered") in await _outbox(db, duplicate)
    # A late duplicate of an already answered ticket is answered at once.
    late = await _open(db, routing, key="late", aad="aad-late")
    await _do(db, late, Action.LINK_DUPLICATE, staff(2), duplicate_of=main)
    async with db.sessions() as session:
        assert (await session.get_one(Ticket, late)).state == "answered"


async def test_bad_duplicate_links_are_refused(db: Database, routing: TicketRouting) -> None:
    main = await _open(db, routing, key="main")
    child = await _open(db, routing, key="child", aad="aad-2")
    other = await _open(db, routing, key="other", aad="aad-3")
    assert (
        await _do(db, main, Action.LINK_DUPLICATE, staff(1), duplicate_of=main)
    ).refusal is Refusal.BAD_DUPLICATE
    assert (await _do(db, child, Action.LINK_DUPLICATE, staff(1), duplicate_of=main)).applied
    # No chains: a duplicate cannot be a main ticket, and a main ticket cannot become a duplicate.
    assert (
        await _do(db, other, Action.LINK_DUPLICATE, staff(1), duplicate_of=child)
    ).refusal is Refusal.BAD_DUPLICATE
    assert (
        await _do(db, main, Action.LINK_DUPLICATE, staff(1), duplicate_of=other)
    ).refusal is Refusal.BAD_DUPLICATE
    assert (
        await _do(db, other, Action.LINK_DUPLICATE, staff(1), duplicate_of=9999)
    ).refusal is Refusal.BAD_DUPLICATE


async def test_withdrawing_a_main_ticket_frees_its_duplicates(db: Database, routing: TicketRouting) -> None:
    main = await _open(db, routing, key="main")
    child = await _open(db, routing, key="child", aad="aad-2")
    await _do(db, child, Action.LINK_DUPLICATE, staff(1), duplicate_of=main)
    await _do(db, main, Action.WITHDRAW, ASKER)
    async with db.sessions() as session:
        freed = await session.get_one(Ticket, child)
    assert (freed.state, freed.duplicate_of) == ("open", None)
    assert (await _trail(db, child))[-1] == ("unlink", "open", "open")


async def test_fifty_simultaneous_claims_have_one_winner(db: Database, routing: TicketRouting) -> None:
    ticket_id = await _open(db, routing)
    start = asyncio.Event()

    async def claim(n: int) -> TransitionResult:
        await start.wait()
        async with db.sessions.begin() as session:
            change = Change(ticket_id, Action.CLAIM, staff(n), OPEN, 1)
            return await apply(session, change, policy=DeskPolicy())

    tasks = [asyncio.create_task(claim(n)) for n in range(50)]
    await asyncio.sleep(0)
    start.set()
    results = await asyncio.gather(*tasks)
    winners = [r for r in results if r.applied]
    assert len(winners) == 1
    winner = winners[0].ticket.claimer_name
    assert {r.refusal for r in results if not r.applied} == {Refusal.STALE}
    # Every loser learns who has it.
    assert {r.ticket.claimer_name for r in results} == {winner}
    trail = await _trail(db, ticket_id)
    assert trail.count(("claim", "open", "claimed")) == 1
    async with db.sessions() as session:
        ticket = await session.get_one(Ticket, ticket_id)
    assert (ticket.version, ticket.claimer_name) == (2, winner)


async def test_tickets_listing_and_lookup(db: Database, routing: TicketRouting) -> None:
    first = await _open(db, routing, key="a")
    second = await _open(db, routing, key="b")
    await _do(db, second, Action.CLAIM, staff(1))
    done = await _open(db, routing, key="c")
    await _do(db, done, Action.WITHDRAW, ASKER)
    async with db.sessions() as session:
        listed = await active_tickets(session, channel_id=routing.default_channel_id)
        elsewhere = await active_tickets(session, channel_id=routing.routes["network"])
        by_number = await ticket_by_number(session, 2)
    assert [(item.ticket.id, item.delivery_failed) for item in listed] == [(first, False), (second, False)]
    assert elsewhere == []
    assert by_number.id == second


async def test_tickets_of_asker(db: Database, routing: TicketRouting) -> None:
    older = await _open(db, routing, key="a")
    newer = await _open(db, routing, key="b")
    await _open(db, routing, key="c", aad="someone-else")
    await _do(db, older, Action.CLAIM, staff(1))
    async with db.sessions() as session:
        mine = await tickets_of_asker(session, "aad-asker")
        waiting = await tickets_of_asker(session, "aad-asker", states=[TicketState.CLAIMED])
    assert {t.id for t in mine} == {older, newer}
    assert [t.id for t in waiting] == [older]
