"""What the asker's handlers read off an incoming activity: who asks, where, and what they attached."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

from bot.asker.card_data import MAX_ATTACHMENTS
from bot.tickets.opening import Asker
from bot.turn import MAX_TEXT_CHARS, Incoming, IncomingAttachment, Turn
from dialogs import Attachment

__all__ = ["asker_id", "asker_of", "user_attachments"]

_FILE_DOWNLOAD = "application/vnd.microsoft.teams.file.download.info"
# Teams sends every message's text again as a text/html attachment; images pasted into a channel
# message exist only there, as <img> tags.
_HTML = "text/html"
# Linear: each `<img` is found by a fixed pattern, its `>` by a plain search, its src inside the tag only.
# (`<img\b[^>]*\bsrc="…"` rescans the rest of the text from every `<img `: 7.5 s for 60 KB.)
_IMAGE_OPEN = re.compile(r"<img\b", re.IGNORECASE)
_SOURCE = re.compile(r"\bsrc=\"([^\"]+)\"", re.IGNORECASE)
_SKIPPED = ("application/vnd.microsoft.card.", _HTML)


def asker_id(activity: Incoming) -> str:
    """The sender's Entra object id (the bot-scoped id where Teams gives none, e.g. an emulator)."""
    sender = activity.sender
    if sender is None:
        return ""
    return sender.aad_object_id or sender.id or ""


def _file(attachment: IncomingAttachment) -> Attachment | None:
    content_type = attachment.content_type
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


def user_attachments(activity: Incoming) -> tuple[Attachment, ...]:
    """The images and files the asker sent (links only: the bot does not download them), at most
    `MAX_ATTACHMENTS`."""
    attachments = activity.attachments
    found = [item for attachment in attachments if (item := _file(attachment)) is not None]
    if not found:  # in 1:1 chats the same image also appears in the HTML copy: read it only as a fallback
        for attachment in attachments:
            if attachment.content_type == _HTML and isinstance(attachment.content, str):
                for url in _image_sources(attachment.content[:MAX_TEXT_CHARS]):
                    found.append(Attachment(f"image-{len(found) + 1}", url, "image"))
    unique = {item.url: item for item in found}
    return tuple(unique.values())[:MAX_ATTACHMENTS]


def asker_of(turn: Turn) -> Asker:
    """The asker and the conversation to notify, as the desk's `open_ticket` needs them."""
    activity = turn.activity
    sender = activity.sender
    return Asker(
        id=sender.id if sender else "",
        aad_object_id=asker_id(activity),
        name=sender.name if sender else None,
        tenant_id=activity.tenant_id,
        conversation_id=activity.conversation_id,
        conversation_type=activity.conversation_type,
        # Later notifications are new posts in the conversation (or its thread), not replies to one message.
        reference=turn.reference(),
    )
