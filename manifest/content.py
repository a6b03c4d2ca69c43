"""What the app says about itself in the Teams store and command menu, in Japanese and English.

The command lists live here and only here: the manifest, its localisation file and the test that
checks every title against the bot's command parser all read `command_lists()`. Their texts are in
`texts/*.yaml`, read by Kotae's one text loader (`knowledge.catalogue`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from knowledge.catalogue import Catalogue
from knowledge.languages import Lang

__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "OTHER_LANGUAGES",
    "AppText",
    "BotCommand",
    "CommandList",
    "CommandText",
    "app_text",
    "command_lists",
]


# Japanese is the manifest's own language: the staff, the admins who approve the app in Teams admin
# center and the catalogue all work in Japanese, and a client in any language without a file of its
# own (Chinese, Korean, Portuguese…) falls back to it. English is the additional file; Teams applies
# "en" to en-us, en-gb and the other English variants.
DEFAULT_LANGUAGE: Lang = "ja"
OTHER_LANGUAGES: tuple[Lang, ...] = ("en",)
LANGUAGES: tuple[Lang, ...] = (DEFAULT_LANGUAGE, *OTHER_LANGUAGES)


@dataclass(frozen=True, slots=True)
class AppText:
    """The app's names and descriptions in one language; `{name}` is the short name from settings."""

    full_name: str
    short_description: str
    full_description: str


@dataclass(frozen=True, slots=True)
class CommandText:
    title: str
    description: str


@dataclass(frozen=True, slots=True)
class BotCommand:
    """One entry of a command menu: the bot's command name and what the menu shows per language.

    `sample_argument` is what a user would type after the title when the command needs more than the
    title alone (the command test appends it before asking the bot's parser).
    """

    name: str
    text: dict[Lang, CommandText]
    sample_argument: dict[Lang, str] | None = None


@dataclass(frozen=True, slots=True)
class CommandList:
    scopes: tuple[str, ...]
    commands: tuple[BotCommand, ...]


@cache
def _texts() -> Catalogue:
    return Catalogue.load(Path(__file__).resolve().parent / "texts")


def _both(key: str) -> dict[Lang, str]:
    """A text in each language as written: `{name}` is filled in by manifest/document.py."""
    return dict(_texts().texts[key])


def app_text(language: Lang) -> AppText:
    return AppText(**{field: _both(f"app.{field}")[language] for field in AppText.__dataclass_fields__})


def _command(name: str) -> BotCommand:
    titles, descriptions = _both(f"command.{name}.title"), _both(f"command.{name}.description")
    sample = f"command.{name}.sample_argument"
    return BotCommand(
        name,
        {language: CommandText(titles[language], descriptions[language]) for language in LANGUAGES},
        _both(sample) if sample in _texts().texts else None,
    )


@cache
def command_lists() -> tuple[CommandList, ...]:
    return (
        # Staff who ask: in a personal chat with the bot, or in a group chat they added it to.
        CommandList(
            scopes=("personal", "groupChat"),
            commands=tuple(
                map(_command, ("help", "my_questions", "cancel", "language", "know_how", "proposal"))
            ),
        ),
        # ICT staff, in the team whose channel receives the tickets.
        CommandList(scopes=("team",), commands=tuple(map(_command, ("help", "tickets", "insights")))),
    )
