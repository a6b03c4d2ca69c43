"""Builders of the desk's test inputs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.tickets.actors import Actor
from bot.tickets.opening import Asker, Candidate, NewTicket

ICT_CHANNEL = "19:ict@thread.tacv2"
T0 = datetime(2026, 11, 26, 1, 0, tzinfo=UTC)  # Thursday 10:00 JST


def asker(aad: str = "aad-asker") -> Asker:
    return Asker(
        id=f"29:{aad}",
        aad_object_id=aad,
        name="山田 太郎",
        tenant_id="tenant-1",
        conversation_id=f"a:personal-{aad}",
        conversation_type="personal",
        reference={"conversation": {"id": f"a:personal-{aad}"}, "serviceUrl": "https://smba.example/"},
    )


def new_ticket(key: str = "key-1", *, aad: str = "aad-asker", category: str | None = None) -> NewTicket:
    return NewTicket(
        idempotency_key=key,
        asker=asker(aad),
        question="公用スマホに電話帳を取り込みたい",
        language="ja",
        details="CSV があります",
        attachments=[
            {"name": "shot.png", "url": "https://files.example/shot.png", "content_type": "image/png"}
        ],
        candidates=[Candidate("phone-contacts", 0.42)],
        category=category,
    )


def staff(n: int) -> Actor:
    return Actor(id=f"29:staff-{n}", aad_object_id=f"aad-staff-{n}", name=f"ICT {n}")


class Clock:
    """A settable clock for workers and housekeeping."""

    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)
