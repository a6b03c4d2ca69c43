"""Bodies of `adaptiveCard/action` invoke responses, built as plain dicts.

The SDK (4.17) cannot serialise these itself (see TEAMS-NOTES): the handler returns the dict and the
web layer writes it as JSON.
"""

from __future__ import annotations

from typing import Any

from bot.i18n import Lang, catalogue

__all__ = ["CARD_TYPE", "MESSAGE_TYPE", "InvokeResult", "card_response", "message_response", "unknown_verb"]

CARD_TYPE = "application/vnd.microsoft.card.adaptive"
MESSAGE_TYPE = "application/vnd.microsoft.activity.message"
InvokeResult = dict[str, Any]


def card_response(card: dict[str, Any]) -> InvokeResult:
    """Replace the clicked card, for the clicker, with `card`."""
    return {"statusCode": 200, "type": CARD_TYPE, "value": card}


def message_response(text: str) -> InvokeResult:
    """Show `text` to the clicker (Teams displays it as a short notice) and leave the card as it is."""
    return {"statusCode": 200, "type": MESSAGE_TYPE, "value": text}


def unknown_verb(lang: Lang) -> InvokeResult:
    return message_response(catalogue().text("card.unknown_action", lang))
