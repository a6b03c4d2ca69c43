"""The asker's pseudonym in the question log: HMAC-SHA256 of the Entra object id with the install's key.

The key is random, made by the migration that made the log (`question_log_key`), and never leaves the
database: without it the pseudonym cannot be recomputed from an Entra id.
"""

from __future__ import annotations

import hashlib
import hmac

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.asker.models import QuestionLogKey

__all__ = ["asker_key", "read_key"]


def asker_key(secret: str, aad_object_id: str) -> str:
    return hmac.new(secret.encode(), aad_object_id.encode(), hashlib.sha256).hexdigest()


async def read_key(session: AsyncSession) -> str:
    """The install's key; never an empty key, which would make every pseudonym computable from the Entra id."""
    secret = await session.scalar(select(QuestionLogKey.secret).where(QuestionLogKey.id == 1))
    if not secret:
        raise LookupError("question_log_key has no key: run `python -m bot migrate` (revision 20261203_0005)")
    return secret
