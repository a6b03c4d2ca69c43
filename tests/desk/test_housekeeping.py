"""Reminders (business hours, holidays, bounded, one replica), auto-resolve and the retention purge."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from botbuilder.schema import ChannelAccount, ConversationAccount, ConversationReference
from sqlalchemy import func, select, update

from bot.config import load_settings
from bot.desk.housekeeping import Housekeeping, ReminderPolicy, auto_resolve, send_reminders
from bot.desk.models import FaqDraft
from bot.desk.retention import purge
from bot.storage.models import ConversationReferenceRow
from bot.storage.references import ConversationReferences
from bot.tickets.business_hours import BusinessCalendar
from bot.tickets.models import OutboxMessage, Ticket, TicketEvent
from bot.tickets.opening import TicketRouting, open_ticket
from bot.tickets.transitions import Action, Change, DeskPolicy, apply
from tests.desk.conftest import Database
from tests.desk.factories import T0, Clock, new_ticket, staff

JST = ZoneInfo("Asia/Tokyo")
CALENDAR = BusinessCalendar(JST, time(8, 30), time(17, 15), frozenset({(12, 29), (1, 3)}))
REMINDERS = ReminderPolicy(after=timedelta(hours=1), interval=timedelta(hours=2), max_count=2)


def jst(*args: int) -> datetime:
    return datetime(*args, tzinfo=JST)


@pytest.mark.parametrize(
    ("moment", "is_open"),
    [
        (jst(2026, 11, 26, 10, 0), True),  # Thursday
        (jst(2026, 11, 26, 8, 29), False),
        (jst(2026, 11, 26, 8, 30), True),
        (jst(2026, 11, 26, 17, 15), False),
        (jst(2026, 11, 28, 10, 0), False),  # Saturday
        (jst(2026, 11, 23, 10, 0), False),  # 勤労感謝の日 (Monday)
        (jst(2026, 12, 29, 10, 0), False),  # the office's year-end closing
        (datetime(2026, 11, 26, 0, 0, tzinfo=UTC), True),  # 09:00 JST
    ],
)
def test_business_calendar(moment: datetime, is_open: bool) -> None:
    assert CALENDAR.is_open(moment) is is_open


def test_calendar_from_settings() -> None:
    settings = load_settings(dev_mode=True, desk_business_hours="09:00-24:00", _env_file=None)
    calendar = BusinessCalendar.from_settings(settings)
    assert calendar.is_open(jst(2026, 11, 26, 23, 59))
    assert not calendar.is_open(jst(2026, 1, 2, 12, 0))


async def _open(db: Database, routing: TicketRouting, key: str, at: datetime = T0) -> int:
    async with db.sessions.begin() as session:
        return (await open_ticket(session, new_ticket(key), routing=routing, now=at)).id


async def _remind(db: Database, now: datetime) -> list[int]:
    async with db.sessions.begin() as session:
        return [t.id for t in await send_reminders(session, calendar=CALENDAR, policy=REMINDERS, now=now)]


async def test_reminders_in_business_hours_only_and_bounded(db: Database, routing: TicketRouting) -> None:
    # Opened Thursday 2026-11-26 16:00 JST.
    ticket_id = await _open(db, routing, "late", jst(2026, 11, 26, 16, 0))
    assert await _remind(db, jst(2026, 11, 26, 16, 30)) == []  # too young
    assert await _remind(db, jst(2026, 11, 26, 17, 10)) == [ticket_id]
    assert await _remind(db, jst(2026, 11, 26, 18, 0)) == []  # after hours (and too soon)
    assert await _remind(db, jst(2026, 11, 28, 10, 0)) == []  # Saturday
    assert await _remind(db, jst(2026, 11, 30, 8, 0)) == []  # Monday, before opening
    assert await _remind(db, jst(2026, 11, 30, 9, 0)) == [ticket_id]
    assert await _remind(db, jst(2026, 11, 30, 15, 0)) == []  # max_count reached
    async with db.sessions() as session:
        ticket = await session.get_one(Ticket, ticket_id)
        rows = (
            await session.scalars(select(OutboxMessage.payload).where(OutboxMessage.kind == "thread_reply"))
        ).all()
    assert ticket.reminder_count == 2
    assert [row["event"] for row in rows] == ["reminder", "reminder"]


async def test_no_reminders_on_public_holidays(db: Database, routing: TicketRouting) -> None:
    await _open(db, routing, "k", jst(2026, 11, 20, 10, 0))
    assert await _remind(db, jst(2026, 11, 23, 11, 0)) == []  # 勤労感謝の日


async def test_claimed_and_duplicate_tickets_get_no_reminder(db: Database, routing: TicketRouting) -> None:
    claimed = await _open(db, routing, "a")
    main = await _open(db, routing, "b")
    duplicate = await _open(db, routing, "c")
    async with db.sessions.begin() as session:
        await apply(session, Change(claimed, Action.CLAIM, staff(1), "open", 1), policy=DeskPolicy(), now=T0)
        change = Change(duplicate, Action.LINK_DUPLICATE, staff(1), "open", 1, duplicate_of=main)
        await apply(session, change, policy=DeskPolicy(), now=T0)
    assert await _remind(db, T0 + timedelta(hours=3)) == [main]


async def test_one_replica_sends_each_reminder(db: Database, routing: TicketRouting) -> None:
    ids = [await _open(db, routing, f"k{n}") for n in range(5)]
    now = T0 + timedelta(hours=2)
    results = await asyncio.gather(*(_remind(db, now) for _ in range(4)))
    assert sorted(ticket for result in results for ticket in result) == ids
    async with db.sessions() as session:
        reminders = await session.scalar(select(func.count()).where(OutboxMessage.kind == "thread_reply"))
        events = await session.scalar(select(func.count()).where(TicketEvent.action == "remind"))
    assert reminders == events == 5


async def _answered(db: Database, routing: TicketRouting, key: str, at: datetime) -> int:
    ticket_id = await _open(db, routing, key, at)
    async with db.sessions.begin() as session:
        await apply(
            session, Change(ticket_id, Action.CLAIM, staff(1), "open", 1), policy=DeskPolicy(), now=at
        )
        change = Change(ticket_id, Action.ANSWER, staff(1), "claimed", 2, "再起動してください")
        await apply(session, change, policy=DeskPolicy(), now=at)
    return ticket_id


async def test_auto_resolve_after_n_days_says_so(db: Database, routing: TicketRouting) -> None:
    policy = DeskPolicy(auto_resolve_after=timedelta(days=7))
    old = await _answered(db, routing, "old", T0)
    recent = await _answered(db, routing, "recent", T0 + timedelta(days=3))
    async with db.sessions.begin() as session:
        resolved = await auto_resolve(session, policy=policy, now=T0 + timedelta(days=7, minutes=1))
    assert [t.id for t in resolved] == [old]
    async with db.sessions() as session:
        states = dict((await session.execute(select(Ticket.id, Ticket.state))).all())
        notice = await session.scalar(
            select(OutboxMessage.payload)
            .where(OutboxMessage.ticket_id == old)
            .order_by(OutboxMessage.id.desc())
        )
        event = await session.scalar(select(TicketEvent).order_by(TicketEvent.id.desc()))
    assert states == {old: "resolved", recent: "answered"}
    assert notice == {"event": "auto_resolved"}
    assert (event.action, event.actor_id, event.from_state, event.to_state) == (
        "auto_resolve",
        "system",
        "answered",
        "resolved",
    )


async def test_retention_purges_texts_and_keeps_the_audit_skeleton(
    db: Database, routing: TicketRouting
) -> None:
    ticket_id = await _answered(db, routing, "old", T0)
    async with db.sessions.begin() as session:
        change = Change(ticket_id, Action.RESOLVE, staff(1), "answered", 3, "電話で解決")
        await apply(session, change, policy=DeskPolicy(), now=T0)
        session.add(
            FaqDraft(
                ticket_id=ticket_id,
                question="q",
                answer="a",
                alternates=[],
                language="ja",
                created_by="x",
                created_at=T0,
            )
        )
    fresh = await _open(db, routing, "fresh", T0 + timedelta(days=40))
    async with db.sessions.begin() as session:
        report = await purge(session, older_than=timedelta(days=30), now=T0 + timedelta(days=31))
    assert (report.tickets, report.drafts) == (1, 1)
    assert report.outbox_rows == 0  # nothing was sent yet: pending rows are kept
    async with db.sessions() as session:
        old = await session.get_one(Ticket, ticket_id)
        young = await session.get_one(Ticket, fresh)
        notes = (
            await session.scalars(select(TicketEvent.note).where(TicketEvent.ticket_id == ticket_id))
        ).all()
        trail = (
            await session.scalars(select(TicketEvent.to_state).where(TicketEvent.ticket_id == ticket_id))
        ).all()
    assert (old.question, old.details, old.answer, old.asker_name, old.resolution_note) == (None,) * 5
    assert old.state == "resolved"
    assert old.purged_at is not None
    assert young.question is not None
    assert set(notes) == {None}
    assert trail == ["open", "claimed", "answered", "resolved"]


async def test_housekeeping_runs_everything(db: Database, routing: TicketRouting) -> None:
    answered = await _answered(db, routing, "a", T0)
    waiting = await _open(db, routing, "w", T0)
    clock = Clock(T0 + timedelta(days=8))  # Friday 2026-12-04, 10:00 JST
    housekeeping = Housekeeping(
        db.sessions,
        calendar=CALENDAR,
        reminders=REMINDERS,
        policy=DeskPolicy(),
        retention=timedelta(days=365),
        clock=clock,
    )
    await housekeeping.run_once()
    async with db.sessions() as session:
        assert (await session.get_one(Ticket, answered)).state == "resolved"
        assert (await session.get_one(Ticket, waiting)).reminder_count == 1


def _reference(conversation_id: str, aad: str) -> ConversationReference:
    return ConversationReference(
        channel_id="msteams",
        service_url="https://smba.trafficmanager.net/jp/",
        user=ChannelAccount(id=f"29:{aad}", name="山田 花子", aad_object_id=aad),
        bot=ChannelAccount(id="28:kotae", name="Kotae"),
        conversation=ConversationAccount(
            id=conversation_id, name="山田さんとの会話", conversation_type="personal"
        ),
    )


async def test_retention_removes_the_names_from_old_conversation_references(db: Database) -> None:
    references = ConversationReferences()
    async with db.sessions.begin() as session:
        for conversation_id, aad in (("a:old", "aad-old"), ("a:recent", "aad-recent")):
            await references.remember(
                session,
                _reference(conversation_id, aad),
                conversation_type="personal",
                user_aad_object_id=aad,
                tenant_id="t",
            )
        written = {"a:old": T0 - timedelta(days=400), "a:recent": T0 - timedelta(days=10)}
        for conversation_id, at in written.items():
            await session.execute(
                update(ConversationReferenceRow)
                .where(ConversationReferenceRow.conversation_id == conversation_id)
                .values(updated_at=at)
            )
    housekeeping = Housekeeping(
        db.sessions,
        calendar=CALENDAR,
        reminders=REMINDERS,
        policy=DeskPolicy(),
        retention=timedelta(days=365),
        clock=Clock(T0),
    )
    await housekeeping.run_once()
    async with db.sessions() as session:
        rows = {row.conversation_id: row for row in await session.scalars(select(ConversationReferenceRow))}
        old = await references.get(session, "a:old")
    stored = {key: json.loads(row.reference) for key, row in rows.items()}
    assert [
        part.get("name") for part in (stored["a:old"][key] for key in ("user", "bot", "conversation"))
    ] == [
        None,
        None,
        None,
    ]
    assert rows["a:old"].updated_at.replace(tzinfo=UTC) == written["a:old"]  # the purge is not a sign of life
    assert (old.user.id, old.user.aad_object_id, old.conversation.id) == ("29:aad-old", "aad-old", "a:old")
    assert stored["a:recent"]["user"]["name"] == "山田 花子"
