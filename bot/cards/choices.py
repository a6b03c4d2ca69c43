"""Choice cards: "did you mean" (clarify) and, after "not helpful", the next best entries.

Each choice is a button with the entry's question; the last one sends the question to ICT staff.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.cards.base import Card, card, execute_action, heading, with_log
from bot.cards.ticket import plain_text
from bot.i18n import Lang, catalogue
from knowledge import Hit

__all__ = ["alternatives_card", "ask_ict_action", "clarify_card"]

_CHOICE_QUESTION_CHARS = 500


def ask_ict_action(
    lang: Lang, *, asker: str, question: str, title_key: str, log_id: str = ""
) -> dict[str, Any]:
    """The button that opens the escalation card for `question`."""
    title = catalogue().text(title_key, lang)
    return execute_action(title, "ask_ict", with_log({"asker": asker, "question": question}, log_id))


def _choices(
    hits: Sequence[Hit], *, asker: str, question: str, card_id: str, decision: str, log_id: str
) -> list[dict[str, Any]]:
    return [
        execute_action(
            hit.entry.question,
            "choose",
            with_log(
                {
                    "asker": asker,
                    "card": card_id,
                    "entry": hit.entry.id,
                    "question": question[:_CHOICE_QUESTION_CHARS],
                    "score": round(hit.score, 4),
                    "decision": decision,
                },
                log_id,
            ),
        )
        for hit in hits
    ]


def clarify_card(
    hits: Sequence[Hit], lang: Lang, *, asker: str, question: str, card_id: str, log_id: str = ""
) -> Card:
    text = catalogue().text
    body = [heading(text("asker.clarify.title", lang)), plain_text(question, isSubtle=True)]
    actions = [
        *_choices(hits, asker=asker, question=question, card_id=card_id, decision="clarify", log_id=log_id),
        ask_ict_action(lang, asker=asker, question=question, title_key="asker.clarify.none", log_id=log_id),
    ]
    return card(body, actions)


def alternatives_card(
    hits: Sequence[Hit], lang: Lang, *, asker: str, question: str, card_id: str, log_id: str = ""
) -> Card:
    """After "not helpful": the next best entries, or only the way to ICT staff when there are none."""
    text = catalogue().text
    title_key = "asker.alternatives.title" if hits else "asker.alternatives.none_left"
    actions = [
        *_choices(
            hits, asker=asker, question=question, card_id=card_id, decision="alternative", log_id=log_id
        ),
        ask_ict_action(lang, asker=asker, question=question, title_key="asker.ask_ict", log_id=log_id),
    ]
    return card([heading(text(title_key, lang))], actions)
