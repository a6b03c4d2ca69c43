"""Kotae's turn interface (`bot.turn`) without the SDK: a turn that records what a feature sends.

Feature tests build the incoming activity as Kotae reads it (`incoming`) and drive a handler with a
`RecordingTurn`; the HTTP tests drive the same handlers through the seam and the connector emulator.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from bot.turn import Incoming, Member, Reference, Reply, Sender

__all__ = ["RecordingTurn", "incoming"]

_TEAMS = Incoming(
    id="activity-1",
    type="message",
    name=None,
    text="",
    value=None,
    locale="ja-JP",
    source="msteams",
    service_url="https://smba.trafficmanager.net/jp/",
    conversation_id="a:personal",
    conversation_type="personal",
    tenant_id="tenant-1",
    channel_id=None,
    team_id=None,
    sender=Sender("29:asker", "aad-asker", "質問 する人"),
    recipient_id="28:kotae",
    mentions_bot=False,
)


def incoming(**fields: Any) -> Incoming:
    """A message in a 1:1 chat from one asker, with `fields` changed."""
    return replace(_TEAMS, **fields)


@dataclass
class RecordingTurn:
    """A `bot.turn.Turn` whose sends are kept in `sent`; `members` answers member look-ups."""

    activity: Incoming
    members: Mapping[str, Member] = field(default_factory=dict)
    sent: list[Reply] = field(default_factory=list)
    updated: dict[str, Reply] = field(default_factory=dict)
    deleted: list[str] = field(default_factory=list)

    def reference(self) -> Reference:
        return {
            "conversation": {"id": self.activity.conversation_id},
            "serviceUrl": self.activity.service_url,
        }

    async def send(self, reply: Reply) -> str | None:
        self.sent.append(reply)
        return f"sent-{len(self.sent)}"

    async def update(self, message_id: str, reply: Reply) -> None:
        self.updated[message_id] = reply

    async def delete(self, message_id: str) -> None:
        self.deleted.append(message_id)

    async def member(self, user_id: str) -> Member | None:
        return self.members.get(user_id)

    def texts(self) -> list[str]:
        return [reply for reply in self.sent if isinstance(reply, str)]

    def cards(self) -> list[dict[str, Any]]:
        return [reply for reply in self.sent if isinstance(reply, dict)]
