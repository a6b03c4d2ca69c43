"""Who may act for the desk: decided from the member record Teams returns for the sender.

The body's `from.aadObjectId` and `from.name` are what the caller wrote; the member record that Teams
returns for `from.id` (`TeamsInfo.get_member`) is Teams' own word on who the sender is, whether they are
a member of the channel's team, and whether they are a guest. Desk verbs, desk commands and replies in
a ticket's thread all ask here, so that they apply the same rules.
"""

from __future__ import annotations

from botbuilder.core import TurnContext
from botbuilder.core.teams import TeamsInfo
from botframework.connector.models import ErrorResponseException

from bot.teams import channel_id_of
from bot.tickets.actors import Actor

__all__ = ["Refused", "desk_member"]


class Refused(Exception):
    """An action that may not proceed; `key` names the catalogue text for the person who tried."""

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.values = values


async def desk_member(turn_context: TurnContext, channel_id: str | None) -> Actor:
    """The sender as Teams knows them, when they act in the ICT channel `channel_id` as a non-guest
    member of its team; otherwise `Refused` (wrong_place, not_member or guest)."""
    activity = turn_context.activity
    if channel_id is None or channel_id_of(activity) != channel_id:
        raise Refused("desk.refusal.wrong_place")
    sender = activity.from_property
    if sender is None or not sender.id:
        raise Refused("desk.refusal.not_member")
    try:
        member = await TeamsInfo.get_member(turn_context, sender.id)
    except ErrorResponseException:
        raise Refused("desk.refusal.not_member") from None
    if not member.aad_object_id:
        raise Refused("desk.refusal.not_member")
    if (member.user_role or "").lower() == "guest":
        raise Refused("desk.refusal.guest")
    return Actor(
        id=member.id or sender.id, aad_object_id=member.aad_object_id, name=member.name or sender.name
    )
