"""Per-user language preference: overrides the locale Teams sends, for replies and notifications.

The outbox worker reads it with `preferred_language(session, aad_object_id)`. The bot reads it on
every turn, so each process keeps a short-lived cache; a change made through another replica is
seen within `ttl` seconds. Entries expire at jittered times, so that users who started together do
not all read again at once (on SQLite every read takes the write lock).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.i18n import LANGUAGES, Lang
from bot.storage.dialect import upsert_insert
from bot.storage.models import LanguagePreference, utcnow

__all__ = ["LanguagePreferences", "preferred_language"]

_DEFAULT_TTL = 30.0
# A bound on the cache; past it the cache starts over (a few thousand staff fit many times).
_MAX_CACHED = 50_000


async def preferred_language(session: AsyncSession, aad_object_id: str) -> Lang | None:
    """The language the user chose with the `language` command, or None when they never did."""
    lang = await session.scalar(
        select(LanguagePreference.lang).where(LanguagePreference.user_aad_object_id == aad_object_id)
    )
    return lang if lang in LANGUAGES else None


class LanguagePreferences:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        ttl: float = _DEFAULT_TTL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._sessions = sessions
        self._ttl = ttl
        self._clock = clock
        self._cache: dict[str, tuple[float, Lang | None]] = {}

    async def get(self, aad_object_id: str) -> Lang | None:
        cached = self._cache.get(aad_object_id)
        if cached is not None and cached[0] > self._clock():
            return cached[1]
        async with self._sessions() as session:
            lang = await preferred_language(session, aad_object_id)
        self._remember(aad_object_id, lang)
        return lang

    async def set(self, aad_object_id: str, lang: Lang) -> None:
        async with self._sessions.begin() as session:
            statement = upsert_insert(session, LanguagePreference).values(
                user_aad_object_id=aad_object_id, lang=lang, updated_at=utcnow()
            )
            await session.execute(
                statement.on_conflict_do_update(
                    index_elements=[LanguagePreference.user_aad_object_id],
                    set_={"lang": statement.excluded.lang, "updated_at": statement.excluded.updated_at},
                )
            )
        self._remember(aad_object_id, lang)

    def _remember(self, aad_object_id: str, lang: Lang | None) -> None:
        if len(self._cache) >= _MAX_CACHED:
            self._cache.clear()
        self._cache[aad_object_id] = (self._clock() + self._ttl * random.uniform(0.5, 1.0), lang)
