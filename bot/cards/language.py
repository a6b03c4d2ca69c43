"""The language card: shown for a bare `language` command, two buttons to pick Japanese or English."""

from __future__ import annotations

from bot.cards.base import Card, card, execute_action, heading
from bot.i18n import LANGUAGES, Lang, catalogue

__all__ = ["language_card"]


def language_card(lang: Lang) -> Card:
    text = catalogue().text
    actions = [
        execute_action(text(f"asker.language.name_{choice}", lang), "language", {"lang": choice})
        for choice in LANGUAGES
    ]
    return card([heading(text("asker.language.title", lang))], actions)
