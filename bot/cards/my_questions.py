"""The "my questions" card: the asker's tickets with their state and time, newest first."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.cards.base import Card, card, heading, text_block
from bot.cards.ticket import format_time, plain_text
from bot.i18n import Lang, catalogue

__all__ = ["TicketLine", "my_questions_card"]

_QUESTION_CHARS = 80


@dataclass(frozen=True, slots=True)
class TicketLine:
    number: int
    state: str  # open, claimed, answered, resolved, withdrawn
    question: str | None  # None once the retention purge removed it
    created_at: datetime


def _question(question: str | None, lang: Lang) -> dict[str, Any]:
    if question is None:
        return text_block(catalogue().text("asker.my_questions.purged", lang), isSubtle=True, spacing="None")
    flat = " ".join(question.split())
    shown = flat if len(flat) <= _QUESTION_CHARS else flat[:_QUESTION_CHARS] + "…"
    return {**plain_text(shown, isSubtle=True), "spacing": "None"}


def my_questions_card(tickets: Sequence[TicketLine], lang: Lang, *, timezone: ZoneInfo) -> Card:
    text = catalogue().text
    if not tickets:
        return card(
            [
                heading(text("asker.my_questions.title", lang)),
                text_block(text("asker.my_questions.none", lang)),
            ]
        )
    body = [heading(text("asker.my_questions.title", lang))]
    for ticket in tickets:
        status = text(
            "asker.my_questions.line",
            lang,
            number=ticket.number,
            state=text(f"asker.state.{ticket.state}", lang),
            time=format_time(ticket.created_at, timezone, lang),
        )
        body += [
            text_block(status, weight="Bolder", spacing="Medium"),
            _question(ticket.question, lang),
        ]
    body.append(text_block(text("asker.my_questions.withdraw_hint", lang), isSubtle=True, spacing="Medium"))
    return card(body)
