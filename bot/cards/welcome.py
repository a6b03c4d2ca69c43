"""The welcome card sent once when Kotae is installed."""

from __future__ import annotations

from bot.cards.base import Card, card, heading, text_block
from bot.i18n import Lang, catalogue

__all__ = ["welcome_card"]


def welcome_card(lang: Lang, *, team: bool = False) -> Card:
    text = catalogue().text
    body = [
        heading(text("welcome.title", lang)),
        text_block(text("welcome.team_body" if team else "welcome.body", lang)),
        text_block(text("welcome.examples_title", lang), weight="Bolder", spacing="Medium"),
        text_block(text("welcome.examples", lang)),
    ]
    return card(body)
