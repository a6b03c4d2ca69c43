"""What the asker's handlers read off a Teams activity: who asks, where, and what they attached."""

from __future__ import annotations

import html
import re
from typing import Any

from botbuilder.core import TurnContext
from botbuilder.schema import Activity

from bot.desk.opening import Asker
from bot.teams import conversation_type_of, tenant_of
from dialogs import Attachment

__all__ = ["asker_id", "asker_of", "mentions_bot", "user_attachments"]

_FILE_DOWNLOAD = "application/vnd.microsoft.teams.file.download.info"
# Teams sends every message's text again as a text/html attachment; images pasted into a channel
# message exist only there, as <img> tags.
_HTML = "text/html"
_IMAGE_TAG = re.compile(r"<img\b[^>]*\bsrc=\"([^\"]+)\"", re.IGNORECASE)
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


def user_attachments(activity: Activity) -> tuple[Attachment, ...]:
    """The images and files the asker sent (links only: the bot does not download them)."""
    attachments = activity.attachments or []
    found = [item for attachment in attachments if (item := _file(attachment)) is not None]
    if not found:  # in 1:1 chats the same image also appears in the HTML copy: read it only as a fallback
        for attachment in attachments:
            if attachment.content_type == _HTML and isinstance(attachment.content, str):
                for url in _IMAGE_TAG.findall(attachment.content):
                    found.append(Attachment(f"image-{len(found) + 1}", html.unescape(url), "image"))
    unique = {item.url: item for item in found}
    return tuple(unique.values())


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
