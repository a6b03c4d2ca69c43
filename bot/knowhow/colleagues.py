"""Asking colleagues: after an escalation, the matching helpers get the question 1:1; the first answer
wins (one conditional UPDATE), goes to the asker and into the ticket's ICT thread; the asker's
"解決した" resolves the ticket and thanks the helper.

Everything is written in the caller's unit of work (never committed here); messages go through the
outbox, deduplicated by key, so a retried click or a second replica never sends twice.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import exists, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.cards.knowhow import colleague_answer_card, helper_request_card, knowhow_notice_card
from bot.config import Settings
from bot.handoffs import EscalatedQuestion
from bot.i18n import catalogue, lang_or
from bot.knowhow.consent import Consents
from bot.knowhow.matching import Helper, Match, Terms, rank
from bot.knowhow.models import HelperRequest, KnowhowProfile, KnowhowQuestion, KnowhowTopic, RequestState
from bot.knowhow.profiles import HELPER_MESSAGE_PREFIX, topic_key
from bot.storage.dialect import upsert_insert
from bot.storage.models import ConversationReferenceRow, utcnow
from bot.storage.references import ConversationReferences
from bot.storage.rows import changed_rows
from bot.tickets.actors import Actor
from bot.tickets.effects import enqueue
from bot.tickets.models import OutboxKind, Ticket, TicketState
from bot.tickets.transitions import Action, Change, DeskPolicy, apply

__all__ = ["AnswerOutcome", "ColleaguePolicy", "Colleagues", "SolvedOutcome"]

# A colleague may answer while ICT staff have not; the asker may say it solved it until it is closed.
_OPEN_STATES = (TicketState.OPEN.value, TicketState.CLAIMED.value)
_SOLVABLE_STATES = (*_OPEN_STATES, TicketState.ANSWERED.value)


@dataclass(frozen=True, slots=True)
class ColleaguePolicy:
    zone: ZoneInfo
    daily_cap: int = 3
    threshold: float = 0.5

    @classmethod
    def from_settings(cls, settings: Settings) -> ColleaguePolicy:
        return cls(
            daily_cap=settings.knowhow_daily_cap,
            threshold=settings.knowhow_match_threshold,
            zone=ZoneInfo(settings.timezone),
        )

    def day_start(self, now: datetime) -> datetime:
        local = now.astimezone(self.zone)
        return local.replace(hour=0, minute=0, second=0, microsecond=0)


class AnswerOutcome(StrEnum):
    WON = "won"
    ALREADY_ANSWERED = "already_answered"  # another helper's answer came first
    CLOSED = "closed"  # the ticket was resolved or withdrawn meanwhile
    NOT_YOURS = "not_yours"  # no such request for this helper (left, forged, or purged)
    EMPTY = "empty"


class SolvedOutcome(StrEnum):
    DONE = "done"
    NOT_YOURS = "not_yours"
    CLOSED = "closed"


class Colleagues:
    """The service. `terms` is the knowledge analyzer (CPU-bound: run off the event loop)."""

    def __init__(self, terms: Terms, *, policy: ColleaguePolicy, desk_policy: DeskPolicy) -> None:
        self._terms = terms
        self._policy = policy
        self._desk_policy = desk_policy
        self._consents = Consents()

    async def after_escalation(self, session: AsyncSession, question: EscalatedQuestion) -> list[Match]:
        """Remember the asker's consent; with it, ask the best helpers (once per ticket)."""
        await self._consents.remember(session, question.asker_aad_object_id, question.consent)
        if not question.consent.share or not question.created:
            return []
        now = utcnow()
        helpers = await self._candidates(session, question.asker_aad_object_id, now)
        if not helpers:
            return []
        matches = await asyncio.to_thread(
            rank,
            helpers,
            question.question,
            self._terms,
            category_key=topic_key(question.category) if question.category else None,
            team_id=question.team_id,
            threshold=self._policy.threshold,
            topic_key=topic_key,
        )
        if not matches:
            return []
        await session.execute(
            upsert_insert(session, KnowhowQuestion)
            .on_conflict_do_nothing(index_elements=[KnowhowQuestion.ticket_id])
            .values(ticket_id=question.ticket_id, show_name=question.consent.show_name, created_at=now)
        )
        for match in matches:
            await self._send_request(session, question, match, now)
        return matches

    async def _candidates(self, session: AsyncSession, asker: str, now: datetime) -> list[Helper]:
        """Available profiles other than the asker's, under today's cap, with a 1:1 chat to reach."""
        asked_today = (
            select(func.count(HelperRequest.id))
            .where(
                HelperRequest.helper_aad_object_id == KnowhowProfile.aad_object_id,
                HelperRequest.created_at >= self._policy.day_start(now),
            )
            .scalar_subquery()
        )
        reachable = exists().where(
            ConversationReferenceRow.user_aad_object_id == KnowhowProfile.aad_object_id,
            ConversationReferenceRow.conversation_type == "personal",
        )
        profiles = (
            await session.scalars(
                select(KnowhowProfile).where(
                    KnowhowProfile.available.is_(True),
                    KnowhowProfile.aad_object_id != asker,
                    asked_today < self._policy.daily_cap,
                    reachable,
                )
            )
        ).all()
        if not profiles:
            return []
        topics: dict[str, list[str]] = {}
        rows = await session.execute(
            select(KnowhowTopic.aad_object_id, KnowhowTopic.label).where(
                KnowhowTopic.aad_object_id.in_([profile.aad_object_id for profile in profiles])
            )
        )
        for owner, label in rows:
            topics.setdefault(owner, []).append(label)
        return [
            Helper(p.aad_object_id, topics.get(p.aad_object_id, []), p.team_ids, p.last_asked_at)
            for p in profiles
            if p.aad_object_id in topics
        ]

    async def _send_request(
        self, session: AsyncSession, question: EscalatedQuestion, match: Match, now: datetime
    ) -> None:
        request_id = await session.scalar(
            upsert_insert(session, HelperRequest)
            .on_conflict_do_nothing(
                index_elements=[HelperRequest.ticket_id, HelperRequest.helper_aad_object_id]
            )
            .values(
                ticket_id=question.ticket_id,
                helper_aad_object_id=match.aad_object_id,
                score=match.score,
                topic=match.topic,
                state=RequestState.SENT.value,
                created_at=now,
            )
            .returning(HelperRequest.id)
        )
        if request_id is None:
            return
        profile = await session.get_one(KnowhowProfile, match.aad_object_id)
        profile.last_asked_at = now
        lang = lang_or(profile.language)
        card = helper_request_card(
            lang,
            request_id=request_id,
            question=question.question,
            asker_name=question.asker_name if question.consent.show_name else None,
        )
        await _send_card(
            session, match.aad_object_id, card, f"{HELPER_MESSAGE_PREFIX}request:{request_id}", now
        )

    async def answer(self, session: AsyncSession, request_id: int, helper: Actor, text: str) -> AnswerOutcome:
        """The helper's answer: the first one for the question wins, in one conditional UPDATE."""
        if not text.strip():
            return AnswerOutcome.EMPTY
        request = await self._own_request(session, request_id, helper)
        if request is None:
            return AnswerOutcome.NOT_YOURS
        now = utcnow()
        won = await session.scalar(
            update(KnowhowQuestion)
            .where(
                KnowhowQuestion.ticket_id == request.ticket_id,
                KnowhowQuestion.answered_request_id.is_(None),
                exists().where(Ticket.id == request.ticket_id, Ticket.state.in_(_OPEN_STATES)),
            )
            .values(answered_request_id=request.id, answered_at=now)
            .returning(KnowhowQuestion.ticket_id)
        )
        if won is None:
            ticket = await session.get_one(Ticket, request.ticket_id)
            closed = ticket.state not in _OPEN_STATES
            request.state = RequestState.LATE.value
            request.answer, request.responded_at = text.strip(), now
            return AnswerOutcome.CLOSED if closed else AnswerOutcome.ALREADY_ANSWERED
        request.state = RequestState.ANSWERED.value
        request.answer, request.responded_at = text.strip(), now
        ticket = await session.get_one(Ticket, request.ticket_id)
        name = helper.name or catalogue().text("knowhow.answer.a_colleague", lang_or(ticket.language))
        await self._deliver_answer(session, ticket, name, text.strip(), now)
        return AnswerOutcome.WON

    async def _deliver_answer(
        self, session: AsyncSession, ticket: Ticket, helper_name: str, answer: str, now: datetime
    ) -> None:
        card = colleague_answer_card(
            lang_or(ticket.language),
            number=ticket.number,
            ticket_id=ticket.id,
            helper_name=helper_name,
            answer=answer,
        )
        await enqueue(
            session,
            kind=OutboxKind.SEND_CARD,
            dedupe_key=f"ticket:{ticket.id}:knowhow:answer_to_asker",
            payload={"card": card},
            now=now,
            ticket_id=ticket.id,
            target_conversation_id=ticket.asker_conversation_id,
        )
        await enqueue(
            session,
            kind=OutboxKind.THREAD_REPLY,
            dedupe_key=f"ticket:{ticket.id}:knowhow:answer_in_thread",
            payload={"event": "colleague_answered", "text": answer, "name": helper_name},
            now=now,
            ticket_id=ticket.id,
            target_conversation_id=ticket.channel_id,
        )

    async def decline(
        self, session: AsyncSession, request_id: int, helper: Actor, state: RequestState
    ) -> bool:
        """分からない / 今は忙しい: recorded once, while the request is still open."""
        changed = await session.execute(
            update(HelperRequest)
            .where(
                HelperRequest.id == request_id,
                HelperRequest.helper_aad_object_id == helper.aad_object_id,
                HelperRequest.state == RequestState.SENT.value,
            )
            .values(state=state.value, responded_at=utcnow())
        )
        return bool(changed_rows(changed))

    async def solved(
        self, session: AsyncSession, ticket_id: int, asker: Actor
    ) -> tuple[SolvedOutcome, int | None]:
        """The asker's 解決した: resolve the ticket (theirs alone, by the transition) and thank the helper."""
        ticket = await session.get(Ticket, ticket_id)
        winner = await session.scalar(
            select(HelperRequest)
            .join(KnowhowQuestion, KnowhowQuestion.answered_request_id == HelperRequest.id)
            .where(KnowhowQuestion.ticket_id == ticket_id)
        )
        if ticket is None or ticket.asker_aad_object_id != asker.aad_object_id:
            return SolvedOutcome.NOT_YOURS, None
        if ticket.state not in _SOLVABLE_STATES:
            return SolvedOutcome.CLOSED, ticket.number
        note = winner.answer if winner is not None else None
        change = Change(
            ticket.id, Action.COLLEAGUE_SOLVED, asker, TicketState(ticket.state), ticket.version, note
        )
        result = await apply(session, change, policy=self._desk_policy)
        if not result.applied:
            return SolvedOutcome.CLOSED, ticket.number
        if winner is not None:
            await self._thank(session, winner, ticket)
        return SolvedOutcome.DONE, ticket.number

    async def _thank(self, session: AsyncSession, winner: HelperRequest, ticket: Ticket) -> None:
        helper = winner.helper_aad_object_id
        profile = await session.get(KnowhowProfile, helper)
        if profile is None:
            return
        await session.execute(
            update(KnowhowProfile)
            .where(KnowhowProfile.aad_object_id == helper)
            .values(helped_count=KnowhowProfile.helped_count + 1)
        )
        message = catalogue().text("knowhow.thanks", lang_or(profile.language), number=ticket.number)
        await _send_card(
            session,
            helper,
            knowhow_notice_card(message),
            f"{HELPER_MESSAGE_PREFIX}thanks:{winner.id}",
            utcnow(),
        )

    async def _own_request(
        self, session: AsyncSession, request_id: int, helper: Actor
    ) -> HelperRequest | None:
        return await session.scalar(
            select(HelperRequest).where(
                HelperRequest.id == request_id,
                HelperRequest.helper_aad_object_id == helper.aad_object_id,
                HelperRequest.state == RequestState.SENT.value,
            )
        )

    async def request_state(self, session: AsyncSession, request_id: int, helper: Actor) -> str | None:
        return await session.scalar(
            select(HelperRequest.state).where(
                HelperRequest.id == request_id, HelperRequest.helper_aad_object_id == helper.aad_object_id
            )
        )


async def _send_card(
    session: AsyncSession, aad_object_id: str, card: dict[str, Any], dedupe_key: str, now: datetime
) -> None:
    """Queue `card` to the person's 1:1 chat with the bot (the newest one Teams gave us)."""
    conversation_id = await ConversationReferences().personal_conversation_id(session, aad_object_id)
    if conversation_id is None:
        return
    await enqueue(
        session,
        kind=OutboxKind.SEND_CARD,
        dedupe_key=dedupe_key,
        payload={"card": card},
        now=now,
        target_conversation_id=conversation_id,
    )
