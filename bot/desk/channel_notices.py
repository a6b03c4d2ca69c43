"""Notices about the bot itself for the ICT channels, queued in the outbox like every other post."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.tickets.effects import enqueue
from bot.tickets.models import OutboxKind
from knowledge import Problem

__all__ = ["queue_knowledge_broken"]

_LISTED = 10  # problems quoted in the notice; the count and the log give the rest


def _storable(text: str) -> str:
    # A file name that is not UTF-8 reaches Python as lone surrogates, which JSON columns refuse.
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


async def queue_knowledge_broken(
    session: AsyncSession,
    channels: Iterable[str],
    *,
    directory: str,
    problems: Sequence[Problem],
    now: datetime,
) -> None:
    """Tell each ICT channel that the knowledge base is broken and the last good one serves. The same
    problems are announced once a day at most, however often the bot restarts."""
    listed = problems[:_LISTED]
    digest = hashlib.blake2b(directory.encode(errors="surrogateescape"), digest_size=8)
    for problem in problems:
        digest.update(problem.format("en").encode(errors="surrogateescape"))
    payload = {
        "event": "knowledge_broken",
        "path": _storable(directory),
        "count": len(problems),
        "problems": {lang: [_storable(problem.format(lang)) for problem in listed] for lang in ("ja", "en")},
    }
    for channel in sorted(channels):
        await enqueue(
            session,
            kind=OutboxKind.CHANNEL_NOTICE,
            dedupe_key=f"knowledge_broken:{digest.hexdigest()}:{now.date()}:{channel}",
            payload=payload,
            now=now,
            target_conversation_id=channel,
        )
