"""Bot Framework activities in and out: the request body read as botbuilder's `Activity`, that activity
read as Kotae's `Incoming`, and Kotae's replies built as activities.

The activity is what a caller sent: every field may have any JSON type, and the text may be as long
as the body limit allows. These readers never raise on a wrong type (a wrong type reads as absent) and
do work linear in a bounded prefix of the text.
"""

from __future__ import annotations

import html
import re
from typing import Any

from botbuilder.core import CardFactory, MessageFactory, TurnContext
from botbuilder.schema import Activity
from msrest.exceptions import DeserializationError

from bot.turn import MAX_TEXT_CHARS, Incoming, IncomingAttachment, Reference, Reply, Sender

__all__ = ["NotAnActivity", "as_activity", "incoming", "parse", "reference_of"]

# Fixed-length patterns, searched forward from a moving position: linear in the text. (Patterns such as
# `<at[^>]*>.*?</at>` rescan the rest of the text from every `<at`: quadratic, 14 s for 120 KB.)
_MENTION_OPEN = re.compile(r"<at\b", re.IGNORECASE)
_MENTION_CLOSE = re.compile(r"</at\s*>", re.IGNORECASE)
# `[^<>]` stops each try at the next `<`, so no stretch of the text is scanned twice.
_TAG = re.compile(r"<[^<>]+>")
# Teams sends &nbsp; after a mention; Japanese users type a full-width space (U+3000) after it.
_SPACES = re.compile(r"[\s\u00a0\u3000]+")


class NotAnActivity(ValueError):
    """The body is JSON but not an activity Kotae can take; the message says why (for a 400)."""


def parse(body: dict[str, Any]) -> Activity:
    """The activity in a request body that `bot.body` has checked; `NotAnActivity` if it is none."""
    try:
        activity = Activity().deserialize(body)
    except (DeserializationError, TypeError, ValueError, AttributeError):
        raise NotAnActivity("body is not an activity: some fields have the wrong type") from None
    if not activity.conversation or not activity.conversation.id or not activity.service_url:
        raise NotAnActivity("activity has no conversation id or serviceUrl")
    if not activity.from_property or not activity.from_property.id:
        raise NotAnActivity("activity has no sender ('from.id')")
    return activity


def _without_mentions(text: str) -> str:
    kept, position = [], 0
    while (opening := _MENTION_OPEN.search(text, position)) is not None:
        closing = _MENTION_CLOSE.search(text, opening.end())
        if closing is None:
            break  # no `</at>` after this one, so none after any later `<at` either
        kept.append(text[position : opening.start()])
        position = closing.end()
    kept.append(text[position:])
    return " ".join(kept)


def _clean_text(activity: Activity) -> str:
    """The message text without any `<at>…</at>` mention, tags or entities, spaces collapsed."""
    text = activity.text if isinstance(activity.text, str) else ""
    text = _without_mentions(text[:MAX_TEXT_CHARS])
    text = html.unescape(_TAG.sub(" ", text))
    return _SPACES.sub(" ", text).strip()


def _string(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _id_in(data: Any, key: str) -> str | None:
    """`data[key]["id"]` when it is a non-empty string; any other shape reads as absent."""
    container = data.get(key) if isinstance(data, dict) else None
    return _string(container.get("id")) if isinstance(container, dict) else None


def _tenant(activity: Activity) -> str | None:
    conversation = activity.conversation
    return _string(conversation.tenant_id if conversation else None) or _id_in(
        activity.channel_data, "tenant"
    )


def _mentions_bot(activity: Activity) -> bool:
    bot_id = activity.recipient.id if activity.recipient else None
    for entity in activity.entities or []:
        properties = entity.additional_properties or {}
        mentioned = properties.get("mentioned") or {}
        if entity.type == "mention" and isinstance(mentioned, dict) and mentioned.get("id") == bot_id:
            return True
    return False


def _attachments(activity: Activity) -> tuple[IncomingAttachment, ...]:
    attachments = activity.attachments if isinstance(activity.attachments, list) else []
    return tuple(
        IncomingAttachment(
            content_type=_string(attachment.content_type) or "",
            content_url=_string(attachment.content_url),
            name=_string(attachment.name),
            content=attachment.content,
        )
        for attachment in attachments
    )


def incoming(activity: Activity) -> Incoming:
    """Kotae's view of `activity`."""
    conversation = activity.conversation
    sender = activity.from_property
    kind = conversation.conversation_type if conversation else None
    return Incoming(
        id=_string(activity.id),
        type=_string(activity.type) or "",
        name=_string(activity.name),
        text=_clean_text(activity),
        value=activity.value,
        locale=_string(activity.locale),
        source=_string(activity.channel_id),
        service_url=_string(activity.service_url) or "",
        conversation_id=(conversation.id if conversation else None) or "",
        conversation_type=_string(kind) or "personal",
        tenant_id=_tenant(activity),
        channel_id=_id_in(activity.channel_data, "channel"),
        team_id=_id_in(activity.channel_data, "team"),
        sender=Sender(sender.id or "", _string(sender.aad_object_id), sender.name) if sender else None,
        recipient_id=activity.recipient.id if activity.recipient else None,
        mentions_bot=_mentions_bot(activity),
        attachments=_attachments(activity),
        members_added=tuple(member.id for member in activity.members_added or [] if member.id),
        reply_to_id=_string(activity.reply_to_id),
    )


def reference_of(activity: Activity) -> Reference:
    """How to reach the activity's conversation again: a later message is a new post in the
    conversation (or its thread), not a reply to this one, so the activity's id is left out."""
    reference = TurnContext.get_conversation_reference(activity).serialize()
    reference.pop("activityId", None)
    return reference


def as_activity(reply: Reply) -> Activity:
    """The message activity that carries `reply`: a text, or an Adaptive Card as an attachment."""
    if isinstance(reply, str):
        return MessageFactory.text(reply)
    return MessageFactory.attachment(CardFactory.adaptive_card(reply))
