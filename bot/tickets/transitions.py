"""The ticket state machine. Every change is ONE conditional statement plus its audit event.

`UPDATE tickets SET … WHERE id=? AND state=? AND version=? [AND who-may-act] RETURNING …`: zero rows
means someone else acted first (or the actor may not do this), and a follow-up read tells the caller
why and who holds the ticket. There is no read-modify-write anywhere, so of any number of
simultaneous claims exactly one wins, on SQLite and on PostgreSQL alike.

    open ──claim──▶ claimed ──answer──▶ answered ──confirm / auto-resolve──▶ resolved
      ◀──release / force-release──┘  ▲            │
                                     └──reopen────┘   claimed|answered ──resolve (note)──▶ resolved
    open|claimed|answered ──withdraw──▶ withdrawn       open ──link_duplicate──▶ open (duplicate_of set)
    open|claimed|answered ──colleague_solved (the asker, after a colleague's know-how answer)──▶ resolved
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, select, true, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.config import Settings
from bot.storage.models import utcnow
from bot.tickets.actors import SYSTEM, Actor
from bot.tickets.audit import record_events
from bot.tickets.effects import Audience, Notice, notify
from bot.tickets.models import Ticket, TicketState

__all__ = [
    "RULES",
    "Action",
    "Change",
    "DeskPolicy",
    "Refusal",
    "Role",
    "Rule",
    "TransitionResult",
    "answer_duplicates",
    "apply",
]

_OPEN, _CLAIMED, _ANSWERED = TicketState.OPEN, TicketState.CLAIMED, TicketState.ANSWERED
_RESOLVED, _WITHDRAWN = TicketState.RESOLVED, TicketState.WITHDRAWN


class Action(StrEnum):
    CLAIM = "claim"
    RELEASE = "release"
    FORCE_RELEASE = "force_release"
    ANSWER = "answer"
    CONFIRM = "confirm"  # the asker says the answer solved it
    REOPEN = "reopen"  # the asker says it did not
    RESOLVE = "resolve"  # the claimer closes it, optionally with a note (e.g. "solved by phone")
    WITHDRAW = "withdraw"
    LINK_DUPLICATE = "link_duplicate"
    COLLEAGUE_SOLVED = "colleague_solved"  # the asker says a colleague's answer (know-how) solved it


class Role(StrEnum):
    MEMBER = "member"  # any ICT channel member (checked by the caller: channel, tenant, not a guest)
    CLAIMER = "claimer"
    ASKER = "asker"


class Refusal(StrEnum):
    NOT_FOUND = "not_found"
    ILLEGAL = "illegal"  # the action does not apply to the state the caller saw
    STALE = "stale"  # someone else changed the ticket first (e.g. claimed it)
    NOT_CLAIMER = "not_claimer"
    NOT_ASKER = "not_asker"
    TOO_EARLY = "too_early"  # force-release before the configured time
    BAD_DUPLICATE = "bad_duplicate"  # the main ticket cannot take duplicates (itself, a duplicate, withdrawn)
    TEXT_REQUIRED = "text_required"


@dataclass(frozen=True, slots=True)
class DeskPolicy:
    """The desk's timings, from the settings."""

    force_release_after: timedelta = timedelta(hours=72)
    auto_resolve_after: timedelta = timedelta(days=7)

    @classmethod
    def from_settings(cls, settings: Settings) -> DeskPolicy:
        return cls(
            force_release_after=timedelta(hours=settings.desk_force_release_after_hours),
            auto_resolve_after=timedelta(days=settings.desk_auto_resolve_days),
        )


@dataclass(frozen=True, slots=True)
class Change:
    """One requested transition, with the state and version the actor saw (e.g. on the card)."""

    ticket_id: int
    action: Action
    actor: Actor
    expected_state: TicketState
    expected_version: int
    text: str | None = None  # the answer, a resolution note, the asker's follow-up or reason
    duplicate_of: int | None = None  # LINK_DUPLICATE: the main ticket's id

    def __post_init__(self) -> None:
        # Card data carries the state as text; an unknown one raises ValueError here.
        object.__setattr__(self, "expected_state", TicketState(self.expected_state))


@dataclass(frozen=True, slots=True)
class TransitionResult:
    """The ticket as it is now (None if it does not exist) and, when nothing changed, why."""

    ticket: Ticket | None
    refusal: Refusal | None = None

    @property
    def applied(self) -> bool:
        return self.refusal is None


_Values = Callable[[Change, datetime], dict[str, Any]]


@dataclass(frozen=True, slots=True)
class Rule:
    sources: frozenset[TicketState]
    target: TicketState
    role: Role
    values: _Values
    notices: tuple[Notice, ...]
    text_required: bool = False
    # Appended to the conditional UPDATE's WHERE.
    condition: Callable[[Change, datetime, DeskPolicy], ColumnElement[bool]] = field(
        default=lambda _change, _now, _policy: true()
    )


