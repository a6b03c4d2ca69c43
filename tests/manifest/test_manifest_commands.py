"""Every command the Teams menu offers, in both languages, is one the bot understands."""

from __future__ import annotations

import pytest

from bot.commands import parse_command
from manifest.content import LANGUAGES, BotCommand, Lang, command_lists

_CASES = [
    pytest.param(command, language, id=f"{command.name}-{language}-{command.text[language].title}")
    for command_list in command_lists()
    for command in command_list.commands
    for language in LANGUAGES
]


def _typed(command: BotCommand, language: Lang) -> str:
    """What a user sends after picking the command: its title, plus an argument where one is needed."""
    title = command.text[language].title
    if command.sample_argument is None:
        return title
    return f"{title} {command.sample_argument[language]}"


@pytest.mark.parametrize(("command", "language"), _CASES)
def test_menu_command_is_parsed_as_the_intended_command(command: BotCommand, language: Lang) -> None:
    parsed = parse_command(_typed(command, language))
    assert parsed is not None, f"the bot does not understand {_typed(command, language)!r}"
    assert parsed.name == command.name


def test_every_command_has_a_title_and_description_in_every_language() -> None:
    for command_list in command_lists():
        for command in command_list.commands:
            assert set(command.text) == set(LANGUAGES)
            assert all(text.title and text.description for text in command.text.values())
            if command.sample_argument is not None:
                assert set(command.sample_argument) == set(LANGUAGES)
