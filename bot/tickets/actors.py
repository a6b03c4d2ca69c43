"""Who does something to a ticket."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["SYSTEM", "Actor"]


@dataclass(frozen=True, slots=True)
class Actor:
    """A person (Teams id, Entra object id, display name) or the bot itself (`SYSTEM`)."""

    id: str
    aad_object_id: str
    name: str | None = None


SYSTEM = Actor(id="system", aad_object_id="system", name=None)
