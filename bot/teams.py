"""Facts read off a Teams activity: clean text, where it came from, who sent it, which tenant.

The activity is what a caller sent: every field may have any JSON type, and the text may be as long
as the body limit allows. These readers never raise on a wrong type (a wrong type reads as absent) and
do work linear in a bounded prefix of the text.
"""

from __future__ import annotations

import html
import re
from typing import Any

from botbuilder.schema import Activity

__all__ = [
    "MAX_TEXT_CHARS",
    "channel_id_of",
    "clean_text",
    "conversation_type_of",
    "is_personal",
    "team_id_of",
    "tenant_of",
]

# Teams accepts messages of about 28 KB; more text than this is cut before any parsing.
MAX_TEXT_CHARS = 32 * 1024
# Fixed-length patterns, searched forward from a moving position: linear in the text. (Patterns such as
# `<at[^>]*>.*?</at>` rescan the rest of the text from every `<at`: quadratic, 14 s for 120 KB.)
_MENTION_OPEN = re.compile(r"<at\b", re.IGNORECASE)
_MENTION_CLOSE = re.compile(r"</at\s*>", re.IGNORECASE)
# `[^<>]` stops each try at the next `<`, so no stretch of the text is scanned twice.
_TAG = re.compile(r"<[^<>]+>")
# Teams sends &nbsp; after a mention; Japanese users type a full-width space (U+3000) after it.
_SPACES = re.compile(r"[\s\u00a0\u3000]+")


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


def clean_text(activity: Activity) -> str:
    """The message text without any `<at>…</at>` mention, tags or entities, spaces collapsed."""
    text = activity.text if isinstance(activity.text, str) else ""
    text = _without_mentions(text[:MAX_TEXT_CHARS])
    text = html.unescape(_TAG.sub(" ", text))
    return _SPACES.sub(" ", text).strip()


def _channel_data(activity: Activity) -> dict[str, Any]:
    data = activity.channel_data
    return data if isinstance(data, dict) else {}


def _id_in(data: dict[str, Any], key: str) -> str | None:
    """`data[key]["id"]` when it is a non-empty string; any other shape reads as absent."""
    container = data.get(key)
    value = container.get("id") if isinstance(container, dict) else None
    return value if isinstance(value, str) and value else None


def tenant_of(activity: Activity) -> str | None:
    conversation = activity.conversation
    conversation_tenant = conversation.tenant_id if conversation else None
    if isinstance(conversation_tenant, str) and conversation_tenant:
        return conversation_tenant
    return _id_in(_channel_data(activity), "tenant")


def conversation_type_of(activity: Activity) -> str:
    """personal, groupChat or channel (Teams' names); personal when Teams does not say."""
    kind = activity.conversation.conversation_type if activity.conversation else None
    return kind if isinstance(kind, str) and kind else "personal"


def is_personal(activity: Activity) -> bool:
    return conversation_type_of(activity) == "personal"


def channel_id_of(activity: Activity) -> str | None:
    """The channel a channel message was posted in (not the thread's conversation id)."""
    return _id_in(_channel_data(activity), "channel")


def team_id_of(activity: Activity) -> str | None:
    return _id_in(_channel_data(activity), "team")
