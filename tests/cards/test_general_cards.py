"""The welcome and help cards are valid Adaptive Cards 1.5 in both languages, with catalogue text."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cards.help import help_card
from bot.cards.welcome import welcome_card
from bot.i18n import LANGUAGES
from tests.card_schema import assert_valid_card, card_errors


@pytest.mark.parametrize("lang", LANGUAGES)
def test_general_cards_are_valid(lang, schemas_dir: Path):
    for card in (
        welcome_card(lang),
        welcome_card(lang, team=True),
        help_card(lang),
        help_card(lang, ict_channel=True),
    ):
        assert_valid_card(card, schemas_dir)


def test_the_validator_catches_a_broken_card(schemas_dir: Path):
    broken = welcome_card("ja")
    broken["body"].append({"type": "TextBlock"})  # a TextBlock needs text
    broken["version"] = "1.6"
    problems = card_errors(broken, schemas_dir)
    assert any("version" in problem for problem in problems)
    assert len(problems) >= 2
