"""Teams-shaped activity JSON, modelled on real payloads (`shared/fixtures/teams/`).

Used by the tests and the terminal chat to talk to the bot exactly as Teams does: a JSON body posted
to `/api/messages` whose `serviceUrl` points at the connector emulator.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

__all__ = ["BOT", "DEFAULT_TENANT", "Person", "Place", "TeamsActivities"]

DEFAULT_TENANT = "00000000-0000-0000-0000-0000000000aa"
BOT_ID = "28:00000000-0000-0000-0000-00000000c0de"
BOT = {"id": BOT_ID, "name": "Kotae"}
_ids = itertools.count(1_700_000_000_000)


@dataclass(frozen=True)
class Person:
    name: str
    aad_object_id: str
    teams_id: str = ""

    @property
    def account(self) -> dict[str, str]:
        return {
            "id": self.teams_id or f"29:{self.aad_object_id}",
            "name": self.name,
            "aadObjectId": self.aad_object_id,
        }


@dataclass(frozen=True)
class Place:
    """Where an activity happens: a 1:1 chat, a group chat, or a channel of a team."""

    conversation_type: str  # personal, groupChat, channel
    conversation_id: str
    channel_id: str | None = None
    team_id: str | None = None

    @classmethod
    def personal(cls, person: Person) -> Place:
        return cls("personal", f"a:personal-{person.aad_object_id}")

    @classmethod
    def group_chat(cls, name: str = "group") -> Place:
        return cls("groupChat", f"19:{name}@thread.v2")

    @classmethod
    def channel(cls, channel_id: str, team_id: str, thread_root: str | None = None) -> Place:
        conversation = f"{channel_id};messageid={thread_root}" if thread_root else channel_id
        return cls("channel", conversation, channel_id=channel_id, team_id=team_id)

    def in_thread(self, root_message_id: str) -> Place:
        assert self.channel_id is not None, "only channels have threads"
        return Place.channel(self.channel_id, self.team_id or self.channel_id, root_message_id)


@dataclass
class TeamsActivities:
    """Builds activities for one service URL (the emulator's) and one tenant."""

    service_url: str
    tenant_id: str = DEFAULT_TENANT
    locale: str = "ja-JP"
    bot: dict[str, str] = field(default_factory=lambda: dict(BOT))

    def _envelope(self, kind: str, sender: Person, place: Place, locale: str | None) -> dict[str, Any]:
        now = datetime.now(UTC).isoformat().replace("+00:00", "Z")
        locale = locale or self.locale
        conversation: dict[str, Any] = {
            "conversationType": place.conversation_type,
            "tenantId": self.tenant_id,
            "id": place.conversation_id,
        }
        if place.conversation_type != "personal":
            conversation["isGroup"] = True
        channel_data: dict[str, Any] = {"tenant": {"id": self.tenant_id}}
        if place.channel_id:
            channel_data["channel"] = {"id": place.channel_id}
            channel_data["team"] = {"id": place.team_id}
        return {
            "type": kind,
            "id": str(next(_ids)),
            "timestamp": now,
            "localTimestamp": now,
            "channelId": "msteams",
            "serviceUrl": self.service_url,
            "from": sender.account,
            "conversation": conversation,
            "recipient": dict(self.bot),
            "entities": [{"type": "clientInfo", "locale": locale, "country": "JP", "platform": "Windows"}],
            "channelData": channel_data,
            "locale": locale,
        }

    def message(
        self,
        sender: Person,
        text: str,
        place: Place | None = None,
        *,
        mention: bool | None = None,
        locale: str | None = None,
        attachments: list[dict[str, Any]] | None = None,
    ) -> dict[str, Any]:
        """A message; in channels and group chats it @mentions the bot unless `mention=False`."""
        place = place or Place.personal(sender)
        activity = self._envelope("message", sender, place, locale)
        mention = place.conversation_type != "personal" if mention is None else mention
        if mention:
            tag = f"<at>{self.bot['name']}</at>"
            text = f"{tag} {text}" if text else tag
            activity["entities"].insert(0, {"type": "mention", "text": tag, "mentioned": dict(self.bot)})
        activity["text"] = text
        activity["textFormat"] = "plain"
        if attachments:
            activity["attachments"] = attachments
        return activity

    def card_action(
        self,
        sender: Person,
        verb: str,
        data: dict[str, Any] | None = None,
        place: Place | None = None,
        *,
        reply_to_id: str = "1:card",
        locale: str | None = None,
    ) -> dict[str, Any]:
        """An `Action.Execute` click: an `adaptiveCard/action` invoke carrying the verb and data."""
        place = place or Place.personal(sender)
        activity = self._envelope("invoke", sender, place, locale)
        activity["name"] = "adaptiveCard/action"
        activity["replyToId"] = reply_to_id
        activity["value"] = {
            "action": {"type": "Action.Execute", "id": verb, "verb": verb, "data": data or {}},
            "trigger": "manual",
        }
        return activity

    def installation_update(self, sender: Person, place: Place, action: str = "add") -> dict[str, Any]:
        activity = self._envelope("installationUpdate", sender, place, None)
        activity["action"] = action
        return activity

    def bot_added(self, sender: Person, place: Place) -> dict[str, Any]:
        """conversationUpdate with the bot in membersAdded (Teams sends it beside installationUpdate)."""
        activity = self._envelope("conversationUpdate", sender, place, None)
        activity["membersAdded"] = [{"id": self.bot["id"]}]
        if place.team_id:
            activity["channelData"]["eventType"] = "teamMemberAdded"
        return activity
