"""The answer card: the entry's question, its Markdown answer, its links, Helpful / Not helpful.

An answer too long for one Teams message is cut; "More" posts the next part. Parts are found from
an offset in the answer, so the next part needs no state: the `more` data carries the entry, the
offset and a version of the answer (a changed entry makes the old button expire politely).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from bot.cards.base import Card, card, execute_action, heading, open_url_action, text_block, with_log
from bot.cards.markdown import MESSAGE_LIMIT, fit, teams_markdown, utf16_size
from bot.i18n import Lang, catalogue
from knowledge import Entry

__all__ = ["AnswerContext", "answer_card", "answer_version"]

# What a vote remembers of the question; the matcher reads no more than this either.
VOTE_QUESTION_CHARS = 500
_WEB_SCHEMES = ("http://", "https://")
# Room left for the activity around the card (ids, addresses, the attachment's envelope).
_ENVELOPE = 2 * 1024


@dataclass(frozen=True, slots=True)
class AnswerContext:
    """Who asked what, and how the entry was found: carried by the card's buttons."""

    asker: str  # the asker's aadObjectId: only they may vote or escalate
    question: str
    score: float
    decision: str  # answer, clarify or alternative
    answer_id: str  # this card's id: one vote per card and user
    log_id: str = ""  # the question log's row (empty on cards made before the log)


def answer_version(entry: Entry) -> str:
    """A short fingerprint of the answer text, so a `more` click on an edited entry is recognised."""
    return hashlib.sha256(entry.answer.encode("utf-8")).hexdigest()[:12]


def _links(entry: Entry, lang: Lang) -> list[dict[str, Any]]:
    web = [link for link in entry.links if link.url.lower().startswith(_WEB_SCHEMES)]
    # A button cannot open a UNC path or file:// link from Teams: show them as text to copy.
    folders = [link for link in entry.links if link not in web]
    items: list[dict[str, Any]] = []
    if folders:
        lines = "\n".join(f"- {teams_markdown(link.title)}: {teams_markdown(link.url)}" for link in folders)
        items.append(text_block(catalogue().text("asker.answer.folders", lang) + "\n" + lines))
    if web:
        items.append(
            {"type": "ActionSet", "actions": [open_url_action(link.title, link.url) for link in web]}
        )
    return items


def _actions(entry: Entry, lang: Lang, context: AnswerContext) -> list[dict[str, Any]]:
    text = catalogue().text
    vote = with_log(
        {
            "asker": context.asker,
            "answer": context.answer_id,
            "entry": entry.id,
            "question": context.question[:VOTE_QUESTION_CHARS],
            "score": round(context.score, 4),
            "decision": context.decision,
        },
        context.log_id,
    )
    return [
        execute_action(text("asker.answer.helpful", lang), "helpful", vote, style="positive"),
        execute_action(text("asker.answer.not_helpful", lang), "not_helpful", vote),
    ]


def answer_card(entry: Entry, lang: Lang, context: AnswerContext | None = None, *, start: int = 0) -> Card:
    """The part of the answer from `start`; the first part (`start=0`) has links and votes.

    `context` is None for the later parts, which anyone may ask for and nobody votes on.
    """
    text = catalogue().text
    answer = teams_markdown(entry.answer)
    title = entry.question if start == 0 else text("asker.answer.continued", lang, title=entry.question)
    extras = _links(entry, lang) if start == 0 else []
    actions = _actions(entry, lang, context) if context is not None and start == 0 else []

    def build(part: str, next_start: int | None) -> Card:
        body = [heading(title), text_block(part), *extras]
        more = []
        if next_start is not None:
            data = {"entry": entry.id, "offset": next_start, "version": answer_version(entry)}
            more = [execute_action(text("asker.answer.more", lang), "more", data)]
        return card(body, [*more, *actions])

    # The card without its answer, with a More button (the largest it can be) gives the budget.
    budget = MESSAGE_LIMIT - _ENVELOPE - utf16_size(build("", len(answer)))
    end = fit(answer, start, budget)
    return build(answer[start:end], end if end < len(answer) else None)