def _claimer(change: Change, now: datetime) -> dict[str, Any]:
    actor = change.actor
    return {
        "claimer_id": actor.id,
        "claimer_aad_object_id": actor.aad_object_id,
        "claimer_name": actor.name,
        "claimed_at": now,
    }


def _unclaimed(_change: Change, _now: datetime) -> dict[str, Any]:
    return {"claimer_id": None, "claimer_aad_object_id": None, "claimer_name": None, "claimed_at": None}


def _main_can_take_duplicates(change: Change, _now: datetime, _policy: DeskPolicy) -> ColumnElement[bool]:
    main, child = aliased(Ticket), aliased(Ticket)
    return and_(
        Ticket.id != change.duplicate_of,
        exists().where(
            main.id == change.duplicate_of,
            main.duplicate_of.is_(None),
            main.state.in_([_OPEN, _CLAIMED, _ANSWERED, _RESOLVED]),
        ),
        # A ticket others already point at stays a main ticket: no chains.
        ~exists().where(child.duplicate_of == change.ticket_id),
    )


_CARD = Notice(Audience.CARD, "changed")

RULES: dict[Action, Rule] = {
    Action.CLAIM: Rule(
        frozenset({_OPEN}),
        _CLAIMED,
        Role.MEMBER,
        _claimer,
        (_CARD, Notice(Audience.ASKER, "claimed", once=True)),
    ),
    Action.RELEASE: Rule(frozenset({_CLAIMED}), _OPEN, Role.CLAIMER, _unclaimed, (_CARD,)),
    Action.FORCE_RELEASE: Rule(
        frozenset({_CLAIMED}),
        _OPEN,
        Role.MEMBER,
        _unclaimed,
        (_CARD, Notice(Audience.THREAD, "force_released")),
        condition=lambda _c, now, policy: Ticket.claimed_at <= now - policy.force_release_after,
    ),
    Action.ANSWER: Rule(
        frozenset({_CLAIMED}),
        _ANSWERED,
        Role.CLAIMER,
        lambda change, now: {"answer": change.text, "answered_at": now},
        (_CARD, Notice(Audience.ASKER, "answered")),
        text_required=True,
    ),
    Action.CONFIRM: Rule(
        frozenset({_ANSWERED}),
        _RESOLVED,
        Role.ASKER,
        lambda _change, now: {"resolved_at": now},
        (_CARD, Notice(Audience.THREAD, "confirmed")),
    ),
    Action.REOPEN: Rule(
        frozenset({_ANSWERED}),
        _CLAIMED,
        Role.ASKER,
        lambda _change, _now: {"answered_at": None},
        (_CARD, Notice(Audience.THREAD, "reopened")),
    ),
    Action.RESOLVE: Rule(
        frozenset({_CLAIMED, _ANSWERED}),
        _RESOLVED,
        Role.CLAIMER,
        lambda change, now: {"resolved_at": now, "resolution_note": change.text},
        (_CARD, Notice(Audience.ASKER, "resolved")),
    ),
    Action.WITHDRAW: Rule(
        frozenset({_OPEN, _CLAIMED, _ANSWERED}),
        _WITHDRAWN,
        Role.ASKER,
        lambda _change, now: {"withdrawn_at": now},
        (_CARD, Notice(Audience.THREAD, "withdrawn")),
    ),
    Action.COLLEAGUE_SOLVED: Rule(
        frozenset({_OPEN, _CLAIMED, _ANSWERED}),
        _RESOLVED,
        Role.ASKER,
        lambda change, now: {"resolved_at": now, "resolution_note": change.text},
        (_CARD, Notice(Audience.THREAD, "colleague_solved")),
    ),
    Action.LINK_DUPLICATE: Rule(
        frozenset({_OPEN}),
        _OPEN,
        Role.MEMBER,
        lambda change, _now: {"duplicate_of": change.duplicate_of},
        (_CARD, Notice(Audience.ASKER, "linked")),
        condition=_main_can_take_duplicates,
    ),
}


def _may_act(role: Role, actor: Actor) -> ColumnElement[bool]:
    if role is Role.CLAIMER:
        return Ticket.claimer_aad_object_id == actor.aad_object_id
    if role is Role.ASKER:
        return Ticket.asker_aad_object_id == actor.aad_object_id
    return true()


