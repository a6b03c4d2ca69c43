"""The asker's view of their tickets: the "my questions" list and withdrawing one (`cancel N`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.cards.my_questions import TicketLine
from bot.tickets.actors import Actor
from bot.tickets.models import Ticket, TicketState
from bot.tickets.queries import tickets_of_asker
from bot.tickets.transitions import RULES, Action, Change, DeskPolicy, apply

__all__ = ["WITHDRAWABLE", "AskerTickets", "WithdrawOutcome", "Withdrawal"]

WITHDRAWABLE = RULES[Action.WITHDRAW].sources
_LISTED = 20


class WithdrawOutcome(StrEnum):
    DONE = "done"
    NOT_FOUND = "not_found"  # no such ticket of this asker
    NOT_OPEN = "not_open"  # resolved or withdrawn already
    CHANGED = "changed"  # someone changed it between the read and the update


@dataclass(frozen=True, slots=True)
class Withdrawal:
    outcome: WithdrawOutcome
    state: str | None = None


class AskerTickets:
    """Repository over the desk's tickets, seen by one asker; never commits."""

    def __init__(self, policy: DeskPolicy) -> None:
        self._policy = policy

    async def recent(self, session: AsyncSession, aad_object_id: str) -> Sequence[TicketLine]:
        tickets = await tickets_of_asker(session, aad_object_id, limit=_LISTED)
        return [TicketLine(t.number, t.state, t.question, t.created_at) for t in tickets]

    async def withdrawable_numbers(self, session: AsyncSession, aad_object_id: str) -> Sequence[int]:
        tickets = await tickets_of_asker(session, aad_object_id, states=tuple(WITHDRAWABLE))
        return sorted(ticket.number for ticket in tickets)

    async def awaiting_reply(self, session: AsyncSession, aad_object_id: str) -> Ticket | None:
        """The asker's newest ticket whose answer waits for their "did this solve it?"."""
        tickets = await tickets_of_asker(session, aad_object_id, states=(TicketState.ANSWERED,), limit=1)
        return tickets[0] if tickets else None

    async def withdraw(self, session: AsyncSession, actor: Actor, number: int) -> Withdrawal:
        """Withdraw the asker's ticket `number` through the desk's state machine (audited, notified)."""
        seen = (
            await session.execute(
                select(Ticket.id, Ticket.state, Ticket.version).where(
                    Ticket.number == number, Ticket.asker_aad_object_id == actor.aad_object_id
                )
            )
        ).one_or_none()
        if seen is None:
            return Withdrawal(WithdrawOutcome.NOT_FOUND)
        state = TicketState(seen.state)
        if state not in WITHDRAWABLE:
            return Withdrawal(WithdrawOutcome.NOT_OPEN, state.value)
        change = Change(seen.id, Action.WITHDRAW, actor, state, seen.version)
        result = await apply(session, change, policy=self._policy)
        if result.applied:
            return Withdrawal(WithdrawOutcome.DONE)
        return Withdrawal(WithdrawOutcome.CHANGED)
