"""The pieces every card is made of."""

from __future__ import annotations

from typing import Any

__all__ = [
    "CARD_VERSION",
    "card",
    "execute_action",
    "heading",
    "open_url_action",
    "text_block",
    "with_log",
]

CARD_VERSION = "1.5"
Card = dict[str, Any]


def card(body: list[dict[str, Any]], actions: list[dict[str, Any]] | None = None, **extra: Any) -> Card:
    """A card; `extra` carries root properties such as `refresh` or Teams' `msteams`."""
    result: Card = {
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": CARD_VERSION,
        "body": body,
    }
    if actions:
        result["actions"] = actions
    result.update(extra)
    return result


def heading(text: str) -> dict[str, Any]:
    return {"type": "TextBlock", "text": text, "weight": "Bolder", "size": "Medium", "wrap": True}


def text_block(text: str, **style: Any) -> dict[str, Any]:
    return {"type": "TextBlock", "text": text, "wrap": True, **style}


def execute_action(
    title: str, verb: str, data: dict[str, Any] | None = None, *, takes_inputs: bool = True, **style: Any
) -> dict[str, Any]:
    """A Universal Action: arrives as an `adaptiveCard/action` invoke carrying `verb` and `data`.

    `takes_inputs=False` for a button whose verb reads none of the card's fields: Teams then neither
    sends them nor holds the click back for a required one left empty.
    """
    action: dict[str, Any] = {"type": "Action.Execute", "title": title, "verb": verb, **style}
    if data:
        action["data"] = data
    if not takes_inputs:
        action["associatedInputs"] = "None"
    return action


def with_log(data: dict[str, Any], log_id: str) -> dict[str, Any]:
    """`data` with the question log's row id, so a click can record what followed the question."""
    return {**data, "log": log_id} if log_id else data


def open_url_action(title: str, url: str) -> dict[str, Any]:
    return {"type": "Action.OpenUrl", "title": title, "url": url}
