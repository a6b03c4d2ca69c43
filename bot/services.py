"""What the bot's handlers share, built once by the composition root and handed down."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.storage.installations import Installations
from bot.storage.references import ConversationReferences

__all__ = ["Services"]


@dataclass(frozen=True)
class Services:
    settings: Settings
    sessions: async_sessionmaker[AsyncSession]
    references: ConversationReferences = field(default_factory=ConversationReferences)
    installations: Installations = field(default_factory=Installations)
