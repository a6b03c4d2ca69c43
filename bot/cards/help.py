"""The help card: how to ask, and the commands of the place it is shown in."""

from __future__ import annotations

from bot.cards.base import Card, card, heading, text_block
from bot.i18n import Lang, catalogue

__all__ = ["help_card"]


def help_card(lang: Lang, *, ict_channel: bool = False) -> Card:
    text = catalogue().text
    body = [
        heading(text("help.title", lang)),
        text_block(text("help.body", lang)),
        text_block(text("help.commands_title", lang), weight="Bolder", spacing="Medium"),
        text_block(text("help.ict_commands" if ict_channel else "help.commands", lang)),
    ]
    return card(body)
