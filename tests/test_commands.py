"""Typed commands match exactly (after NFKC), in both languages; questions are never commands."""

from __future__ import annotations

import pytest

from bot.commands import CommandName, ParsedCommand, parse_command


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("help", ParsedCommand(CommandName.HELP)),
        ("ＨＥＬＰ", ParsedCommand(CommandName.HELP)),
        ("ヘルプ。", ParsedCommand(CommandName.HELP)),
        ("  Help!  ", ParsedCommand(CommandName.HELP)),
        ("my questions", ParsedCommand(CommandName.MY_QUESTIONS)),
        ("My  Questions", ParsedCommand(CommandName.MY_QUESTIONS)),
        ("自分の質問", ParsedCommand(CommandName.MY_QUESTIONS)),
        ("cancel", ParsedCommand(CommandName.CANCEL)),
        ("キャンセル　＃１２", ParsedCommand(CommandName.CANCEL, "12")),
        ("language en", ParsedCommand(CommandName.LANGUAGE, "en")),
        ("言語", ParsedCommand(CommandName.LANGUAGE)),
        ("言語 英語", ParsedCommand(CommandName.LANGUAGE, "en")),
        ("言語　日本語", ParsedCommand(CommandName.LANGUAGE, "ja")),
        ("言語 エイゴ", ParsedCommand(CommandName.LANGUAGE, "en")),  # folded like the knowledge base
        ("へるぷ", ParsedCommand(CommandName.HELP)),
        ("tickets", ParsedCommand(CommandName.TICKETS)),
        ("チケット", ParsedCommand(CommandName.TICKETS)),
        ("ticket 7", ParsedCommand(CommandName.TICKET, "7")),
        ("チケット #7", ParsedCommand(CommandName.TICKET, "7")),
        ("know-how", ParsedCommand(CommandName.KNOW_HOW)),
        ("ノウハウ", ParsedCommand(CommandName.KNOW_HOW)),
        ("提案", ParsedCommand(CommandName.PROPOSAL)),
        ("idea Book rooms in Teams", ParsedCommand(CommandName.PROPOSAL, "book rooms in teams")),
        ("提案　会議室の予約", ParsedCommand(CommandName.PROPOSAL, "会議室ノ予約")),  # folded: kana too
    ],
)
def test_commands(text: str, expected: ParsedCommand):
    assert parse_command(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "help me with wifi",
        "ヘルプデスクの電話番号",
        "言語 設定の変え方",
        "ticket printer",
        "キャンセルしたい会議",
        "ノウハウを教えて",
        "提案書の書き方",
        "",
        "   ",
    ],
)
def test_questions_are_not_commands(text: str):
    assert parse_command(text) is None
