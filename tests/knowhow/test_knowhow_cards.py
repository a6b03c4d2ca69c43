"""Every know-how card is a valid Adaptive Card 1.5 in both languages, with catalogue text; what
people wrote is shown as plain text runs, never Markdown."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cards.escalation import escalate_card
from bot.cards.knowhow import colleague_answer_card, helper_request_card, knowhow_notice_card, profile_card
from bot.handoffs import ColleagueConsent
from bot.i18n import LANGUAGES
from tests.card_schema import assert_valid_card

_WRITTEN = "**太字** [link](https://example.invalid) <at>誰か</at>"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_know_how_cards_are_valid(lang, schemas_dir: Path):
    cards = [
        profile_card(lang, topics=[], available=True, helped_count=0),
        profile_card(lang, topics=[(1, "Excelマクロ"), (2, _WRITTEN)], available=True, helped_count=3),
        profile_card(lang, topics=[(1, "PDF編集")], available=False, helped_count=0, notice="notice"),
        helper_request_card(lang, request_id=7, question=_WRITTEN, asker_name=None),
        helper_request_card(lang, request_id=7, question="質問", asker_name="山田 花子"),
        colleague_answer_card(lang, number=3, ticket_id=9, helper_name="田中", answer=_WRITTEN),
        knowhow_notice_card("ok"),
        escalate_card(lang, asker="a", key="k", question="q", consent=ColleagueConsent(True, False)),
    ]
    for card in cards:
        assert_valid_card(card, schemas_dir)


def test_written_text_is_never_markdown():
    card = colleague_answer_card("ja", number=3, ticket_id=9, helper_name="田中", answer=_WRITTEN)
    text_blocks = [element.get("text", "") for element in card["body"] if element["type"] == "TextBlock"]
    assert all(_WRITTEN not in text for text in text_blocks)
    assert _WRITTEN in json.dumps(card, ensure_ascii=False)  # in a TextRun


def test_the_asker_name_is_shown_only_when_given():
    hidden = json.dumps(
        helper_request_card("ja", request_id=1, question="q", asker_name=None), ensure_ascii=False
    )
    shown = json.dumps(
        helper_request_card("ja", request_id=1, question="q", asker_name="山田"), ensure_ascii=False
    )
    assert "山田" not in hidden
    assert "山田" in shown


def test_toggles_start_from_the_remembered_choice():
    card = escalate_card("en", asker="a", key="k", question="q", consent=ColleagueConsent(False, True))
    toggles = {item["id"]: item["value"] for item in card["body"] if item["type"] == "Input.Toggle"}
    assert toggles == {"share_with_colleagues": "false", "show_my_name": "true"}
    plain = escalate_card("en", asker="a", key="k", question="q")
    assert not [item for item in plain["body"] if item["type"] == "Input.Toggle"]
