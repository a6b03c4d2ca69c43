"""Kotae's own turn interface: what features read of an incoming activity and how they answer.

Features (`bot.asker`, `bot.desk`, the router in `bot.handler`) speak only this; the one implementation
over the Teams SDK lives in `bot.seam`, and tests drive features through a recording one. Everything here
is plain data or a protocol: no SDK type crosses it. Replies are an Adaptive Card (a dict) or a text.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

__all__ = [
    "MAX_TEXT_CHARS",
    "ChannelAddress",
    "ConnectorAuthFailure",
    "ConnectorFailure",
    "Conversations",
    "Incoming",
    "IncomingAttachment",
    "Member",
    "Reference",
    "Reply",
    "Sender",
    "Thread",
    "Turn",
]

# Teams accepts messages of about 28 KB; more text than this is cut before any parsing.
MAX_TEXT_CHARS = 32 * 1024

# An Adaptive Card (sent as an attachment) or a plain text message.
Reply = dict[str, Any] | str
# How to reach a conversation again, as stored (Bot Framework's conversation reference JSON): features
# keep it and hand it back to `Conversations.send`; only the seam reads inside it.
Reference = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Sender:
    id: str  # Teams' bot-scoped id (`29:…`)
    aad_object_id: str | None  # the Entra object id, when Teams sends one
    name: str | None


@dataclass(frozen=True, slots=True)
class IncomingAttachment:
    content_type: str
    content_url: str | None
    name: str | None
    content: Any  # as sent: a dict for file info, the markup for text/html


@dataclass(frozen=True, slots=True)
class Incoming:
    """The incoming activity as Kotae reads it; a field Teams did not send (or sent with the wrong
    type) reads as absent."""

    id: str | None
    type: str  # message, invoke, conversationUpdate, installationUpdate, …
    name: str | None  # an invoke's name (adaptiveCard/action)
    text: str  # without `<at>` mentions, tags and entities; spaces collapsed
    value: Any  # an invoke's value
    locale: str | None
    source: str | None  # the Bot Framework channel: msteams, emulator, …
    service_url: str
    conversation_id: str  # a channel thread's id carries `;messageid=<root>`
    conversation_type: str  # personal, groupChat or channel (personal when Teams does not say)
    tenant_id: str | None
    channel_id: str | None  # the Teams channel a channel message was posted in
    team_id: str | None
    sender: Sender | None
    recipient_id: str | None  # the bot's id in this conversation
    mentions_bot: bool
    attachments: tuple[IncomingAttachment, ...] = ()
    members_added: tuple[str, ...] = ()
    reply_to_id: str | None = None

    @property
    def personal(self) -> bool:
        return self.conversation_type == "personal"


@dataclass(frozen=True, slots=True)
class Member:
    """A member record Teams returns: its own word on who someone is."""

    id: str
    aad_object_id: str | None
    name: str | None
    user_role: str | None  # "guest" for guests


class Turn(Protocol):
    """One incoming activity and the way to answer it in its conversation."""

    @property
    def activity(self) -> Incoming: ...

    def reference(self) -> Reference:
        """How to reach this conversation later (without the incoming activity's id)."""
        ...

    async def send(self, reply: Reply) -> str | None:
        """Send into the turn's conversation (a channel thread's reply lands in the thread); the sent id."""
        ...

    async def update(self, message_id: str, reply: Reply) -> None: ...

    async def delete(self, message_id: str) -> None: ...

    async def member(self, user_id: str) -> Member | None:
        """The member record of `user_id` in this conversation (or its team); None if Teams knows none."""
        ...


@dataclass(frozen=True, slots=True)
class ChannelAddress:
    """A Teams channel, or one thread in it (`conversation_id` with `;messageid=`)."""

    service_url: str
    conversation_id: str
    tenant_id: str | None


@dataclass(frozen=True, slots=True)
class Thread:
    conversation_id: str  # the thread's conversation id (`…;messageid=<root>`)
    message_id: str  # its root message


class Conversations(Protocol):
    """Work outside a turn (the outbox). Failures of the call to the Bot Connector are raised as
    `ConnectorFailure` or `ConnectorAuthFailure`; anything else is a bug."""

    async def send(self, to: Reference | ChannelAddress, reply: Reply) -> str | None: ...

    async def update(self, to: Reference | ChannelAddress, message_id: str, reply: Reply) -> None: ...

    async def start_thread(self, channel: ChannelAddress, reply: Reply) -> Thread:
        """Post `reply` as a new thread in a channel."""
        ...


class ConnectorFailure(Exception):
    """The Bot Connector refused a call (`status`, with `retry_after` on 429) or could not be reached
    (`status` None)."""

    def __init__(self, reason: str, *, status: int | None = None, retry_after: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.retry_after = retry_after


class ConnectorAuthFailure(Exception):
    """The bot could not authenticate to the Bot Connector (no token from Entra ID, or a 401)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
