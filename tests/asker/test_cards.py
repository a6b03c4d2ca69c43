"""Every card the asker's side can send is a valid Adaptive Card 1.5, in Japanese and English."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.cards.about_ticket import about_ticket_card
from bot.cards.answer import AnswerContext, answer_card
from bot.cards.choices import alternatives_card, clarify_card
from bot.cards.escalation import escalate_card, escalation_cancelled_card, ticket_created_card
from bot.cards.language import language_card
from bot.cards.markdown import MESSAGE_LIMIT, utf16_size
from bot.cards.my_questions import TicketLine, my_questions_card
from bot.cards.ticket import TicketView
from bot.i18n import LANGUAGES
from dialogs import Attachment
from knowledge import Entry, Hit, Link
from tests.card_schema import assert_valid_card

ASKER = "aaaaaaaa-0000-0000-0000-000000000001"


def _entry(
    answer: str = "**再起動**してください。\n\n1. 電源\n2. \\\\fileserver\\share を開く", **extra
) -> Entry:
    values = {
        "id": "sample",
        "question": "PCが動かない",
        "answer": answer,
        "alternates": (),
        "keywords": (),
        "lang": "ja",
        "tags": (),
        "links": (
            Link("マニュアル", "https://portal.example/manual"),
            Link("共有フォルダ", "\\\\fileserver\\share"),
            Link("ローカル", "file://server/share/readme.txt"),
        ),
        "owner": None,
        "updated": None,
        "review_by": None,
        "category": "PC",
        "source_path": "test.yaml",
        "source_line": 1,
    }
    values.update(extra)
    return Entry(**values)


def _context() -> AnswerContext:
    return AnswerContext(ASKER, "PC 動かない", 0.8, "answer", "card-1")


def _all_cards(lang):
    hits = [Hit(_entry(id=f"e{n}", question=f"質問 {n}"), 0.5) for n in range(3)]
    tickets = [
        TicketLine(12, state, "質問の本文 **太字** " * 10, datetime(2026, 11, 26, 1, 0, tzinfo=UTC))
        for state in ("open", "claimed", "answered", "resolved", "withdrawn")
    ] + [TicketLine(13, "resolved", None, datetime(2026, 11, 26, 1, 0, tzinfo=UTC))]
    attachment = Attachment("error.png", "https://smba.example/a", "image/png")
    return [
        answer_card(_entry(), lang, _context()),
        answer_card(_entry(), lang, start=3),
        clarify_card(hits, lang, asker=ASKER, question="PC", card_id="c"),
        alternatives_card(hits, lang, asker=ASKER, question="PC", card_id="c"),
        alternatives_card([], lang, asker=ASKER, question="PC", card_id="c"),
        escalate_card(lang, asker=ASKER, key="k", question="宇宙人"),
        escalate_card(
            lang,
            asker=ASKER,
            key="k",
            question="",
            attachments=[attachment],
            reason="asker.escalate.attachments",
        ),
        ticket_created_card(lang, number=12, question="宇宙人"),
        escalation_cancelled_card(lang),
        language_card(lang),
        my_questions_card(tickets, lang, timezone=ZoneInfo("Asia/Tokyo")),
        my_questions_card([], lang, timezone=ZoneInfo("Asia/Tokyo")),
        about_ticket_card(
            TicketView(
                3, 3, 3, "answered", "29:asker", datetime(2026, 11, 26, 1, 0, tzinfo=UTC), question="質問"
            ),
            "まだです",
            lang,
            asker=ASKER,
        ),
    ]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_asker_card_is_valid(lang, schemas_dir: Path):
    for card in _all_cards(lang):
        assert_valid_card(card, schemas_dir)


def test_the_answer_card_shows_web_links_as_buttons_and_folders_as_text():
    card = answer_card(_entry(), "ja", _context())
    buttons = [
        item for element in card["body"] if element["type"] == "ActionSet" for item in element["actions"]
    ]
    assert [button["url"] for button in buttons] == ["https://portal.example/manual"]
    folders = card["body"][2]["text"]
    assert "\\\\\\\\fileserver\\\\share" in folders
    assert "file://server/share/readme.txt" in folders
    assert "\\\\\\\\fileserver\\\\share" in card["body"][1]["text"]


def test_times_are_shown_in_japan_time():
    line = TicketLine(7, "open", "x", datetime(2026, 11, 26, 15, 30, tzinfo=UTC))
    card = my_questions_card([line], "ja", timezone=ZoneInfo("Asia/Tokyo"))
    assert card["body"][1]["text"] == "#7 受付済み(2026/11/27 00:30)"


def test_a_long_answer_is_cut_under_the_teams_limit_and_continues_where_it_stopped():
    paragraph = "とても長い説明です。" * 60
    answer = "\n\n".join(f"{n}. {paragraph}" for n in range(40))
    entry = _entry(answer=answer)
    parts, start = [], 0
    first = answer_card(entry, "ja", _context())
    card = first
    while True:
        assert utf16_size(card) <= MESSAGE_LIMIT
        parts.append(card["body"][1]["text"])
        more = [action for action in card.get("actions", []) if action.get("verb") == "more"]
        if not more:
            break
        start = more[0]["data"]["offset"]
        card = answer_card(entry, "ja", start=start)
        assert card["body"][0]["text"] == "PCが動かない(続き)"
    assert len(parts) >= 2
    assert "".join(parts) == answer
    assert all(part.endswith("\n\n") for part in parts[:-1])  # cut between paragraphs
    assert [action["verb"] for action in first["actions"]] == ["more", "helpful", "not_helpful"]


def test_cancel_takes_none_of_the_escalation_cards_fields():
    actions = {
        action["verb"]: action
        for action in escalate_card("ja", asker=ASKER, key="k", question="q")["actions"]
    }
    # Teams would otherwise send the details and hold the click for any required field left empty.
    assert actions["cancel"]["associatedInputs"] == "None"
    assert "associatedInputs" not in actions["escalate"]  # Send carries the details
