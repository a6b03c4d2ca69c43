"""What the asker's handlers read off a Teams activity: who asks, where, and what they attached."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from typing import Any

from botbuilder.core import TurnContext
from botbuilder.schema import Activity

from bot.asker.card_data import MAX_ATTACHMENTS
from bot.teams import MAX_TEXT_CHARS, conversation_type_of, tenant_of
from bot.tickets.opening import Asker
from dialogs import Attachment

__all__ = ["asker_id", "asker_of", "mentions_bot", "user_attachments"]

_FILE_DOWNLOAD = "application/vnd.microsoft.teams.file.download.info"
# Teams sends every message's text again as a text/html attachment; images pasted into a channel
# message exist only there, as <img> tags.
_HTML = "text/html"
# Linear: each `<img` is found by a fixed pattern, its `>` by a plain search, its src inside the tag only.
# (`<img\b[^>]*\bsrc="…"` rescans the rest of the text from every `<img `: 7.5 s for 60 KB.)
_IMAGE_OPEN = re.compile(r"<img\b", re.IGNORECASE)
_SOURCE = re.compile(r"\bsrc=\"([^\"]+)\"", re.IGNORECASE)
_SKIPPED = ("application/vnd.microsoft.card.", _HTML)


def asker_id(activity: Activity) -> str:
    """The sender's Entra object id (the bot-scoped id where Teams gives none, e.g. an emulator)."""
    sender = activity.from_property
    if sender is None:
        return ""
    return sender.aad_object_id or sender.id or ""


def mentions_bot(activity: Activity) -> bool:
    bot_id = activity.recipient.id if activity.recipient else None
    for entity in activity.entities or []:
        properties = entity.additional_properties or {}
        mentioned = properties.get("mentioned") or {}
        if entity.type == "mention" and isinstance(mentioned, dict) and mentioned.get("id") == bot_id:
            return True
    return False


def _file(attachment: Any) -> Attachment | None:
    content_type = attachment.content_type or ""
    if content_type == _FILE_DOWNLOAD:
        content = attachment.content if isinstance(attachment.content, dict) else {}
        url = content.get("downloadUrl") or attachment.content_url
        return Attachment(attachment.name or "file", url, content.get("fileType", "")) if url else None
    if content_type.startswith(_SKIPPED) or not attachment.content_url:
        return None
    return Attachment(attachment.name or content_type, attachment.content_url, content_type)


def _image_sources(markup: str) -> Iterator[str]:
    position = 0
    while (opening := _IMAGE_OPEN.search(markup, position)) is not None:
        end = markup.find(">", opening.end())
        if end < 0:
            return  # an unclosed tag: no later tag can close either
        if source := _SOURCE.search(markup, opening.end(), end):
            yield html.unescape(source.group(1))
        position = end + 1


def user_attachments(activity: Activity) -> tuple[Attachment, ...]:
    """The images and files the asker sent (links only: the bot does not download them), at most
    `MAX_ATTACHMENTS`."""
    attachments = activity.attachments if isinstance(activity.attachments, list) else []
    found = [item for attachment in attachments if (item := _file(attachment)) is not None]
    if not found:  # in 1:1 chats the same image also appears in the HTML copy: read it only as a fallback
        for attachment in attachments:
            if attachment.content_type == _HTML and isinstance(attachment.content, str):
                for url in _image_sources(attachment.content[:MAX_TEXT_CHARS]):
                    found.append(Attachment(f"image-{len(found) + 1}", url, "image"))
    unique = {item.url: item for item in found}
    return tuple(unique.values())[:MAX_ATTACHMENTS]


def asker_of(activity: Activity) -> Asker:
    """The asker and the conversation to notify, as the desk's `open_ticket` needs them."""
    reference = TurnContext.get_conversation_reference(activity).serialize()
    # Later notifications are new posts in the conversation (or its thread), not replies to one message.
    reference.pop("activityId", None)
    sender = activity.from_property
    return Asker(
        id=sender.id if sender else "",
        aad_object_id=asker_id(activity),
        name=sender.name if sender else None,
        tenant_id=tenant_of(activity),
        conversation_id=activity.conversation.id,
        conversation_type=conversation_type_of(activity),
        reference=reference,
    )