async def apply(
    session: AsyncSession, change: Change, *, policy: DeskPolicy, now: datetime | None = None
) -> TransitionResult:
    """Attempt `change` in one conditional UPDATE; on success write its audit event and notices.

    Never commits: the caller's unit of work does, so the change, its audit event and its outbox
    rows become visible together or not at all.
    """
    now = now or utcnow()
    rule = RULES[change.action]
    if change.expected_state not in rule.sources:
        return await _refused(session, change.ticket_id, Refusal.ILLEGAL)
    if rule.text_required and not (change.text and change.text.strip()):
        return await _refused(session, change.ticket_id, Refusal.TEXT_REQUIRED)
    if change.action is Action.LINK_DUPLICATE and change.duplicate_of is None:
        return await _refused(session, change.ticket_id, Refusal.BAD_DUPLICATE)
    statement = (
        update(Ticket)
        .where(
            Ticket.id == change.ticket_id,
            Ticket.state == change.expected_state.value,
            Ticket.version == change.expected_version,
            _may_act(rule.role, change.actor),
            rule.condition(change, now, policy),
        )
        .values(
            state=rule.target.value, version=Ticket.version + 1, updated_at=now, **rule.values(change, now)
        )
        .returning(Ticket)
        .execution_options(populate_existing=True, synchronize_session=False)
    )
    ticket = (await session.scalars(statement)).one_or_none()
    if ticket is None:
        return await _refused(session, change.ticket_id, _why(change, rule), change)
    await record_events(
        session,
        [ticket],
        action=change.action.value,
        from_state=change.expected_state.value,
        actor=change.actor,
        at=now,
        note=change.text,
    )
    await notify(session, [ticket], rule.notices, now=now, text=change.text)
    if change.action is Action.ANSWER:
        await answer_duplicates(session, ticket.id, now=now)
    elif change.action is Action.LINK_DUPLICATE and change.duplicate_of is not None:
        await answer_duplicates(session, change.duplicate_of, now=now)
    elif change.action is Action.WITHDRAW:
        await _unlink_duplicates(session, ticket.id, now=now)
    return TransitionResult(ticket)


def _why(change: Change, rule: Rule) -> Refusal:
    """A first guess at the refusal; `_refused` corrects it from the ticket as it is now."""
    return {Role.CLAIMER: Refusal.NOT_CLAIMER, Role.ASKER: Refusal.NOT_ASKER}.get(rule.role, Refusal.STALE)


async def _refused(
    session: AsyncSession, ticket_id: int, refusal: Refusal, change: Change | None = None
) -> TransitionResult:
    ticket = await session.get(Ticket, ticket_id, populate_existing=True)
    if ticket is None:
        return TransitionResult(None, Refusal.NOT_FOUND)
    if change is not None:
        if (ticket.state, ticket.version) != (change.expected_state.value, change.expected_version):
            refusal = Refusal.STALE
        elif change.action is Action.FORCE_RELEASE:
            refusal = Refusal.TOO_EARLY
        elif change.action is Action.LINK_DUPLICATE:
            refusal = Refusal.BAD_DUPLICATE
    return TransitionResult(ticket, refusal)


async def answer_duplicates(session: AsyncSession, main_id: int, *, now: datetime) -> Sequence[Ticket]:
    """Give every open or claimed duplicate of an answered (or resolved) main ticket its answer.

    One conditional UPDATE per source state, so each audit event records where its ticket came from.
    """
    main = aliased(Ticket)

    def from_main(column: Any) -> Any:
        return select(column).where(main.id == main_id).scalar_subquery()

    answered: list[Ticket] = []
    for source in (_OPEN, _CLAIMED):
        statement = (
            update(Ticket)
            .where(
                Ticket.duplicate_of == main_id,
                Ticket.state == source.value,
                exists().where(main.id == main_id, main.state.in_([_ANSWERED, _RESOLVED])),
            )
            .values(
                state=_ANSWERED.value,
                version=Ticket.version + 1,
                updated_at=now,
                answered_at=now,
                answer=from_main(main.answer),
                claimer_id=from_main(main.claimer_id),
                claimer_aad_object_id=from_main(main.claimer_aad_object_id),
                claimer_name=from_main(main.claimer_name),
                claimed_at=from_main(main.claimed_at),
            )
            .returning(Ticket)
            .execution_options(populate_existing=True, synchronize_session=False)
        )
        tickets = list((await session.scalars(statement)).all())
        await record_events(
            session, tickets, action="answer_as_duplicate", from_state=source.value, actor=SYSTEM, at=now
        )
        await notify(session, tickets, RULES[Action.ANSWER].notices, now=now)
        answered.extend(tickets)
    return answered


async def _unlink_duplicates(session: AsyncSession, main_id: int, *, now: datetime) -> None:
    """A withdrawn main ticket lets its waiting duplicates go back to being tickets of their own."""
    statement = (
        update(Ticket)
        .where(Ticket.duplicate_of == main_id, Ticket.state.in_([_OPEN, _CLAIMED]))
        .values(duplicate_of=None, version=Ticket.version + 1, updated_at=now)
        .returning(Ticket)
        .execution_options(populate_existing=True, synchronize_session=False)
    )
    tickets = list((await session.scalars(statement)).all())
    for state in (_OPEN, _CLAIMED):
        of_state = [ticket for ticket in tickets if ticket.state == state]
        await record_events(session, of_state, action="unlink", from_state=state.value, actor=SYSTEM, at=now)
    await notify(session, tickets, (_CARD,), now=now)
