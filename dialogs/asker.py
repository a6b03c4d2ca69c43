"""The asker's flow: what to do with a message, with the alternatives and entries that cards ask for.

Stateless by design: every card carries what its buttons need (the question, the entry, the asker),
so a click needs no dialog state, works on any replica and never conflicts with the next message.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence

from dialogs.outcomes import (
    Answer,
    Attachment,
    AttachmentOffer,
    Clarify,
    Escalate,
    Outcome,
    Prompt,
    SmallTalkReply,
)
from dialogs.smalltalk import small_talk
from knowledge import Decision, Entry, Hit, Matcher, written_in_english
from knowledge.languages import Lang

__all__ = ["CHOICES", "MAX_QUESTION_CHARS", "AskerFlow"]

# A longer message is answered on its first part (the asker is told so).
MAX_QUESTION_CHARS = 2000
# How many entries a "did you mean" or a "not helpful" offers.
CHOICES = 3


class AskerFlow:
    """Decides what one message gets; `matcher` returns the current matcher (it changes on reload)."""

    def __init__(self, matcher: Callable[[], Matcher]) -> None:
        self._matcher = matcher

    async def _ask(self, question: str, lang: Lang) -> Decision:
        # Matching embeds the question (tens of milliseconds): on a worker thread, never on the
        # event loop that serves everyone else.
        return await asyncio.to_thread(self._matcher().ask, question, lang)

    async def respond(self, text: str, lang: Lang, attachments: Sequence[Attachment] = ()) -> Outcome:
        question = text.strip()
        cut = len(question) > MAX_QUESTION_CHARS
        question = question[:MAX_QUESTION_CHARS]
        if attachments:
            hits = (await self._ask(question, lang)).hits if question else ()
            return AttachmentOffer(question, tuple(attachments), hits, cut)
        if not question:
            return Prompt()
        if (kind := small_talk(question)) is not None:
            return SmallTalkReply(kind)
        decision = await self._ask(question, lang)
        # The matcher reads the start of a long question: the asker is told how much was read.
        cut = cut or decision.truncated
        if decision.kind == "answer" and decision.best is not None:
            return Answer(question, decision.best, decision.hits[1:], cut)
        if decision.kind == "clarify":
            return Clarify(question, decision.hits[:CHOICES], cut)
        return Escalate(question, decision.hits, cut)

    async def alternatives(self, question: str, lang: Lang, *, excluding: str) -> tuple[Hit, ...]:
        """The next best entries for `question` when the asker said `excluding` did not help, in
        that entry's language: its translation would be the same answer again, and another topic
        in the other language is not what the asker reads."""
        shown = self._matcher().kb.get(excluding)
        hits = (await self._ask(question, lang)).hits
        return tuple(
            hit
            for hit in hits
            if hit.entry.id != excluding and (shown is None or hit.entry.lang == shown.lang)
        )[:CHOICES]

    async def candidates(self, question: str, lang: Lang) -> tuple[Hit, ...]:
        """What the bot considered for `question` (kept on a ticket for ICT staff)."""
        return (await self._ask(question, lang)).hits

    @staticmethod
    def reply_language(text: str, lang: Lang) -> Lang:
        """The language to reply in: a question written in English gets English, whatever the
        asker's Teams client is set to."""
        return "en" if written_in_english(text) else lang

    def read_limit(self) -> int:
        """How many characters of a question the matcher reads."""
        return min(MAX_QUESTION_CHARS, self._matcher().settings.max_query_chars)

    def entry(self, entry_id: str) -> Entry | None:
        """The entry as it is in the current knowledge base; None when it was removed since."""
        return self._matcher().kb.get(entry_id)
