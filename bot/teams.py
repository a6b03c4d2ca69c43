"""Facts read off a Teams activity: clean text, where it came from, who sent it, which tenant."""

from __future__ import annotations

import html
import re
from typing import Any

from botbuilder.schema import Activity

__all__ = [
    "channel_id_of",
    "clean_text",
    "conversation_type_of",
    "is_personal",
    "team_id_of",
    "tenant_of",
]

_MENTION = re.compile(r"<at[^>]*>.*?</at>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]+>")
# Teams sends &nbsp; after a mention; Japanese users type a full-width space (U+3000) after it.
_SPACES = re.compile(r"[\s\u00a0\u3000]+")


def clean_text(activity: Activity) -> str:
    """The message text without any `<at>…</at>` mention, tags or entities, spaces collapsed."""
    text = _MENTION.sub(" ", activity.text or "")
    text = html.unescape(_TAG.sub(" ", text))
    return _SPACES.sub(" ", text).strip()


def _channel_data(activity: Activity) -> dict[str, Any]:
    data = activity.channel_data
    return data if isinstance(data, dict) else {}


def tenant_of(activity: Activity) -> str | None:
    conversation_tenant = activity.conversation.tenant_id if activity.conversation else None
    return conversation_tenant or (_channel_data(activity).get("tenant") or {}).get("id")


def conversation_type_of(activity: Activity) -> str:
    """personal, groupChat or channel (Teams' names); personal when Teams does not say."""
    return (activity.conversation.conversation_type if activity.conversation else None) or "personal"


def is_personal(activity: Activity) -> bool:
    return conversation_type_of(activity) == "personal"


def channel_id_of(activity: Activity) -> str | None:
    """The channel a channel message was posted in (not the thread's conversation id)."""
    return (_channel_data(activity).get("channel") or {}).get("id")


def team_id_of(activity: Activity) -> str | None:
    return (_channel_data(activity).get("team") or {}).get("id")
