"""The question log: one row per question that reached the matcher, updated by the clicks that follow.

The turn that answers a question queues its row (`record`); its id, made here, goes into the cards'
data (`log`), so a vote, a pick, "none of these" or an escalation queues what followed (`follow`).
`QuestionLogWriter` writes both in the background, in batches: logging adds no database round trip to
a turn. The asker is a keyed hash (`bot.asker.pseudonym`), the text is masked before it is written.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from enum import StrEnum
from typing import Any

from bot.asker.log_writer import FollowUpWrite, QuestionLogWriter, RowWrite
from bot.storage.models import utcnow
from dialogs import Answer, AttachmentOffer, Clarify, Escalate, Outcome
from knowledge import Hit

__all__ = ["FollowUp", "QuestionLog", "scope_of"]

# Teams' conversation types → the log's scope.
_SCOPES = {"personal": "personal", "groupChat": "group", "channel": "channel"}


class FollowUp(StrEnum):
    HELPFUL = "helpful"
    NOT_HELPFUL = "not_helpful"
    PICKED = "picked"
    NONE_OF_THESE = "none"
    ESCALATED = "escalated"


def scope_of(conversation_type: str) -> str:
    return _SCOPES.get(conversation_type, "personal")


def _decision(outcome: Outcome) -> tuple[str, tuple[Hit, ...], str] | None:
    """The log's decision, the entries offered and the question, for outcomes that came from the matcher."""
    match outcome:
        case Answer(question=question, hit=hit, others=others):
            return "answer", (hit, *others), question
        case Clarify(question=question, hits=hits):
            return "clarify", hits, question
        case Escalate(question=question, hits=hits) | AttachmentOffer(question=question, hits=hits):
            return "escalate", hits, question
    return None


class QuestionLog:
    def __init__(self, writer: QuestionLogWriter, knowledge_status: Callable[[], dict[str, Any]]) -> None:
        self._writer = writer
        self._knowledge_status = knowledge_status

    @staticmethod
    def row_id(outcome: Outcome, asker: str) -> str:
        """The id the question's row will have, for its cards; "" for what is not logged (small talk…)."""
        return uuid.uuid4().hex if asker and _decision(outcome) is not None else ""

    def record(self, row_id: str, outcome: Outcome, *, lang: str, asker: str, conversation_type: str) -> None:
        """Queue the question's row; nothing when `row_id` is ""."""
        decided = _decision(outcome)
        if not row_id or decided is None:
            return
        decision, hits, question = decided
        status = self._knowledge_status()
        values = {
            "id": row_id,
            "asked_at": utcnow(),
            "lang": lang,
            "scope": scope_of(conversation_type),
            "decision": decision,
            "offered": [{"entry": hit.entry.id, "score": round(hit.score, 4)} for hit in hits],
            "top_entry": hits[0].entry.id if hits else None,
            "kb_version": status["version"],
            "kb_loaded_at": status["loaded_at"],
        }
        self._writer.put(RowWrite(values, asker, question))

    def follow(self, log_id: str, asker: str, kind: FollowUp, **details: Any) -> None:
        """Queue what followed the question `log_id`; only the asker's own row changes (the key must match)."""
        if log_id:
            self._writer.put(
                FollowUpWrite(log_id, asker, {"outcome": kind.value, "followed_at": utcnow(), **details})
            )
