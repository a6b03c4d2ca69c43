"""The question log: one row per question that reached the matcher, updated by the clicks that follow.

The row is written in the turn that answers the question (one INSERT); its id goes into the cards'
data (`log`), so a vote, a pick, "none of these" or an escalation records what followed. The asker
is a keyed hash (HMAC-SHA256 with the install's random key from the database), the text is masked
before it is written (`QuestionMasker`).
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from collections.abc import Callable
from enum import StrEnum
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.asker.masking import QuestionMasker
from bot.asker.models import LoggedQuestion, QuestionLogKey
from bot.storage.models import utcnow
from dialogs import Answer, AttachmentOffer, Clarify, Escalate, Outcome
from knowledge import Hit

__all__ = ["FollowUp", "QuestionLog", "asker_key", "read_key", "scope_of"]

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


def asker_key(secret: str, aad_object_id: str) -> str:
    return hmac.new(secret.encode(), aad_object_id.encode(), hashlib.sha256).hexdigest()


async def read_key(session: AsyncSession) -> str:
    """The install's key (made by the migration that made the log); never an empty key, which would make
    every pseudonym computable from the Entra id."""
    secret = await session.scalar(select(QuestionLogKey.secret).where(QuestionLogKey.id == 1))
    if not secret:
        raise LookupError("question_log_key has no key: run `python -m bot migrate` (revision 20261203_0005)")
    return secret


def _decision(outcome: Outcome) -> tuple[str, tuple[Hit, ...]] | None:
    """The log's decision and the entries offered, for outcomes that came from the matcher."""
    match outcome:
        case Answer(hit=hit, others=others):
            return "answer", (hit, *others)
        case Clarify(hits=hits):
            return "clarify", hits
        case Escalate(hits=hits) | AttachmentOffer(hits=hits):
            return "escalate", hits
    return None


class QuestionLog:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        masker: QuestionMasker,
        knowledge_status: Callable[[], dict[str, Any]],
    ) -> None:
        self._sessions = sessions
        self._mask = masker
        self._knowledge_status = knowledge_status
        self._secret: str | None = None  # read once: it never changes for an install

    async def _key(self, session: AsyncSession, aad_object_id: str) -> str:
        if self._secret is None:
            self._secret = await read_key(session)
        return asker_key(self._secret, aad_object_id)

    @staticmethod
    def row_id(outcome: Outcome, asker: str) -> str:
        """The id the question's row will have, for its cards; "" for what is not logged (small talk…)."""
        return uuid.uuid4().hex if asker and _decision(outcome) is not None else ""

    async def record(
        self, row_id: str, outcome: Outcome, *, lang: str, asker: str, conversation_type: str
    ) -> None:
        """Write the question's row (one INSERT, one transaction); nothing when `row_id` is ""."""
        decided = _decision(outcome)
        if not row_id or decided is None:
            return
        decision, hits = decided
        status = self._knowledge_status()
        async with self._sessions.begin() as session:
            session.add(
                LoggedQuestion(
                    id=row_id,
                    asked_at=utcnow(),
                    lang=lang,
                    scope=scope_of(conversation_type),
                    decision=decision,
                    offered=[{"entry": hit.entry.id, "score": round(hit.score, 4)} for hit in hits],
                    top_entry=hits[0].entry.id if hits else None,
                    kb_version=status["version"],
                    kb_loaded_at=status["loaded_at"],
                    asker_key=await self._key(session, asker),
                    question=self._mask(outcome.question),
                )
            )

    async def follow(
        self, session: AsyncSession, log_id: str, asker: str, kind: FollowUp, **details: Any
    ) -> None:
        """What followed the question `log_id`; only the asker's own row changes (the key must match)."""
        if not log_id:
            return
        await session.execute(
            update(LoggedQuestion)
            .where(LoggedQuestion.id == log_id, LoggedQuestion.asker_key == await self._key(session, asker))
            .values(outcome=kind.value, followed_at=utcnow(), **details)
            .execution_options(synchronize_session=False)
        )
