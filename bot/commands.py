"""The typed commands, matched on stable command words in both languages.

Matching is exact after the knowledge base's folding (width, case, kana; `knowledge.normalize.fold`)
with single spaces and trailing punctuation removed, never by substring, so a question that merely
contains a command word still goes to the FAQ.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from knowledge.normalize import fold

__all__ = ["COMMAND_WORDS", "CommandName", "ParsedCommand", "normalize_command_text", "parse_command"]


class CommandName(StrEnum):
    HELP = "help"
    MY_QUESTIONS = "my_questions"
    CANCEL = "cancel"
    LANGUAGE = "language"
    TICKETS = "tickets"
    TICKET = "ticket"
    INSIGHTS = "insights"
    KNOW_HOW = "know_how"
    PROPOSAL = "proposal"


@dataclass(frozen=True, slots=True)
class ParsedCommand:
    name: CommandName
    argument: str = ""


# What may follow a command word. None: nothing may follow.
_NO_ARGUMENT = None
_TICKET_NUMBER = re.compile(r"#?(\d{1,9})")
_LANGUAGE_CODES = {
    "en": "en",
    "english": "en",
    "英語": "en",
    "えいご": "en",
    "ja": "ja",
    "japanese": "ja",
    "日本語": "ja",
    "にほんご": "ja",
}
# Looked up by the folded argument (えいご and エイゴ alike).
_FOLDED_LANGUAGE_CODES = {fold(word): code for word, code in _LANGUAGE_CODES.items()}
_LANGUAGE_VALUE = re.compile("|".join(_FOLDED_LANGUAGE_CODES))
_OPTIONAL_TICKET = re.compile(r"(?:#?(\d{1,9}))?")
# An idea in free words; the handler reads it from the message as typed (the argument here is folded).
_FREE_TEXT = re.compile(r"(.+)", re.DOTALL)


@dataclass(frozen=True, slots=True)
class _Word:
    name: CommandName
    argument: re.Pattern[str] | None
    # A word whose argument is optional maps to another command when the argument is absent.
    bare: CommandName | None = None


COMMAND_WORDS: dict[str, _Word] = {
    "help": _Word(CommandName.HELP, _NO_ARGUMENT),
    "ヘルプ": _Word(CommandName.HELP, _NO_ARGUMENT),
    "my questions": _Word(CommandName.MY_QUESTIONS, _NO_ARGUMENT),
    "自分の質問": _Word(CommandName.MY_QUESTIONS, _NO_ARGUMENT),
    "cancel": _Word(CommandName.CANCEL, _OPTIONAL_TICKET),
    "キャンセル": _Word(CommandName.CANCEL, _OPTIONAL_TICKET),
    # Bare "language" (as picked from the Teams command menu) asks which language to switch to.
    "language": _Word(CommandName.LANGUAGE, _LANGUAGE_VALUE, bare=CommandName.LANGUAGE),
    "言語": _Word(CommandName.LANGUAGE, _LANGUAGE_VALUE, bare=CommandName.LANGUAGE),
    "tickets": _Word(CommandName.TICKETS, _NO_ARGUMENT),
    "ticket": _Word(CommandName.TICKET, _TICKET_NUMBER, bare=CommandName.TICKETS),
    "チケット": _Word(CommandName.TICKET, _TICKET_NUMBER, bare=CommandName.TICKETS),
    "insights": _Word(CommandName.INSIGHTS, _NO_ARGUMENT),
    "レポート": _Word(CommandName.INSIGHTS, _NO_ARGUMENT),
    "know-how": _Word(CommandName.KNOW_HOW, _NO_ARGUMENT),
    "ノウハウ": _Word(CommandName.KNOW_HOW, _NO_ARGUMENT),
    # Bare "idea" asks what the idea is.
    "idea": _Word(CommandName.PROPOSAL, _FREE_TEXT, bare=CommandName.PROPOSAL),
    "提案": _Word(CommandName.PROPOSAL, _FREE_TEXT, bare=CommandName.PROPOSAL),
}

_TRAILING_PUNCTUATION = ".。!！?？、,・ "
_SPACES = re.compile(r"\s+")


def normalize_command_text(text: str) -> str:
    """Folded (full-width letters and spaces become ASCII, kana one script), single spaces, no end
    punctuation."""
    return _SPACES.sub(" ", fold(text)).strip().rstrip(_TRAILING_PUNCTUATION).strip()


_FOLDED_WORDS = {normalize_command_text(word): spec for word, spec in COMMAND_WORDS.items()}
# Longest words first so "my questions" wins over any shorter prefix.
_WORDS_LONGEST_FIRST = sorted(_FOLDED_WORDS, key=len, reverse=True)


def parse_command(text: str) -> ParsedCommand | None:
    """The command `text` names, or None when it is not exactly a command (then it is a question)."""
    normalized = normalize_command_text(text)
    for word in _WORDS_LONGEST_FIRST:
        if normalized == word:
            spec = _FOLDED_WORDS[word]
            if spec.argument is None or spec.argument.fullmatch(""):
                return ParsedCommand(spec.name)
            if spec.bare is not None:
                return ParsedCommand(spec.bare)
            return None
        if normalized.startswith(word + " ") and _FOLDED_WORDS[word].argument is not None:
            spec = _FOLDED_WORDS[word]
            argument = normalized[len(word) + 1 :].strip()
            match = spec.argument.fullmatch(argument) if spec.argument else None
            if match is None:
                return None
            if spec.name is CommandName.LANGUAGE:
                return ParsedCommand(spec.name, _FOLDED_LANGUAGE_CODES[argument])
            return ParsedCommand(spec.name, match.group(1) if match.groups() else argument)
    return None
