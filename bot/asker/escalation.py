"""Send on the escalation card: the question becomes a ticket through the desk's `open_ticket`.

The card's `key` (a uuid put in when the card was built) is the idempotency key, so a double click
or a Teams retry returns the same ticket instead of opening a second one.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.asker.activity import asker_of
from bot.asker.card_data import EscalateData
from bot.asker.question_log import FollowUp, QuestionLog
from bot.handoffs import ColleagueConsent, ColleagueHooks, EscalatedQuestion
from bot.i18n import Lang, catalogue
from bot.tickets.opening import Candidate, NewTicket, OpenedTicket, TicketRouting, open_ticket
from bot.turn import Turn
from dialogs import AskerFlow

__all__ = ["Escalations", "Sent"]


@dataclass(frozen=True, slots=True)
class Sent:
    ticket: OpenedTicket
    question: str


class Escalations:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        flow: AskerFlow,
        routing: TicketRouting,
        log: QuestionLog,
        colleagues: ColleagueHooks | None = None,
    ) -> None:
        self._sessions = sessions
        self._colleagues = colleagues
        self._log = log
        self._flow = flow
        self._routing = routing

    async def send(self, turn: Turn, data: EscalateData, lang: Lang) -> Sent:
        """Open (or find again) the ticket of this card; raises `IdempotencyKeyReusedError` for a foreign key."""
        attachments = [item.to_attachment() for item in data.attachments]
        question = data.question.strip()
        if not question:
            names = ", ".join(item.name for item in attachments)
            question = catalogue().text("asker.escalate.attachment_only_question", lang, names=names)
        hits = await self._flow.candidates(data.question, lang) if data.question.strip() else ()
        request = NewTicket(
            idempotency_key=data.key,
            asker=asker_of(turn),
            question=question,
            language=lang,
            details=data.details.strip() or None,
            attachments=[
                {"name": item.name, "url": item.url, "content_type": item.content_type}
                for item in attachments
            ],
            candidates=[Candidate(hit.entry.id, round(hit.score, 4)) for hit in hits],
            category=hits[0].entry.category if hits else None,
        )
        async with self._sessions.begin() as session:
            ticket = await open_ticket(session, request, routing=self._routing)
            # No toggles (a card from before them, or inputs Teams dropped): no consent, nothing to remember.
            if self._colleagues is not None and data.share_with_colleagues:
                consent = ColleagueConsent(data.share_with_colleagues == "true", data.show_my_name == "true")
                handed = EscalatedQuestion(
                    ticket_id=ticket.id,
                    created=ticket.created,
                    asker_aad_object_id=request.asker.aad_object_id,
                    asker_name=request.asker.name,
                    question=question,
                    category=request.category,
                    team_id=turn.activity.team_id,
                    consent=consent,
                )
                await self._colleagues.after_escalation(session, handed)
        self._log.follow(data.log, data.asker, FollowUp.ESCALATED, ticket_id=ticket.id)
        return Sent(ticket, question)
