"""The asker's flow: what to do with a message, with the alternatives and entries that cards ask for.

Stateless by design: every card carries what its buttons need (the question, the entry, the asker),
so a click needs no dialog state, works on any replica and never conflicts with the next message.
"""

from __future__ import annotations

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
from knowledge import Entry, Hit, Matcher

__all__ = ["CHOICES", "MAX_QUESTION_CHARS", "AskerFlow"]

# A longer message is answered on its first part (the asker is told so).
MAX_QUESTION_CHARS = 2000
# How many entries a "did you mean" or a "not helpful" offers.
CHOICES = 3


class AskerFlow:
    """Decides what one message gets; `matcher` returns the current matcher (it changes on reload)."""

    def __init__(self, matcher: Callable[[], Matcher]) -> None:
        self._matcher = matcher

    def respond(self, text: str, lang: str, attachments: Sequence[Attachment] = ()) -> Outcome:
        question = text.strip()
        cut = len(question) > MAX_QUESTION_CHARS
        question = question[:MAX_QUESTION_CHARS]
        if attachments:
            hits = self._matcher().ask(question, lang).hits if question else ()
            return AttachmentOffer(question, tuple(attachments), hits, cut)
        if not question:
            return Prompt()
        if (kind := small_talk(question)) is not None:
            return SmallTalkReply(kind)
        decision = self._matcher().ask(question, lang)
        if decision.kind == "answer" and decision.best is not None:
            return Answer(question, decision.best, decision.hits[1:], cut)
        if decision.kind == "clarify":
            return Clarify(question, decision.hits[:CHOICES], cut)
        return Escalate(question, decision.hits, cut)

    def alternatives(self, question: str, lang: str, *, excluding: str) -> tuple[Hit, ...]:
        """The next best entries for `question` when the asker said `excluding` did not help."""
        hits = self._matcher().ask(question, lang).hits
        return tuple(hit for hit in hits if hit.entry.id != excluding)[:CHOICES]

    def candidates(self, question: str, lang: str) -> tuple[Hit, ...]:
        """What the bot considered for `question` (kept on a ticket for ICT staff)."""
        return self._matcher().ask(question, lang).hits

    def entry(self, entry_id: str) -> Entry | None:
        """The entry as it is in the current knowledge base; None when it was removed since."""
        return self._matcher().kb.get(entry_id)
